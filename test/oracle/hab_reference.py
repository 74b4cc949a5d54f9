"""numpy/GDAL reference for the bloom products, written straight from the definitions in the README.

Usage: hab_reference.py INPUT.tif G N RE R OUTPUT_DIR [NODATA]
Band arguments are 0-based band indices. Writes ndwi.f32, water.u8, ndci.f32, ndvi.f32 (raw little-endian,
row-major, full image) and prints a JSON summary.
"""
import json
import sys

import numpy as np
from osgeo import gdal

src, g_i, n_i, re_i, r_i, out = sys.argv[1], *map(int, sys.argv[2:6]), sys.argv[6]
ds = gdal.Open(src)
nodata = ds.GetRasterBand(1).GetNoDataValue()


def band(i):
    return ds.GetRasterBand(i + 1).ReadAsArray().astype(np.float64)


g, n, re, r = band(g_i), band(n_i), band(re_i), band(r_i)
bad = np.zeros(g.shape, dtype=bool)
for a in (g, n, re, r):
    bad |= np.isnan(a)
    if nodata is not None and not np.isnan(nodata):
        bad |= a == nodata

with np.errstate(divide="ignore", invalid="ignore"):
    nc = np.maximum(n, 0.0)
    ndwi = (g - nc) / (g + nc)
    ndwi[(g + nc) == 0] = np.nan
    ndwi[bad] = np.nan
    water = np.where(np.isnan(ndwi), 255, np.where(ndwi > 0.3, 1, 0)).astype(np.uint8)
    rec = np.maximum(re, 0.0)
    ndci = (rec - r) / (rec + r)
    ndci[(rec + r) == 0] = np.nan
    ndci[bad | (water != 1)] = np.nan
    ndvi = (n - r) / (n + r)
    ndvi[(n + r) == 0] = np.nan
    ndvi[bad] = np.nan

ndwi.astype("<f4").tofile(f"{out}/ndwi.f32")
water.tofile(f"{out}/water.u8")
ndci.astype("<f4").tofile(f"{out}/ndci.f32")
ndvi.astype("<f4").tofile(f"{out}/ndvi.f32")
valid_water = (water == 1) & ~np.isnan(ndci)
print(json.dumps({
    "width": ds.RasterXSize, "height": ds.RasterYSize,
    "water": int((water == 1).sum()), "valid": int((water != 255).sum()),
    "bloom": int((ndci[valid_water] > 0.3).sum()),
}))
