"""GDAL oracle for raster/warp: runs gdalwarp on a raster and reports the target grid and pixels.

Reads one JSON request on stdin, writes one JSON report on stdout:
  {"src": "<raster>", "t_srs": "EPSG:3857", "r": "near" | "bilinear", "out": "<dir>/name", "pixels": true}
  -> {"width", "height", "geotransform", "nodata", "dtype", "raw": "<out>.raw" (band 1, little-endian, row-major)}
With "pixels": false gdalwarp writes a VRT: the grid only, no resampling. gdalwarp runs with its defaults
(-et 0.125, 64 MB warp memory, one thread), so the output is what `gdalwarp -t_srs ... -r ...` gives.

Run with Debian's /usr/bin/python3 (it has osgeo). Test-only.
"""
import json
import subprocess
import sys

from osgeo import gdal

gdal.UseExceptions()


def main():
    req = json.load(sys.stdin)
    pixels = req.get("pixels", True)
    out = req["out"] + (".tif" if pixels else ".vrt")
    subprocess.run(
        ["gdalwarp", "-q", "-overwrite", "-t_srs", req["t_srs"], "-r", req["r"], "-of", "GTiff" if pixels else "VRT", req["src"], out],
        check=True,
    )
    ds = gdal.Open(out)
    b = ds.GetRasterBand(1)
    rep = {
        "width": ds.RasterXSize,
        "height": ds.RasterYSize,
        "geotransform": list(ds.GetGeoTransform()),
        "nodata": None if b.GetNoDataValue() is None else repr(b.GetNoDataValue()),
        "dtype": gdal.GetDataTypeName(b.DataType),
    }
    if pixels:
        a = b.ReadAsArray()
        raw = req["out"] + ".raw"
        a.astype(a.dtype.newbyteorder("<")).tofile(raw)
        rep["raw"] = raw
    print(json.dumps(rep))


if __name__ == "__main__":
    main()
