"""GDAL oracle for the vector files of a run: gdal_polygonize.py on a mask COG, each polygon's ground area, and
the match of Tessera's polygons (read back from its GeoParquet) against GDAL's.

Reads one JSON request on stdin, writes one JSON report on stdout:
  {"op": "compare", "mask": "<mask raster>", "connectivity": 4 | 8, "value": 1, "workdir": "<dir>",
   "ours": "<file: per polygon a uint32 LE length + ISO WKB>", "ours_area_m2": [...] (same order),
   "min_area_m2": 0}
  -> {"gdal": {"count", "kept", "total_area", "total_area_m2", "near_min"},
      "ours": {"count", "invalid", "unmatched", "area_mismatch", "max_symdiff_area", "total_area",
               "total_area_m2", "max_rel_area_m2_diff"}}
  GDAL's polygons of DN == value with a ground area >= min_area_m2 are kept; each of ours must have the envelope
  and CRS area (OGR GetArea) of one kept polygon, an empty symmetric difference with it, and its area_m2 within
  1e-9 of that polygon's ground area. "near_min" counts GDAL polygons within 1e-6 of the threshold, where the
  two sides' rounding could decide differently (a test picks a threshold away from them).

  {"op": "bloom_mask", "water": "<water COG>", "ndci": "<ndci COG>", "threshold": 0.3, "out": "<GTiff>"}
  -> {"pixels": n}   the bloom mask as Tessera defines it (water == 1 and float32 NDCI > threshold: 1; land or
     water at or below it: 0; water nodata or NaN NDCI: 255), written with numpy and GDAL on the water grid.

Ground area: OGR GetArea in a projected CRS (metres); in a geographic CRS, the area on the WGS 84 ellipsoid of
the pixel-edged polygon: every edge is a meridian or a parallel, so the area is the sum over parallel edges of
their longitude span times the area per degree of longitude between the raster's top row and that parallel,
which comes from geo_reference.py's Gauss-Legendre row areas (not from Tessera's closed form).

Run with Debian's /usr/bin/python3 (it has osgeo and numpy). Test-only.
"""
import json
import os
import sys

import numpy as np
from osgeo import gdal, ogr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from geo_reference import row_areas  # noqa: E402
from polygonize_reference import env_key, gdal_polygons, read_ours  # noqa: E402

gdal.UseExceptions()
ogr.UseExceptions()


def ground_area(mask_path):
    ds = gdal.Open(mask_path)
    srs = ds.GetSpatialRef()
    gt = ds.GetGeoTransform()
    if not srs.IsGeographic():
        return lambda g: g.GetArea()
    # Area per degree of longitude from the top edge (boundary 0) down to boundary k.
    per_row = row_areas({"lat0_deg": gt[3], "dlat_deg": gt[5], "rows": ds.RasterYSize, "dlon_deg": 1.0})["areas_m2"]
    below_top = np.concatenate([[0.0], np.cumsum(per_row)])

    def ring_area(ring):
        pts = ring.GetPoints()
        s = 0.0
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            if y0 == y1 and x0 != x1:
                k = int(round((y0 - gt[3]) / gt[5]))
                s += below_top[k] * (x1 - x0)
        return abs(s)

    def polygon_area(p):
        return ring_area(p.GetGeometryRef(0)) - sum(ring_area(p.GetGeometryRef(i)) for i in range(1, p.GetGeometryCount()))

    def area(g):
        if g.GetGeometryName() == "POLYGON":
            return polygon_area(g)
        return sum(polygon_area(g.GetGeometryRef(i)) for i in range(g.GetGeometryCount()))

    return area


def compare(req):
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    polys = gdal_polygons(req["mask"], req["connectivity"], req.get("value", 1), req["workdir"])
    area_m2 = ground_area(req["mask"])
    min_m2 = float(req.get("min_area_m2", 0))
    m2 = [area_m2(p) for p in polys]
    kept = [(p, a) for p, a in zip(polys, m2) if a >= min_m2]
    near = sum(1 for a in m2 if min_m2 > 0 and abs(a - min_m2) <= 1e-6 * min_m2)
    by_key = {}
    for p, a in kept:
        by_key.setdefault(env_key(p), []).append((p, a))
    ours = read_ours(req["ours"])
    ours_m2 = req["ours_area_m2"]
    invalid, unmatched, area_mismatch = [], [], []
    max_symdiff, max_rel = 0.0, 0.0
    for i, g in enumerate(ours):
        if not g.IsValid():
            invalid.append(i)
        cands = by_key.get(env_key(g), [])
        area = g.GetArea()
        best = next(((c, a) for c, a in cands if abs(c.GetArea() - area) <= 1e-9 * max(1.0, abs(area))), None)
        if best is None:
            (area_mismatch if cands else unmatched).append(i)
            continue
        ref = best[0] if best[0].IsValid() else best[0].MakeValid()
        d = g.SymDifference(ref)
        max_symdiff = max(max_symdiff, d.GetArea() if d is not None else 0.0)
        max_rel = max(max_rel, abs(ours_m2[i] - best[1]) / best[1])
    return {
        "gdal": {
            "count": len(polys),
            "kept": len(kept),
            "total_area": sum(p.GetArea() for p, _ in kept),
            "total_area_m2": sum(a for _, a in kept),
            "near_min": near,
        },
        "ours": {
            "count": len(ours),
            "invalid": invalid,
            "unmatched": unmatched,
            "area_mismatch": area_mismatch,
            "max_symdiff_area": max_symdiff,
            "total_area": sum(g.GetArea() for g in ours),
            "total_area_m2": float(sum(ours_m2)),
            "max_rel_area_m2_diff": max_rel,
        },
    }


def bloom_mask(req):
    water_ds = gdal.Open(req["water"])
    water = water_ds.GetRasterBand(1).ReadAsArray()
    ndci_ds = gdal.Open(req["ndci"])
    ndci = ndci_ds.GetRasterBand(1).ReadAsArray().astype(np.float32)
    with np.errstate(invalid="ignore"):
        above = ndci > np.float32(req["threshold"])
    out = np.full(water.shape, 255, dtype=np.uint8)
    out[water == 0] = 0
    is_water = (water == 1) & ~np.isnan(ndci)
    out[is_water] = np.where(above[is_water], 1, 0)
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(req["out"], water_ds.RasterXSize, water_ds.RasterYSize, 1, gdal.GDT_Byte, ["TILED=YES", "COMPRESS=DEFLATE"])
    ds.SetGeoTransform(water_ds.GetGeoTransform())
    ds.SetSpatialRef(water_ds.GetSpatialRef())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(255)
    band.WriteArray(out)
    # GDAL < 3.8 Python: a band outliving its dataset crashes, so the band goes first.
    band = None
    ds = None
    return {"pixels": int((out == 1).sum())}


OPS = {"compare": compare, "bloom_mask": bloom_mask}


def main():
    req = json.load(sys.stdin)
    print(json.dumps(OPS[req["op"]](req)))


if __name__ == "__main__":
    main()
