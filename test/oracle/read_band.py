"""Dumps band 1 of a raster as GDAL reads it (raw little-endian, row-major) plus a JSON description.

Usage: read_band.py RASTER OUT.bin
"""
import json
import sys

from osgeo import gdal

ds = gdal.Open(sys.argv[1])
b = ds.GetRasterBand(1)
a = b.ReadAsArray()
a.astype(a.dtype.newbyteorder("<")).tofile(sys.argv[2])
srs = ds.GetSpatialRef()
print(json.dumps({
    "width": ds.RasterXSize, "height": ds.RasterYSize, "dtype": str(a.dtype),
    "nodata": None if b.GetNoDataValue() is None else repr(b.GetNoDataValue()),
    "epsg": int(srs.GetAuthorityCode(None)) if srs is not None and srs.GetAuthorityCode(None) else None,
    "geotransform": list(ds.GetGeoTransform()), "overviews": b.GetOverviewCount(),
    "description": b.GetDescription(),
}))
