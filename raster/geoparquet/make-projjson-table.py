"""Writes projjson-table.json: PROJJSON (from GDAL/PROJ) of every EPSG code raster/geo/crs.ts knows, so GeoParquet
files can name their CRS at runtime without GDAL.

Run from the repository root with Debian's python (it has osgeo):
    /usr/bin/python3 raster/geoparquet/make-projjson-table.py > raster/geoparquet/projjson-table.json

"fixed" holds each fixed code's PROJJSON; "utm" one PROJJSON per UTM family (its first zone), from which
projjson.ts derives every zone (name, central meridian, code). Usage extents (area, bbox, scope) are dropped:
they are descriptive, and GeoParquet readers take the CRS from the rest. projjson.test.ts checks the table, zone
expansion included, against GDAL for every code, and that it covers exactly crs.ts's codes.
"""
import json

from osgeo import gdal, osr

# Keep in step with FIXED and UTM_FAMILIES in raster/geo/crs.ts (projjson.test.ts fails when they differ).
FIXED = [4326, 3857, 3395, 3413, 3031, 3995, 3976, 32661, 32761, 3035, 6933, 6931, 6932, 8857, 5070, 3338, 3577, 2263]
UTM_FAMILIES = {32600: 1, 32700: 1, 25800: 28, 26900: 1}  # base code: first zone


def projjson(code):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(code)
    j = json.loads(srs.ExportToPROJJSON())
    for k in ("$schema", "area", "bbox", "scope", "usages"):
        j.pop(k, None)
    return j


table = {
    "source": "GDAL %s, PROJ %d.%d.%d" % (gdal.__version__, osr.GetPROJVersionMajor(), osr.GetPROJVersionMinor(), osr.GetPROJVersionMicro()),
    "fixed": {str(c): projjson(c) for c in FIXED},
    "utm": {str(base): {"first_zone": z, "crs": projjson(base + z)} for base, z in UTM_FAMILIES.items()},
}
print(json.dumps(table, indent=1, sort_keys=False))
