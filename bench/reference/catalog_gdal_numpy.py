#!/usr/bin/python3
"""A catalog of scenes through the bloom pipeline as a GDAL + numpy script: the reference of `npm run bench -- --catalog`.

One process loops over the scenes (sorted by name). Per scene it does what hab_gdal_numpy.py does (read the four
bands the products need, NDWI, water, NDCI in float64 rounded once to float32, three DEFLATE COGs with overviews),
then the scene statistics Tessera's catalog table holds, computed the same way: valid, water and bloom pixels and
their areas (per-row cell areas on the authalic sphere), bloom fraction, and per product mean, p50 and p98 from a
1,024-bin histogram over [-1, 1] (exact to one bin, as Tessera's merged tile histograms). After the last scene it
writes the catalog table: one row per scene x product. Python's csv module, not Parquet: Debian's GDAL 3.6 has no
Parquet driver and no pyarrow is installed, and a CSV of ~100 rows costs less than a Parquet file, so this favours
the reference.

Usage: catalog_gdal_numpy.py OUTDIR --threads 1|ALL_CPUS SCENE.tif...
Prints one JSON line: scenes, water pixels per scene (the suite checks them against Tessera's), stage totals in ms.
Wall time, CPU and peak RSS are measured by the caller (/usr/bin/time -v), interpreter start-up included.
"""
import csv
import json
import math
import os
import sys
import time

import numpy as np
from osgeo import gdal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hab_gdal_numpy import WANTED_NM, read_and_compute, write_cog  # noqa: E402

BLOOM_NDCI = 0.3
HIST_BINS = 1024
HIST_RANGE = (-1.0, 1.0)
AUTHALIC_RADIUS_M = 6371007.181


def row_areas_m2(gt, height):
    """Area of one pixel of each row: a cell of dlon x (lat0..lat1) on the authalic sphere; metres for projected CRSes."""
    if abs(gt[1]) > 1 or abs(gt[5]) > 1:  # metres already
        return np.full(height, abs(gt[1] * gt[5]))
    lat = gt[3] + gt[5] * np.arange(height + 1)
    s = np.sin(np.radians(lat))
    return np.abs(s[:-1] - s[1:]) * math.radians(abs(gt[1])) * AUTHALIC_RADIUS_M ** 2


def histogram_stats(values):
    """mean, p50, p98 of the finite values; the percentiles from a 1,024-bin histogram (bin centres)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None, None, None
    hist, edges = np.histogram(np.clip(finite, *HIST_RANGE), bins=HIST_BINS, range=HIST_RANGE)
    cdf = np.cumsum(hist)
    centres = (edges[:-1] + edges[1:]) / 2

    def pct(p):
        return float(centres[np.searchsorted(cdf, p / 100 * cdf[-1], side="left")])

    return float(finite.mean(dtype=np.float64)), pct(50), pct(98)


def process(src, outdir, threads):
    ds, ndwi, water, ndci, (t0, t1, t2) = read_and_compute(src)

    os.makedirs(outdir, exist_ok=True)
    write_cog(os.path.join(outdir, "ndwi.tif"), ndwi, ds, float("nan"), 3, threads)
    write_cog(os.path.join(outdir, "water.tif"), water, ds, 255, 2, threads)
    write_cog(os.path.join(outdir, "ndci.tif"), ndci, ds, float("nan"), 3, threads)
    t3 = time.perf_counter()

    areas = row_areas_m2(ds.GetGeoTransform(), ds.RasterYSize)[:, None]
    valid = water != 255
    is_water = water == 1
    bloom = is_water & np.isfinite(ndci) & (ndci > BLOOM_NDCI)
    valid_m2 = float((valid * areas).sum())
    water_m2 = float((is_water * areas).sum())
    bloom_m2 = float((bloom * areas).sum())
    pixels = ds.RasterXSize * ds.RasterYSize
    water_px = int(is_water.sum())
    bloom_px = int(bloom.sum())
    rows = []
    for product, values in (("ndwi", ndwi), ("water", None), ("ndci", ndci)):
        mean, p50, p98 = histogram_stats(values) if values is not None else (water_px / max(1, int(valid.sum())), None, None)
        own_valid = int(np.isfinite(values).sum()) if values is not None else int(valid.sum())
        rows.append({
            "product": product,
            "valid_km2": valid_m2 / 1e6,
            "water_km2": water_m2 / 1e6,
            "bloom_km2": bloom_m2 / 1e6,
            "bloom_fraction": bloom_px / water_px if water_px else None,
            "valid_fraction": own_valid / pixels,
            "mean": mean,
            "p50": p50,
            "p98": p98,
        })
    t4 = time.perf_counter()
    ms = {"read": t1 - t0, "compute": t2 - t1, "write": t3 - t2, "stats": t4 - t3}
    return water_px, rows, ms


def main():
    args = sys.argv[1:]
    threads = "1"
    if "--threads" in args:
        i = args.index("--threads")
        threads = args[i + 1]
        del args[i:i + 2]
    outdir, scenes = args[0], sorted(args[1:])
    gdal.UseExceptions()
    gdal.SetConfigOption("GDAL_NUM_THREADS", threads)
    os.makedirs(outdir, exist_ok=True)
    totals = {"read": 0.0, "compute": 0.0, "write": 0.0, "stats": 0.0, "table": 0.0}
    water = {}
    table = []
    for src in scenes:
        scene_id = os.path.splitext(os.path.basename(src))[0]
        water_px, rows, ms = process(src, os.path.join(outdir, "scenes", scene_id), threads)
        water[scene_id] = water_px
        table.extend({"scene_id": scene_id, **row} for row in rows)
        for k, v in ms.items():
            totals[k] += v
    t0 = time.perf_counter()
    with open(os.path.join(outdir, "catalog.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(table[0].keys()))
        writer.writeheader()
        writer.writerows(table)
    totals["table"] = time.perf_counter() - t0
    print(json.dumps({
        "threads": threads,
        "scenes": len(scenes),
        "waterPixels": water,
        "stagesMs": {k: round(v * 1000, 1) for k, v in totals.items()},
        "wanted_nm": WANTED_NM,
    }))


if __name__ == "__main__":
    main()
