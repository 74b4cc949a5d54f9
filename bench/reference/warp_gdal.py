#!/usr/bin/python3
"""GDAL counterpart of bench/warp.bench.ts: a COG warped to another CRS by GDAL 3.6 on one thread, on gdalwarp's
default grid (-t_srs only), with gdalwarp's defaults (-et 0.125, 64 MB warp memory).

Per raster and run, three timings (seconds of wall time; api and file also in CPU seconds of this process, *_cpu_s):
  api   gdal.Warp to a MEM dataset: reading, transforming and resampling, in this process.
  file  gdal.Warp to a COG on disk (DEFLATE level 6, predictor, 512 px blocks, overviews resampled as given):
        the same plus encoding and overviews, in this process.
  cli   gdalwarp -q -t_srs ... -r ... -of COG (same options): the command, start-up included.
  raw   gdal.Warp to MEM from an uncompressed tiled GTiff copy of the input (made once, untimed): the warp
        itself, with reading reduced to copying from the page cache.
Usage: warp_gdal.py [--runs N] --t_srs EPSG:3857 --workdir DIR RASTER:METHOD:OVERVIEW_RESAMPLING...
  e.g. ndci.tif:bilinear:AVERAGE water.tif:near:NEAREST
Prints one JSON line per raster. GDAL_NUM_THREADS=1 is set here.
"""
import argparse
import json
import os
import subprocess
import time

os.environ["GDAL_NUM_THREADS"] = "1"
from osgeo import gdal  # noqa: E402

gdal.UseExceptions()


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--t_srs", default="EPSG:3857")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("rasters", nargs="+")
    a = ap.parse_args()
    for spec in a.rasters:
        path, method, ovr = spec.rsplit(":", 2)
        co = ["COMPRESS=DEFLATE", "LEVEL=6", "PREDICTOR=YES", "BLOCKSIZE=512", "OVERVIEW_RESAMPLING=" + ovr]
        out = os.path.join(a.workdir, "gdal-warp.tif")
        api, file, cli, api_cpu, file_cpu, raw, raw_cpu = [], [], [], [], [], [], []
        size = None
        plain = os.path.join(a.workdir, "gdal-warp-raw-input.tif")
        gdal.Translate(plain, path, creationOptions=["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=NONE"])
        for run in range(a.runs + 1):
            c0, t0 = time.process_time(), time.perf_counter()
            mem = gdal.Warp("", path, format="MEM", dstSRS=a.t_srs, resampleAlg=method)
            t1, c1 = time.perf_counter(), time.process_time()
            size = [mem.RasterXSize, mem.RasterYSize]
            mem = None
            c2, t2 = time.process_time(), time.perf_counter()
            ds = gdal.Warp(out, path, format="COG", dstSRS=a.t_srs, resampleAlg=method, creationOptions=co)
            ds = None
            t3, c3 = time.perf_counter(), time.process_time()
            os.remove(out)
            cmd = ["gdalwarp", "-q", "-t_srs", a.t_srs, "-r", method, "-of", "COG"] + sum((["-co", c] for c in co), []) + [path, out]
            t4 = time.perf_counter()
            subprocess.run(cmd, check=True)
            t5 = time.perf_counter()
            os.remove(out)
            c6, t6 = time.process_time(), time.perf_counter()
            mem = gdal.Warp("", plain, format="MEM", dstSRS=a.t_srs, resampleAlg=method)
            t7, c7 = time.perf_counter(), time.process_time()
            mem = None
            if run > 0:
                api.append(t1 - t0)
                file.append(t3 - t2)
                cli.append(t5 - t4)
                api_cpu.append(c1 - c0)
                file_cpu.append(c3 - c2)
                raw.append(t7 - t6)
                raw_cpu.append(c7 - c6)
        os.remove(plain)
        print(json.dumps({"bench": "gdal-warp", "raster": path, "method": method, "size": size, "api_s": api,
                          "file_s": file, "cli_s": cli, "api_cpu_s": api_cpu, "file_cpu_s": file_cpu, "raw_s": raw, "raw_cpu_s": raw_cpu, "api_median_s": median(api), "file_median_s": median(file),
                          "cli_median_s": median(cli)}))


if __name__ == "__main__":
    main()
