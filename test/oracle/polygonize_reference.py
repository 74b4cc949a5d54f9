"""GDAL oracle for raster/vector: runs gdal_polygonize.py on a mask raster and compares Tessera's polygons with it.

Reads one JSON request on stdin, writes one JSON report on stdout. Request:
  {"mask": "<raster path>", "connectivity": 4 | 8, "value": 1,
   "ours": "<file of our geometries>" (optional; each record = uint32 LE byte length + ISO WKB),
   "workdir": "<dir for GDAL's output>"}
Report:
  gdal:  {"count", "areas" (sorted), "total_area", "invalid"}   polygons of DN == value only (GDAL traces every value)
  ours:  {"count", "invalid" (indexes), "invalid_reasons", "unmatched" (indexes), "area_mismatch" (indexes),
          "max_symdiff_area", "total_area"}
Matching: each of our geometries must have the area and envelope of one of GDAL's polygons, and their symmetric
difference must be empty (GDAL's -8 polygons touch themselves, so they go through MakeValid() first).

Second request form, to take a real raster as test input:
  {"op": "read_band", "path": "<raster>", "out": "<raw file>", "srcwin": [xoff, yoff, xsize, ysize]}
  -> {"width", "height", "geotransform", "dtype"}   band 1 as float32 little-endian, row-major

Other ops, to check the files written from the polygons:
  {"op": "projjson", "codes": [...]} -> {"<code>": PROJJSON without usage extents}
  {"op": "wkb", "hex": [...]} -> [{"valid", "type", "area", "envelope"}]   ISO WKB decoded by OGR
  {"op": "ogr_open", "path": "<vector file>"} -> {"driver", "count", "epsg", "types", "invalid", "fields",
      "area_sum", "orientation_ok"}   (orientation_ok: exteriors counter-clockwise, holes clockwise)

Run with Debian's /usr/bin/python3 (it has osgeo). Test-only.
"""
import json
import os
import struct
import subprocess
import sys

from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()


def gdal_polygons(mask, connectivity, value, workdir):
    out = os.path.join(workdir, "gdal_polygonize_%d.gpkg" % connectivity)
    if os.path.exists(out):
        os.remove(out)
    cmd = ["gdal_polygonize.py", "-q"]
    if connectivity == 8:
        cmd.append("-8")
    cmd += [mask, "-b", "1", "-f", "GPKG", out, "polys", "DN"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    ds = ogr.Open(out)
    layer = ds.GetLayer(0)
    polys = []
    for f in layer:
        if f.GetField("DN") != value:
            continue
        polys.append(f.GetGeometryRef().Clone())
    return polys


def read_ours(path):
    geoms = []
    with open(path, "rb") as fh:
        data = fh.read()
    o = 0
    while o < len(data):
        (n,) = struct.unpack_from("<I", data, o)
        o += 4
        geoms.append(ogr.CreateGeometryFromWkb(data[o:o + n]))
        o += n
    return geoms


def env_key(g):
    e = g.GetEnvelope()  # minx, maxx, miny, maxy
    return tuple(round(v, 6) for v in e)


def read_band(req):
    import numpy as np
    ds = gdal.Open(req["path"])
    xoff, yoff, w, h = req["srcwin"]
    a = ds.GetRasterBand(1).ReadAsArray(xoff, yoff, w, h).astype("<f4")
    a.tofile(req["out"])
    gt = list(ds.GetGeoTransform())
    gt[0] += xoff * gt[1] + yoff * gt[2]
    gt[3] += xoff * gt[4] + yoff * gt[5]
    return {"width": w, "height": h, "geotransform": gt, "dtype": "float32"}


def projjson(req):
    from osgeo import osr
    out = {}
    for code in req["codes"]:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(int(code))
        j = json.loads(srs.ExportToPROJJSON())
        for k in ("$schema", "area", "bbox", "scope", "usages"):
            j.pop(k, None)
        out[str(code)] = j
    return out


def wkb(req):
    out = []
    for h in req["hex"]:
        g = ogr.CreateGeometryFromWkb(bytes.fromhex(h))
        out.append({"valid": g.IsValid(), "type": g.GetGeometryName(), "area": g.GetArea(), "envelope": list(g.GetEnvelope())})
    return out


def ring_area(ring):
    pts = ring.GetPoints()
    return sum(pts[i][0] * pts[i + 1][1] - pts[i + 1][0] * pts[i][1] for i in range(len(pts) - 1)) / 2


def ogr_open(req):
    ds = ogr.Open(req["path"])
    layer = ds.GetLayer(0)
    srs = layer.GetSpatialRef()
    defn = layer.GetLayerDefn()
    types, invalid, area, orientation_ok = set(), 0, 0.0, True
    count = 0
    for f in layer:
        count += 1
        g = f.GetGeometryRef()
        types.add(g.GetGeometryName())
        invalid += 0 if g.IsValid() else 1
        area += g.GetArea()
        polys = [g] if g.GetGeometryName() == "POLYGON" else [g.GetGeometryRef(i) for i in range(g.GetGeometryCount())]
        for p in polys:
            for r in range(p.GetGeometryCount()):
                a = ring_area(p.GetGeometryRef(r))
                if (r == 0) != (a > 0):
                    orientation_ok = False
    return {
        "driver": ds.GetDriver().GetName(),
        "count": count,
        "epsg": int(srs.GetAuthorityCode(None)) if srs is not None and srs.GetAuthorityCode(None) else None,
        "types": sorted(types),
        "invalid": invalid,
        "fields": [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())],
        "area_sum": area,
        "orientation_ok": orientation_ok,
    }


OPS = {"read_band": read_band, "projjson": projjson, "wkb": wkb, "ogr_open": ogr_open}


def main():
    req = json.load(sys.stdin)
    if req.get("op") in OPS:
        print(json.dumps(OPS[req["op"]](req)))
        return
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    polys = gdal_polygons(req["mask"], req["connectivity"], req.get("value", 1), req["workdir"])
    areas = sorted(p.GetArea() for p in polys)
    rep = {
        "gdal": {
            "count": len(polys),
            "areas": areas,
            "total_area": sum(areas),
            "invalid": sum(0 if p.IsValid() else 1 for p in polys),
        }
    }
    if req.get("ours"):
        ours = read_ours(req["ours"])
        by_key = {}
        for p in polys:
            by_key.setdefault(env_key(p), []).append(p)
        invalid, reasons, unmatched, area_mismatch = [], [], [], []
        max_symdiff = 0.0
        for i, g in enumerate(ours):
            if not g.IsValid():
                invalid.append(i)
                if len(reasons) < 5:
                    reasons.append(g.ExportToWkt()[:300])
            cands = by_key.get(env_key(g), [])
            area = g.GetArea()
            best = None
            for c in cands:
                if abs(c.GetArea() - area) <= 1e-9 * max(1.0, abs(area)):
                    best = c
                    break
            if best is None:
                if cands:
                    area_mismatch.append(i)
                else:
                    unmatched.append(i)
                continue
            ref = best if best.IsValid() else best.MakeValid()
            d = g.SymDifference(ref)
            sd = d.GetArea() if d is not None else 0.0
            max_symdiff = max(max_symdiff, sd)
        rep["ours"] = {
            "count": len(ours),
            "invalid": invalid,
            "invalid_reasons": reasons,
            "unmatched": unmatched,
            "area_mismatch": area_mismatch,
            "max_symdiff_area": max_symdiff,
            "total_area": sum(g.GetArea() for g in ours),
        }
    print(json.dumps(rep))


if __name__ == "__main__":
    main()
