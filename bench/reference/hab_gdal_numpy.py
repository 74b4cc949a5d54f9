#!/usr/bin/python3
"""The bloom pipeline as it is usually written with GDAL + numpy: the reference `npm run bench` measures Tessera against.

Reads the four bands the products need whole (GDAL picks them by index), computes in float64 like Tessera's kernels
and rounds once to float32:
  NDWI  = (G - N') / (G + N'),  N' = max(N, 0)
  water = NDWI > 0.3 (uint8, 255 = nodata)
  NDCI  = (RE' - R) / (RE' + R) where water, RE' = max(RE, 0), NaN elsewhere
then writes three COGs (DEFLATE level 6, predictor 3 for floats / 2 for the mask, 512 px blocks, overviews) with
GDAL's COG driver. Band choice: nearest centre wavelength to 550 (G), 849 (N), 712 (RE), 669 (R) nm, read from
the band metadata `wavelength`. These are the targets of the product definitions Tessera implements (README,
"What the products are"), so both sides compute the same products from the same bands.

Usage: hab_gdal_numpy.py INPUT OUTDIR [--threads 1|ALL_CPUS]
Prints one JSON line: stage times in ms (read, compute, write) and pixel counts; wall time, CPU and peak RSS are
measured by the caller (/usr/bin/time -v), so they include interpreter start-up as Tessera's include Node's.
"""
import json
import os
import sys
import time

from osgeo import gdal
import numpy as np

WANTED_NM = {"g": 550.0, "n": 849.0, "re": 712.0, "r": 669.0}
WATER_NDWI = np.float32(0.3)


def nearest_bands(ds):
    centres = []
    for i in range(1, ds.RasterCount + 1):
        wl = ds.GetRasterBand(i).GetMetadataItem("wavelength")
        centres.append(float(wl) if wl is not None else float("nan"))
    return {role: 1 + int(np.nanargmin([abs(c - nm) for c in centres])) for role, nm in WANTED_NM.items()}


def normalized_difference(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((a - b) / (a + b)).astype(np.float32)


def write_cog(path, array, like, nodata, predictor, threads):
    mem = gdal.GetDriverByName("MEM").Create("", like.RasterXSize, like.RasterYSize, 1,
                                               gdal.GDT_Float32 if array.dtype == np.float32 else gdal.GDT_Byte)
    mem.SetGeoTransform(like.GetGeoTransform())
    mem.SetProjection(like.GetProjection())
    band = mem.GetRasterBand(1)
    band.SetNoDataValue(nodata)
    band.WriteArray(array)
    opts = ["COMPRESS=DEFLATE", "LEVEL=6", f"PREDICTOR={predictor}", "BLOCKSIZE=512", f"NUM_THREADS={threads}",
            "OVERVIEWS=AUTO", "RESAMPLING=" + ("NEAREST" if array.dtype == np.uint8 else "AVERAGE")]
    gdal.GetDriverByName("COG").CreateCopy(path, mem, options=opts)


def read_and_compute(src):
    """Reads the four bands of `src` and computes NDWI, the water mask and NDCI inside water.

    Returns the dataset, the three arrays and the times (t0 before the read, t1 after it, t2 after the compute).
    """
    t0 = time.perf_counter()
    ds = gdal.Open(src)
    bands = nearest_bands(ds)
    nodata = ds.GetRasterBand(1).GetNoDataValue()
    # One call for all four bands: on a pixel-interleaved file GDAL then decodes each block once, not once per band.
    order = [bands["g"], bands["n"], bands["re"], bands["r"]]
    stack = ds.ReadAsArray(band_list=order).astype(np.float64)
    g, n, re, r = stack[0], stack[1], stack[2], stack[3]
    t1 = time.perf_counter()

    bad_gn = (g == nodata) | (n == nodata) | np.isnan(g) | np.isnan(n)
    bad_rer = (re == nodata) | (r == nodata) | np.isnan(re) | np.isnan(r)
    ndwi = normalized_difference(g, np.maximum(n, 0.0))
    ndwi[bad_gn] = np.nan
    water = np.where(bad_gn, np.uint8(255), (ndwi > WATER_NDWI).astype(np.uint8))
    ndci = normalized_difference(np.maximum(re, 0.0), r)
    ndci[(water != 1) | bad_rer] = np.nan
    return ds, ndwi, water, ndci, (t0, t1, time.perf_counter())


def main():
    args = sys.argv[1:]
    threads = "1"
    if "--threads" in args:
        i = args.index("--threads")
        threads = args[i + 1]
        del args[i:i + 2]
    src, outdir = args
    gdal.UseExceptions()
    gdal.SetConfigOption("GDAL_NUM_THREADS", threads)
    os.makedirs(outdir, exist_ok=True)
    ds, ndwi, water, ndci, (t0, t1, t2) = read_and_compute(src)

    write_cog(os.path.join(outdir, "ndwi.tif"), ndwi, ds, float("nan"), 3, threads)
    write_cog(os.path.join(outdir, "water.tif"), water, ds, 255, 2, threads)
    write_cog(os.path.join(outdir, "ndci.tif"), ndci, ds, float("nan"), 3, threads)
    t3 = time.perf_counter()

    pixels = ds.RasterXSize * ds.RasterYSize
    print(json.dumps({
        "threads": threads,
        "pixels": pixels,
        "waterPixels": int((water == 1).sum()),
        "stagesMs": {"read": round((t1 - t0) * 1000, 1), "compute": round((t2 - t1) * 1000, 1), "write": round((t3 - t2) * 1000, 1)},
    }))


if __name__ == "__main__":
    main()
