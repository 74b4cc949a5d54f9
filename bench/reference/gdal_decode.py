#!/usr/bin/python3
"""GDAL counterpart of bench/decode.bench.ts: every full-resolution block of each file read on one thread.

Each block is read with one Dataset.ReadRaster call for all bands into a pixel-interleaved buffer (the layout the
file stores, so GDAL copies no more than Tessera's decoder does). The dataset is reopened for every repetition so
no block comes from GDAL's cache; the file itself is in the page cache (the caller read it just before).
Usage: gdal_decode.py [--reps N] FILE...   Prints one JSON line per file (median ms per block).
"""
import json
import sys
import time

from osgeo import gdal


def bench(path, reps):
    times = []
    for rep in range(reps + 1):
        ds = gdal.Open(path)
        b1 = ds.GetRasterBand(1)
        bw, bh = b1.GetBlockSize()
        nb = ds.RasterCount
        size = gdal.GetDataTypeSize(b1.DataType) // 8
        for row in range((ds.RasterYSize + bh - 1) // bh):
            for col in range((ds.RasterXSize + bw - 1) // bw):
                w = min(bw, ds.RasterXSize - col * bw)
                h = min(bh, ds.RasterYSize - row * bh)
                t0 = time.perf_counter()
                ds.ReadRaster(col * bw, row * bh, w, h, buf_pixel_space=size * nb, buf_line_space=size * nb * w,
                              buf_band_space=size)
                if rep > 0:  # the first pass is a warm-up
                    times.append((time.perf_counter() - t0) * 1000)
        ds = None
    times.sort()
    ms = times[len(times) // 2]
    return {"bench": "gdal-decode", "file": path, "blocks": len(times) // reps, "reps": reps,
            "msPerBlock": round(ms, 2), "msPerBlockMin": round(times[0], 2), "msPerBlockMax": round(times[-1], 2),
            "decodedMBps": round(bw * bh * nb * size / 1e6 / (ms / 1000))}


def main():
    args = sys.argv[1:]
    reps = 3
    if "--reps" in args:
        i = args.index("--reps")
        reps = int(args[i + 1])
        del args[i:i + 2]
    gdal.UseExceptions()
    gdal.SetConfigOption("GDAL_NUM_THREADS", "1")
    gdal.SetCacheMax(512 * 1024 * 1024)
    for path in args:
        print(json.dumps(bench(path, reps)), flush=True)


if __name__ == "__main__":
    main()
