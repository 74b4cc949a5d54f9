"""numpy reference of the RGB preview: 2x2 nan-mean cascade down to the preview factor (tiles of 512 px padded
with nodata), 2-98 percentile stretch per band to 1..255, 0 where any band is nodata.

Usage: preview_reference.py INPUT.tif RED GREEN BLUE FACTOR OUT.u8   (band indices 0-based)
Writes height x width x 3 bytes (row-major RGB) and prints the preview size as JSON.
"""
import json
import sys
import warnings

import numpy as np
from osgeo import gdal

src, r_i, g_i, b_i, factor, out = sys.argv[1], *map(int, sys.argv[2:6]), sys.argv[6]
ds = gdal.Open(src)
nodata = ds.GetRasterBand(1).GetNoDataValue()
W, H = ds.RasterXSize, ds.RasterYSize
PW, PH = -(-W // factor), -(-H // factor)
TS = 512


def reduce(a):
    # Pad to whole tiles, as the tile jobs see them, then average 2x2 groups ignoring NaN, level by level in float32.
    pad = np.full((-(-H // TS) * TS, -(-W // TS) * TS), np.nan, dtype=np.float32)
    pad[:H, :W] = a
    f = factor
    while f > 1:
        q = np.stack([pad[0::2, 0::2], pad[0::2, 1::2], pad[1::2, 0::2], pad[1::2, 1::2]]).astype(np.float64)
        pad = np.nanmean(q, axis=0).astype(np.float32)
        f //= 2
    return pad[:PH, :PW]


# nanmean of an all-NaN group is NaN (nodata), with a RuntimeWarning we do not need.
warnings.simplefilter("ignore", RuntimeWarning)
planes = []
for i in (r_i, g_i, b_i):
    a = ds.GetRasterBand(i + 1).ReadAsArray().astype(np.float32)
    if nodata is not None and not np.isnan(nodata):
        a[a == nodata] = np.nan
    planes.append(reduce(a))
bad = np.isnan(planes[0]) | np.isnan(planes[1]) | np.isnan(planes[2])
rgb = np.zeros((PH, PW, 3), dtype=np.uint8)
for c, p in enumerate(planes):
    lo, hi = np.nanpercentile(p.astype(np.float64), [2, 98])
    x = 1 + (p.astype(np.float64) - lo) * (254 / (hi - lo))
    x = np.clip(x, 1, 255)
    rgb[:, :, c] = np.floor(x + 0.5).astype(np.uint8)
rgb[bad] = 0
rgb.tofile(out)
print(json.dumps({"width": PW, "height": PH}))
