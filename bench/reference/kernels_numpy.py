#!/usr/bin/python3
"""numpy counterpart of bench/kernels.bench.ts: the bloom products and the same catalog formulas on the same blocks.

Reads a JSON spec on stdin (input, blocks, tile, nodata, reps, bands {key: 0-based index}, formulas [{name,
formula, constants}]), loads each block's bands with GDAL as float64 with nodata → NaN (untimed), then times
per tile: the three bloom products + NDVI as hab_gdal_numpy.py computes them, and the formulas one after the other
(catalog formulas are Python expressions, evaluated from their catalog text; each result is cast to float32 as a
COG band would be). numpy has no fused pass: each formula is its own sequence of whole-array operations, which is
how such a script is written. Prints one JSON line per kernel family; the TypeScript side pairs them into ratios.
"""
import json
import sys
import time

import numpy as np
from osgeo import gdal


def main():
    spec = json.load(sys.stdin)
    gdal.UseExceptions()
    gdal.SetConfigOption("GDAL_NUM_THREADS", "1")
    ds = gdal.Open(spec["input"])
    t = spec["tile"]
    keys = list(spec["bands"].keys())
    tiles = []
    for col, row in spec["blocks"]:
        stack = ds.ReadAsArray(col * t, row * t, t, t, band_list=[spec["bands"][k] + 1 for k in keys]).astype(np.float64)
        stack[stack == spec["nodata"]] = np.nan
        tiles.append({k: stack[i] for i, k in enumerate(keys)})
    n = t * t

    def timed(fn):
        ms = []
        for rep in range(spec["reps"] + 1):
            for tile in tiles:
                t0 = time.perf_counter()
                fn(tile)
                if rep > 0:
                    ms.append((time.perf_counter() - t0) * 1000)
        ms.sort()
        return ms[len(ms) // 2]

    def fused(b):
        with np.errstate(divide="ignore", invalid="ignore"):
            ndwi = ((b["G"] - np.maximum(b["N"], 0)) / (b["G"] + np.maximum(b["N"], 0))).astype(np.float32)
            water = np.where(np.isnan(ndwi), np.uint8(255), (ndwi > np.float32(0.3)).astype(np.uint8))
            re = np.maximum(b["RE1"], 0)
            ndci = ((re - b["R"]) / (re + b["R"])).astype(np.float32)
            ndci[water != 1] = np.nan
            ndvi = ((b["N"] - b["R"]) / (b["N"] + b["R"])).astype(np.float32)
        return ndwi, water, ndci, ndvi

    ms = timed(fused)
    print(json.dumps({"bench": "kernel", "side": "numpy", "kernel": "hab-fused (ndwi+water+ndci+ndvi)",
                      "msPerTile": round(ms, 2), "mpixPerS": round(n / 1e6 / (ms / 1000), 2)}))

    codes = [(f["name"], compile(f["formula"], f["name"], "eval"), f["constants"]) for f in spec["formulas"]]

    def formulas(b):
        with np.errstate(all="ignore"):
            for _, code, consts in codes:
                np.asarray(eval(code, {"__builtins__": {}}, {**b, **consts}), dtype=np.float32)

    ms = timed(formulas)
    print(json.dumps({"bench": "kernel", "side": "numpy", "kernel": f"{len(codes)} catalog formulas",
                      "msPerTile": round(ms, 2), "mpixPerS": round(n / 1e6 / (ms / 1000), 2),
                      "formulaMpixPerS": round(len(codes) * n / 1e6 / (ms / 1000), 2)}))


if __name__ == "__main__":
    main()
