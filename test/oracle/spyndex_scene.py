"""Writes the Sentinel-2 sample that the spyndex wheel ships (spyndex/data/S2_10m.json: 4 x 300 x 300 uint16 L2A
reflectance x 10000, bands B02 B03 B04 B08) as a GeoTIFF Tessera reads like any sensor's product: float32
reflectance, LZW predictor 3, 256 px tiles, each band's centre wavelength and FWHM (Sentinel-2A spectral response,
ESA S2-SRF v3.0) in GDAL_METADATA, nodata NaN.

The sample carries no coordinates. It is written on a nominal 10 m grid in EPSG:32632 (origin 500000 E, 5000000 N,
stated in the file's metadata), so areas are exact multiples of 100 m^2; the footprint is not the real one.

usage: spyndex_scene.py WHEEL OUT.tif
"""
import json
import sys
import zipfile

import numpy as np
from osgeo import gdal, osr

BANDS = [("B02", 492.4, 66.0), ("B03", 559.8, 36.0), ("B04", 664.6, 31.0), ("B08", 832.8, 106.0)]


def main(wheel: str, out: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        cube = np.asarray(json.loads(z.read("spyndex/data/S2_10m.json")), dtype=np.float32) / np.float32(10000)
    bands, height, width = cube.shape
    mem = gdal.GetDriverByName("MEM").Create("", width, height, bands, gdal.GDT_Float32)
    mem.SetGeoTransform([500000.0, 10.0, 0.0, 5000000.0, 0.0, -10.0])
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32632)
    mem.SetProjection(srs.ExportToWkt())
    mem.SetMetadataItem("TESSERA_SAMPLE", "spyndex 0.12.0 S2_10m (Sentinel-2 L2A); nominal grid, not the real footprint")
    for i, (name, centre, fwhm) in enumerate(BANDS):
        b = mem.GetRasterBand(i + 1)
        b.WriteArray(cube[i])
        b.SetDescription(name)
        b.SetMetadata({"wavelength": str(centre), "fwhm": str(fwhm), "wavelength_units": "nm"})
        b.SetNoDataValue(float("nan"))
    gdal.Translate(out, mem, creationOptions=["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=LZW", "PREDICTOR=3", "INTERLEAVE=PIXEL"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
