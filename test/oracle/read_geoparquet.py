"""Reads a GeoParquet file with geopandas (pyarrow + shapely + pyproj), as a user of Tessera's vectors would.

Usage: read_geoparquet.py <file.parquet> <wkb-out>
Prints {"count", "epsg", "crs_name", "columns" (the GeoDataFrame's), "file_columns" (the Parquet schema's), "geometry_types", "invalid", "geo_version", "covering",
        "area_m2", "pixel_count", "mean", "max", "class", "scene_id", "datetime"}   (per-row lists in file order)
and writes every geometry to <wkb-out> as a uint32 LE length followed by ISO WKB (what vector_reference.py reads).
"invalid" counts geometries shapely finds invalid (GEOS IsValid).

Run with the project venv's python (infra/install-tools.sh installs geopandas there). Test-only.
"""
import json
import struct
import sys

import geopandas
import pyarrow.parquet as pq


def main():
    path, wkb_out = sys.argv[1], sys.argv[2]
    gdf = geopandas.read_parquet(path)
    geo = json.loads(pq.read_metadata(path).metadata[b"geo"])
    with open(wkb_out, "wb") as fh:
        for g in gdf.geometry:
            b = g.wkb
            fh.write(struct.pack("<I", len(b)))
            fh.write(b)

    def floats(col):
        return [None if v != v else float(v) for v in gdf[col]]

    print(json.dumps({
        "count": len(gdf),
        "epsg": gdf.crs.to_epsg() if gdf.crs is not None else None,
        "crs_name": gdf.crs.name if gdf.crs is not None else None,
        "columns": list(gdf.columns),
        "file_columns": pq.read_schema(path).names,
        "geometry_types": sorted(set(gdf.geom_type)),
        "invalid": int((~gdf.is_valid).sum()),
        "geo_version": geo.get("version"),
        "covering": geo["columns"]["geometry"].get("covering"),
        "area_m2": floats("area_m2"),
        "pixel_count": [int(v) for v in gdf["pixel_count"]],
        "mean": floats("mean"),
        "max": floats("max"),
        "class": sorted(set(gdf["class"])),
        "scene_id": sorted(set(gdf["scene_id"])),
        "datetime": sorted({v.isoformat() for v in gdf["datetime"]}),
    }))


if __name__ == "__main__":
    main()
