/**
 * Pixel-space polygons → map features: rings mapped through the raster's geotransform into its CRS, oriented
 * the OGC / RFC 7946 way (exterior counter-clockwise, holes clockwise, x east and y north), with the
 * statistics a polygon record carries.
 */
import { checkGrid, type GridInput } from '../geo/grid';
import { pixelAreasM2 } from '../geo/pixel-area';
import { VectorInputError } from './errors';
import { Polygonizer, type PixelPolygon } from './polygonize';

/**
 * What a polygon stands for: `water`, `bloom`, or the name of a custom mask product (`--index 'turbid=NDTI > 0.1'`
 * gives `turbid`), so a custom mask's records say which mask they outline.
 */
export type VectorClass = 'water' | 'bloom' | (string & {});

/** One polygon record in the raster's CRS. */
export interface VectorFeature {
  /** 0-based, in the order the sweep finished the regions (stable for a given mask). */
  id: number;
  /**
   * Polygons, each `[exterior, ...holes]`; a ring is a flat `[x0, y0, x1, y1, …]` of CRS coordinates, not closed,
   * exterior counter-clockwise and holes clockwise. One polygon is a Polygon, several a MultiPolygon (regions
   * joined only at corners under 8-connectivity).
   */
  polygons: Float64Array[][];
  /** Pixels of the region. */
  pixelCount: number;
  /** Ground area: planar in a projected CRS, on the WGS 84 ellipsoid for EPSG:4326 (exact per-pixel sum). @format m² */
  areaM2: number;
  /** Mean of the value raster (e.g. NDCI) over the region's non-NaN samples; null without values. */
  mean: number | null;
  /** Max of the value raster over the region; null without values. */
  max: number | null;
  /** [xmin, ymin, xmax, ymax] of the rings, CRS units. */
  bbox: [number, number, number, number];
}

/**
 * Maps one pixel polygon into the CRS of `gt` (GDAL order). An affine map with a negative determinant (every
 * north-up raster) mirrors the rings, so they are reversed to keep exteriors counter-clockwise.
 */
export function pixelPolygonToFeature(p: PixelPolygon, gt: readonly number[], id: number): VectorFeature {
  const [a, b, c, d, e, f] = gt;
  const flip = b * f - c * e < 0;
  let xmin = Infinity;
  let ymin = Infinity;
  let xmax = -Infinity;
  let ymax = -Infinity;
  const polygons = p.parts.map((rings) =>
    rings.map((ring) => {
      const n = ring.length >> 1;
      const out = new Float64Array(ring.length);
      for (let i = 0; i < n; i++) {
        // Reversing keeps the first vertex first: 0, n-1, n-2, …, 1.
        const src = flip ? (i === 0 ? 0 : n - i) : i;
        const px = ring[2 * src];
        const py = ring[2 * src + 1];
        const x = a + px * b + py * c;
        const y = d + px * e + py * f;
        out[2 * i] = x;
        out[2 * i + 1] = y;
        if (x < xmin) xmin = x;
        if (x > xmax) xmax = x;
        if (y < ymin) ymin = y;
        if (y > ymax) ymax = y;
      }
      return out;
    }),
  );
  return {
    id,
    polygons,
    pixelCount: p.pixelCount,
    areaM2: p.areaM2,
    mean: p.valueCount > 0 ? p.valueSum / p.valueCount : null,
    max: p.valueCount > 0 ? p.valueMax : null,
    bbox: [xmin, ymin, xmax, ymax],
  };
}

export interface VectorizeOptions {
  /** The mask's grid (EPSG code, geotransform, size). */
  grid: GridInput;
  /** @default 4 */
  connectivity?: 4 | 8;
  /** @default 1 */
  value?: number;
  /** Drop regions smaller than this. @default 0 @format m² */
  minAreaM2?: number;
}

/**
 * A streaming mask → features pipeline: a Polygonizer fed by `pushRows`, areas from raster/geo's exact
 * per-row pixel areas, features mapped to the grid's CRS as they finish.
 * @throws UnknownCrsError for an EPSG code raster/geo has no definition for; GeoInputError for a bad grid;
 *   VectorInputError as the Polygonizer does.
 */
export class MaskVectorizer {
  readonly features: VectorFeature[] = [];
  private readonly polygonizer: Polygonizer;

  constructor(opts: VectorizeOptions) {
    const gt = checkGrid('vectorize', opts.grid);
    const rowAreasM2 = pixelAreasM2(opts.grid);
    if (opts.minAreaM2 !== undefined && !(opts.minAreaM2 >= 0)) {
      throw new VectorInputError('vectorize', `minAreaM2 ${opts.minAreaM2} is not a number >= 0`);
    }
    this.polygonizer = new Polygonizer({
      width: opts.grid.width,
      height: opts.grid.height,
      connectivity: opts.connectivity,
      value: opts.value,
      rowAreasM2,
      minAreaM2: opts.minAreaM2,
      onPolygon: (p) => this.features.push(pixelPolygonToFeature(p, gt, this.features.length)),
    });
  }

  /** See Polygonizer.pushRows. */
  pushRows(mask: Uint8Array, rows: number, values?: Float32Array): void {
    this.polygonizer.pushRows(mask, rows, values);
  }

  /** Emits the last regions and returns every feature. */
  finish(): VectorFeature[] {
    this.polygonizer.finish();
    return this.features;
  }
}

/** The features of a whole mask at once (see {@link MaskVectorizer}). */
export function vectorizeMask(mask: Uint8Array, opts: VectorizeOptions & { values?: Float32Array }): VectorFeature[] {
  const v = new MaskVectorizer(opts);
  v.pushRows(mask, opts.grid.height, opts.values);
  return v.finish();
}
