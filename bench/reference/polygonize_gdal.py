#!/usr/bin/python3
"""GDAL counterpart of bench/vector.bench.ts: the regions of a mask COG polygonized by GDAL 3.6 on one thread.

Per mask and run, three timings (seconds of wall time; api and file also in CPU seconds of this process, *_cpu_s,
which a busy machine disturbs less):
  api   gdal.Open + gdal.Polygonize of band 1 (its nodata mask applied, as gdal_polygonize.py does) into an OGR
        Memory layer: reading, tracing and OGR geometries, in this process.
  file  the same into a GeoPackage layer on disk (what gdal_polygonize.py -f GPKG writes), in this process.
  cli   gdal_polygonize.py -q [-8] MASK -b 1 -f GPKG OUT: the command, Python start-up included.
  raw   as api, from an uncompressed tiled GTiff copy of the mask (made once, untimed): the tracing itself, with
        reading reduced to copying from the page cache.
GDAL traces every value of the mask (0 and 1 here); "polygons_value" counts those of --value.
Usage: polygonize_gdal.py [--runs N] [--connectivity 4|8] [--value V] --workdir DIR MASK...
Prints one JSON line per mask (all runs, and the median of each timing). GDAL_NUM_THREADS=1 is set here.
"""
import argparse
import json
import os
import subprocess
import time

os.environ["GDAL_NUM_THREADS"] = "1"
from osgeo import gdal, ogr  # noqa: E402

gdal.UseExceptions()
ogr.UseExceptions()


def polygonize(mask, layer_ds, connectivity):
    ds = gdal.Open(mask)
    band = ds.GetRasterBand(1)
    srs = ds.GetSpatialRef()
    layer = layer_ds.CreateLayer("polys", srs=srs, geom_type=ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("DN", ogr.OFTInteger))
    opts = ["8CONNECTED=8"] if connectivity == 8 else []
    gdal.Polygonize(band, band.GetMaskBand(), layer, 0, opts)
    return layer


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--connectivity", type=int, default=4)
    ap.add_argument("--value", type=int, default=1)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("masks", nargs="+")
    a = ap.parse_args()
    for mask in a.masks:
        api, file, cli, api_cpu, file_cpu, raw, raw_cpu = [], [], [], [], [], [], []
        count = value_count = 0
        plain = os.path.join(a.workdir, "gdal-polygonize-raw-input.tif")
        gdal.Translate(plain, mask, creationOptions=["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=NONE"])
        for run in range(a.runs + 1):  # run 0 warms the page cache and GDAL's drivers
            c0, t0 = time.process_time(), time.perf_counter()
            mem = ogr.GetDriverByName("Memory").CreateDataSource("mem")
            layer = polygonize(mask, mem, a.connectivity)
            t1, c1 = time.perf_counter(), time.process_time()
            count = layer.GetFeatureCount()
            layer.SetAttributeFilter("DN = %d" % a.value)
            value_count = layer.GetFeatureCount()
            mem = None
            out = os.path.join(a.workdir, "gdal-polygonize.gpkg")
            if os.path.exists(out):
                os.remove(out)
            c2, t2 = time.process_time(), time.perf_counter()
            gpkg = ogr.GetDriverByName("GPKG").CreateDataSource(out)
            polygonize(mask, gpkg, a.connectivity)
            gpkg = None  # flush and close
            t3, c3 = time.perf_counter(), time.process_time()
            os.remove(out)
            cmd = ["gdal_polygonize.py", "-q"] + (["-8"] if a.connectivity == 8 else []) + [mask, "-b", "1", "-f", "GPKG", out, "polys", "DN"]
            t4 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            t5 = time.perf_counter()
            os.remove(out)
            c6, t6 = time.process_time(), time.perf_counter()
            mem = ogr.GetDriverByName("Memory").CreateDataSource("mem")
            polygonize(plain, mem, a.connectivity)
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
        print(json.dumps({"bench": "gdal-polygonize", "mask": mask, "connectivity": a.connectivity, "polygons": count,
                          "polygons_value": value_count, "api_s": api, "file_s": file, "cli_s": cli,
                          "api_cpu_s": api_cpu, "file_cpu_s": file_cpu, "raw_s": raw, "raw_cpu_s": raw_cpu,
                          "api_median_s": median(api), "file_median_s": median(file), "cli_median_s": median(cli)}))


if __name__ == "__main__":
    main()
