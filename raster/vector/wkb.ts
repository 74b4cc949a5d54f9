/**
 * ISO/OGC Well-Known Binary of polygon features (Simple Features 1.2.1 §8.2): little-endian, 2D, Polygon
 * (type 3) or MultiPolygon (type 6), every ring closed by repeating its first point.
 */
import type { VectorFeature } from './features';

const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;

/** The OGC geometry type name of a feature: Polygon for one polygon, MultiPolygon for more. */
export function geometryType(f: VectorFeature): 'Polygon' | 'MultiPolygon' {
  return f.polygons.length === 1 ? 'Polygon' : 'MultiPolygon';
}

function polygonBytes(rings: Float64Array[]): number {
  let n = 1 + 4 + 4;
  for (const r of rings) n += 4 + (r.length + 2) * 8;
  return n;
}

/** WKB of the feature's geometry. */
export function featureToWkb(f: VectorFeature): Uint8Array {
  const multi = f.polygons.length !== 1;
  let size = multi ? 1 + 4 + 4 : 0;
  for (const p of f.polygons) size += polygonBytes(p);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let o = 0;
  if (multi) {
    view.setUint8(o, 1);
    view.setUint32(o + 1, WKB_MULTIPOLYGON, true);
    view.setUint32(o + 5, f.polygons.length, true);
    o += 9;
  }
  for (const rings of f.polygons) {
    view.setUint8(o, 1);
    view.setUint32(o + 1, WKB_POLYGON, true);
    view.setUint32(o + 5, rings.length, true);
    o += 9;
    for (const r of rings) {
      const points = r.length >> 1;
      view.setUint32(o, points + 1, true);
      o += 4;
      for (let i = 0; i < r.length; i++, o += 8) view.setFloat64(o, r[i], true);
      view.setFloat64(o, r[0], true);
      view.setFloat64(o + 8, r[1], true);
      o += 16;
    }
  }
  return bytes;
}
