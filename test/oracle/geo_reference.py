"""Reference coordinates and areas for the tests of raster/geo: GDAL's OSR for transforms, numpy quadrature for areas.

Reads one JSON document on stdin, {"requests": [...]}, and prints {"results": [...]}, one result per request:

  {"op": "to_lonlat", "epsg": 32633, "points": [[x, y], ...], "datum": "wgs84" | "base"}
      -> {"points": [[lon, lat], ...]}   CRS -> geographic with osr.CoordinateTransformation
  {"op": "from_lonlat", "epsg": 32633, "points": [[lon, lat], ...], "datum": "wgs84" | "base"}
      -> {"points": [[x, y], ...]}
  {"op": "crs_info", "epsg": 2263}
      -> {"geographic": bool, "linear_units_m": float | null, "area_of_use": [w, s, e, n] | null}
  {"op": "row_areas", "lat0_deg": 60, "dlat_deg": -0.01, "rows": 100, "dlon_deg": 0.01}
      -> {"areas_m2": [...]}   area on the WGS 84 ellipsoid of row r, from lat0 + r*dlat to lat0 + (r+1)*dlat, dlon wide

"datum": "wgs84" goes to EPSG:4326 through whatever operation PROJ picks (for a WGS 84 based CRS: none);
"base" goes to the CRS's own geographic CRS, so only the map projection is compared, not a datum shift.
Both sides use OAMS_TRADITIONAL_GIS_ORDER: (lon, lat) and (easting, northing), whatever the EPSG axis order.

row_areas integrates the ellipsoid's area element dA = M(phi) N(phi) cos(phi) dphi dlambda, with
M = a(1 - e^2) / W^3 and N = a / W, W = sqrt(1 - e^2 sin^2 phi), by 20-point Gauss-Legendre on pieces of at most
0.5 degree: an independent route from the closed form (authalic latitude) that raster/geo/pixel-area.ts uses.
A row's height is dlat itself, not the difference of its edge latitudes, so a 1e-6 degree row keeps its digits.
"""
import json
import sys

import numpy as np
from osgeo import osr

osr.UseExceptions()

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563


def srs_for(epsg):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(int(epsg))
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def geographic_for(srs, datum):
    if datum == "base":
        geo = srs.CloneGeogCS()
    else:
        geo = srs_for(4326)
    geo.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return geo


def transform(req, to_lonlat):
    srs = srs_for(req["epsg"])
    geo = geographic_for(srs, req.get("datum", "wgs84"))
    ct = osr.CoordinateTransformation(srs, geo) if to_lonlat else osr.CoordinateTransformation(geo, srs)
    out = []
    for x, y in req["points"]:
        px, py, _ = ct.TransformPoint(float(x), float(y))
        out.append([px, py])
    return {"points": out}


def crs_info(req):
    srs = srs_for(req["epsg"])
    area = srs.GetAreaOfUse()
    return {
        "geographic": bool(srs.IsGeographic()),
        "linear_units_m": srs.GetLinearUnits() if srs.IsProjected() else None,
        "area_of_use": None if area is None else [area.west_lon_degree, area.south_lat_degree, area.east_lon_degree, area.north_lat_degree],
    }


def row_areas(req):
    a = WGS84_A
    e2 = WGS84_F * (2 - WGS84_F)
    dlon = np.radians(abs(float(req["dlon_deg"])))
    nodes, weights = np.polynomial.legendre.leggauss(20)
    lat0, dlat = float(req["lat0_deg"]), float(req["dlat_deg"])
    out = []
    for r in range(int(req["rows"])):
        start = np.radians(lat0 + r * dlat)
        height = np.radians(dlat)
        pieces = max(1, int(np.ceil(abs(height) / np.radians(0.5))))
        total = 0.0
        for k in range(pieces):
            p0 = start + height * k / pieces
            w = height / pieces
            phi = p0 + 0.5 * w * (nodes + 1)
            w2 = 1 - e2 * np.sin(phi) ** 2
            integrand = a * a * (1 - e2) * np.cos(phi) / (w2 * w2)
            total += 0.5 * w * float(np.dot(weights, integrand))
        out.append(abs(total) * dlon)
    return {"areas_m2": out}


OPS = {
    "to_lonlat": lambda r: transform(r, True),
    "from_lonlat": lambda r: transform(r, False),
    "crs_info": crs_info,
    "row_areas": row_areas,
}


def main():
    doc = json.load(sys.stdin)
    results = []
    for req in doc["requests"]:
        op = OPS.get(req.get("op"))
        if op is None:
            raise SystemExit(f"unknown op {req.get('op')!r}")
        results.append(op(req))
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
