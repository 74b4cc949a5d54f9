/**
 * Coordinate transformers of the warp, shaped like GDAL's GDALTransformerFunc so the suggested-output and
 * approximation code can follow GDAL's step by step: `transform(dstToSrc, x, y, ok, from, to)` maps points in
 * place and sets ok[i] = 0 where a point has no image (outside the projection's domain: proj4 returns NaN or
 * ±Infinity there).
 *
 * `GeoTransformer` is GDAL's GenImgProj transformer without a destination dataset: source pixel ↔ target CRS.
 * `PixelTransformer` adds the target geotransform: source pixel ↔ target pixel. Reprojection goes through WGS 84
 * lon/lat with raster/geo's projections (skipped when both CRSes are the same code, as GDAL skips it).
 */
import { projectionFor, type Projection } from '../geo/crs';
import { checkGrid, type GdalGeoTransform, type GridInput } from '../geo/grid';

export type { GridInput };

/** A batch coordinate transformer (GDAL's GDALTransformerFunc). */
export interface Transformer {
  /** Maps (x[i], y[i]) for i in [from, to) in place; `dstToSrc` picks the direction. */
  transform(dstToSrc: boolean, x: Float64Array, y: Float64Array, ok: Uint8Array, from: number, to: number): void;
}

/**
 * GDALInvGeoTransform, with its no-rotation special case (kept, because it rounds differently from the general
 * inverse and a nearest-neighbour pick on a pixel edge depends on the last bit).
 */
export function invertGeoTransform(gt: readonly number[]): GdalGeoTransform {
  if (gt[2] === 0 && gt[4] === 0 && gt[1] !== 0 && gt[5] !== 0) {
    return [-gt[0] / gt[1], 1 / gt[1], 0, -gt[3] / gt[5], 0, 1 / gt[5]];
  }
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  const inv = 1 / det;
  return [
    (gt[2] * gt[3] - gt[0] * gt[5]) * inv,
    gt[5] * inv,
    -gt[2] * inv,
    (-gt[1] * gt[3] + gt[0] * gt[4]) * inv,
    -gt[4] * inv,
    gt[1] * inv,
  ];
}

/** Reprojection between two EPSG codes through lon/lat (identity for the same code). */
class Reprojection {
  private readonly src: Projection;
  private readonly dst: Projection;
  readonly identity: boolean;

  constructor(srcEpsg: number, dstEpsg: number) {
    this.src = projectionFor(srcEpsg);
    this.dst = projectionFor(dstEpsg);
    this.identity = srcEpsg === dstEpsg;
  }

  /** src CRS → dst CRS (or back, with inverse). */
  apply(inverse: boolean, x: Float64Array, y: Float64Array, ok: Uint8Array, from: number, to: number): void {
    if (this.identity) return;
    const a = inverse ? this.dst : this.src;
    const b = inverse ? this.src : this.dst;
    for (let i = from; i < to; i++) {
      if (!ok[i]) continue;
      const [lon, lat] = a.toLonLat(x[i], y[i]);
      if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
        ok[i] = 0;
        continue;
      }
      const [u, v] = b.fromLonLat(lon, lat);
      if (!Number.isFinite(u) || !Number.isFinite(v)) {
        ok[i] = 0;
        continue;
      }
      x[i] = u;
      y[i] = v;
    }
  }
}

function applyGt(gt: readonly number[], x: Float64Array, y: Float64Array, ok: Uint8Array, from: number, to: number): void {
  const [a, b, c, d, e, f] = gt;
  for (let i = from; i < to; i++) {
    if (!ok[i]) continue;
    const px = x[i];
    const py = y[i];
    x[i] = a + px * b + py * c;
    y[i] = d + px * e + py * f;
  }
}

/** Source pixel/line ↔ target CRS coordinates. */
export class GeoTransformer implements Transformer {
  private readonly srcGt: GdalGeoTransform;
  private readonly srcInv: GdalGeoTransform;
  private readonly reprojection: Reprojection;

  /** @throws UnknownCrsError, GeoInputError (bad source grid). */
  constructor(src: GridInput, dstEpsg: number) {
    this.srcGt = checkGrid('warp source', src);
    this.srcInv = invertGeoTransform(this.srcGt);
    this.reprojection = new Reprojection(src.epsg, dstEpsg);
  }

  transform(dstToSrc: boolean, x: Float64Array, y: Float64Array, ok: Uint8Array, from: number, to: number): void {
    if (dstToSrc) {
      this.reprojection.apply(true, x, y, ok, from, to);
      applyGt(this.srcInv, x, y, ok, from, to);
    } else {
      applyGt(this.srcGt, x, y, ok, from, to);
      this.reprojection.apply(false, x, y, ok, from, to);
    }
  }
}

/** Source pixel/line ↔ target pixel/line. */
export class PixelTransformer implements Transformer {
  private readonly geo: GeoTransformer;
  private readonly dstGt: GdalGeoTransform;
  private readonly dstInv: GdalGeoTransform;

  constructor(src: GridInput, dst: GridInput) {
    this.geo = new GeoTransformer(src, dst.epsg);
    this.dstGt = checkGrid('warp target', dst);
    this.dstInv = invertGeoTransform(this.dstGt);
  }

  transform(dstToSrc: boolean, x: Float64Array, y: Float64Array, ok: Uint8Array, from: number, to: number): void {
    if (dstToSrc) {
      applyGt(this.dstGt, x, y, ok, from, to);
      this.geo.transform(true, x, y, ok, from, to);
    } else {
      this.geo.transform(false, x, y, ok, from, to);
      applyGt(this.dstInv, x, y, ok, from, to);
    }
  }
}
