/**
 * Raster mask → polygons with holes, in one pass over the rows, as `gdal_polygonize.py` draws the regions of
 * one value (with `-8` for 8-connectivity).
 *
 * Each row is cut into runs of the chosen value. Runs are labelled by union-find against the runs of the row
 * above (4-connectivity: they share a column; 8-connectivity: they also touch at a corner). Between two rows
 * the sweep walks the run boundaries of both, left to right: each is a vertex where boundary edges turn, start
 * or end, and open boundary chains are extended, started or joined there (chain.ts). A chain whose ends meet
 * is a ring. Once a row holds no pixel of a region, every ring of it is closed, and the region is emitted
 * and forgotten. Work is linear in pixels plus vertices (chains are joined smaller-into-larger), and memory is
 * a few rows of runs plus the rings of regions still open, so the rows may come in bands of any height (the
 * tile rows of a COG): the sweep never sees tile seams.
 *
 * Rings keep a part's pixels on their right (y pointing down), so exteriors come out with positive shoelace
 * area in pixel space and holes negative. At a pinch corner (two diagonal pixels of the value, two not) the
 * chains turn around the value's pixels; where both diagonal pixels belong to the same part, its ring passes
 * the corner twice and is split there into exterior and hole, each simple (rings.ts), as OGC validity wants.
 *
 * 8-connectivity, measured against GDAL 3.6: `gdal_polygonize.py -8` makes one feature of pixels joined only at
 * corners, as one Polygon whose ring touches itself there, which OGR's IsValid() rejects ("Ring
 * Self-intersection", "Interior is disconnected"). Here such a feature is a MultiPolygon of its 4-connected
 * parts: the same pixels, the same area, the same feature count, and valid.
 */
import { join, resolve, type Chain } from './chain';
import { Feature, findFeature, findPart, Part, unionFeatures, unionParts } from './components';
import { VectorInputError } from './errors';
import { ringSignedArea, splitAtRepeatedVertices } from './rings';
import { RunScanner } from './runs';
import { RowRuns, sweepLine } from './sweep';

/** One polygon record (a connected region of the value) in pixel space, with its statistics. */
export interface PixelPolygon {
  /**
   * The 4-connected parts of the region (one with 4-connectivity; one or more with 8-connectivity), each
   * `[exterior, ...holes]`. A ring is a flat list `[x0, y0, x1, y1, …]` of pixel-corner coordinates (0..width,
   * 0..height, y down), not closed, one vertex per corner (no collinear vertices). Exteriors have positive
   * shoelace area in pixel space, holes negative (see {@link ringSignedArea}).
   */
  parts: number[][][];
  /** Pixels of the region. */
  pixelCount: number;
  /** Σ of `rowAreasM2[row]` over the region's pixels; NaN when no row areas were given. @format m² */
  areaM2: number;
  /** Pixels whose value raster sample is not NaN. */
  valueCount: number;
  /** Sum of those samples (0 when there are none). */
  valueSum: number;
  /** Largest of those samples; NaN when there are none. */
  valueMax: number;
}

export interface PolygonizeOptions {
  width: number;
  height: number;
  /** @default 4 */
  connectivity?: 4 | 8;
  /** Mask value whose regions are traced (gdal_polygonize traces every value; this one only). @default 1 */
  value?: number;
  /** Area of one pixel of each row (raster/geo `pixelAreasM2`), length `height`. @format m² */
  rowAreasM2?: ArrayLike<number>;
  /** Regions whose `areaM2` is below this are dropped (needs `rowAreasM2`). @default 0 @format m² */
  minAreaM2?: number;
  /** Receives each region as soon as the sweep has passed its last row. */
  onPolygon: (polygon: PixelPolygon) => void;
}

const SUBJECT = 'polygonize';

/**
 * Streaming polygonizer: push the mask's rows in order, in bands of any height, then call `finish()`.
 *
 * @example
 *   const out: PixelPolygon[] = [];
 *   const p = new Polygonizer({ width, height, onPolygon: (poly) => out.push(poly) });
 *   for (const band of tileRows) p.pushRows(band.mask, band.rows, band.ndci);
 *   p.finish();
 */
export class Polygonizer {
  private readonly width: number;
  private readonly height: number;
  private readonly eight: boolean;
  private readonly value: number;
  private readonly rowAreas: ArrayLike<number> | undefined;
  private readonly minArea: number;
  private readonly emit: (p: PixelPolygon) => void;
  private y = 0;
  private finished = false;
  // Runs of the row above (prev) and of the row being added (cur).
  private prev: RowRuns;
  private cur: RowRuns;
  private readonly scanner = new RunScanner();

  /** @throws VectorInputError for a size that is not whole positive pixels, a bad connectivity or minimum area. */
  constructor(opts: PolygonizeOptions) {
    const { width, height } = opts;
    if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
      throw new VectorInputError(SUBJECT, `size ${width} x ${height} is not whole, positive pixels`);
    }
    const connectivity = opts.connectivity ?? 4;
    if (connectivity !== 4 && connectivity !== 8) throw new VectorInputError(SUBJECT, `connectivity ${String(connectivity)} is not 4 or 8`);
    if (opts.rowAreasM2 !== undefined && opts.rowAreasM2.length !== height) {
      throw new VectorInputError(SUBJECT, `${opts.rowAreasM2.length} row areas for ${height} rows`);
    }
    const value = opts.value ?? 1;
    if (!Number.isInteger(value) || value < 0 || value > 255) throw new VectorInputError(SUBJECT, `value ${value} is not a byte (0..255)`);
    const minArea = opts.minAreaM2 ?? 0;
    if (!(minArea >= 0)) throw new VectorInputError(SUBJECT, `minAreaM2 ${minArea} is not a number >= 0`);
    if (minArea > 0 && opts.rowAreasM2 === undefined) throw new VectorInputError(SUBJECT, `minAreaM2 ${minArea} needs rowAreasM2`);
    this.width = width;
    this.height = height;
    this.eight = connectivity === 8;
    this.value = value;
    this.rowAreas = opts.rowAreasM2;
    this.minArea = minArea;
    this.emit = opts.onPolygon;
    this.prev = new RowRuns(width);
    this.cur = new RowRuns(width);
  }

  /** Rows added so far. */
  get rowsDone(): number {
    return this.y;
  }

  /**
   * Adds the next `rows` rows: `mask` holds them row-major, `width` samples each (a longer buffer is fine, as
   * is a subarray); `values` (optional, same layout) is the raster whose mean and max are reported per region.
   * @throws VectorInputError when a buffer is too short, rows pass the declared height, or after finish().
   */
  pushRows(mask: Uint8Array, rows: number, values?: Float32Array): void {
    if (this.finished) throw new VectorInputError(SUBJECT, 'rows pushed after finish()');
    if (!Number.isInteger(rows) || rows < 0 || this.y + rows > this.height) {
      throw new VectorInputError(SUBJECT, `${rows} rows at row ${this.y} pass the height ${this.height}`);
    }
    const need = rows * this.width;
    if (mask.length < need) throw new VectorInputError(SUBJECT, `mask has ${mask.length} samples for ${rows} rows of ${this.width}`);
    if (values !== undefined && values.length < need) {
      throw new VectorInputError(SUBJECT, `values have ${values.length} samples for ${rows} rows of ${this.width}`);
    }
    for (let r = 0; r < rows; r++) {
      this.cur.count = this.scanner.scan(mask, r * this.width, this.width, this.value, this.cur.starts, this.cur.ends);
      this.labelRuns(values, r * this.width);
      sweepLine(this.prev, this.cur, this.y, this.close);
      this.closeFinished();
      this.swap();
      this.y++;
    }
  }

  /**
   * Closes the bottom edge and emits the regions still open.
   * @throws VectorInputError when fewer rows than the height were pushed.
   */
  finish(): void {
    if (this.finished) return;
    if (this.y !== this.height) throw new VectorInputError(SUBJECT, `finish() after ${this.y} of ${this.height} rows`);
    this.cur.count = 0;
    sweepLine(this.prev, this.cur, this.y, this.close);
    this.closeFinished();
    this.finished = true;
    this.prev = this.cur = new RowRuns(1);
  }

  /** Gives each run of the new row its part (joining the parts above it) and adds its pixels to the feature. */
  private labelRuns(values: Float32Array | undefined, offset: number): void {
    const { starts: prevStarts, ends: prevEnds, parts: prevParts, count: prevCount } = this.prev;
    const { starts: curStarts, ends: curEnds, parts: curParts } = this.cur;
    const eight = this.eight;
    const rowArea = this.rowAreas === undefined ? NaN : this.rowAreas[this.y];
    let k0 = 0;
    for (let j = 0; j < this.cur.count; j++) {
      const cs = curStarts[j];
      const ce = curEnds[j];
      // Runs above that end before this one starts (or, with 8-connectivity, before its left corner).
      while (k0 < prevCount && (eight ? prevEnds[k0] < cs : prevEnds[k0] <= cs)) k0++;
      let part: Part | null = null;
      let diagonalLeft = -1;
      let diagonalRight = -1;
      for (let k = k0; k < prevCount && (eight ? prevStarts[k] <= ce : prevStarts[k] < ce); k++) {
        if (prevStarts[k] < ce && cs < prevEnds[k]) {
          part = part === null ? findPart(prevParts[k]) : unionParts(part, prevParts[k]);
        } else if (prevEnds[k] === cs) {
          diagonalLeft = k;
        } else {
          diagonalRight = k;
        }
      }
      if (part === null) part = new Part(new Feature());
      if (diagonalLeft >= 0) part.feature = unionFeatures(part.feature, findPart(prevParts[diagonalLeft]).feature);
      if (diagonalRight >= 0) part.feature = unionFeatures(part.feature, findPart(prevParts[diagonalRight]).feature);
      curParts[j] = part;
      const f = findFeature(part.feature);
      const len = ce - cs;
      f.pixelCount += len;
      f.areaM2 += len * rowArea;
      if (values !== undefined) {
        let count = 0;
        let sum = 0;
        let max = f.valueMax;
        for (let i = offset + cs, e = offset + ce; i < e; i++) {
          const v = values[i];
          if (v === v) {
            count++;
            sum += v;
            if (v > max) max = v;
          }
        }
        f.valueCount += count;
        f.valueSum += sum;
        f.valueMax = max;
      }
    }
  }

  /** Joins two chain ends at (x, y); a closed ring goes to its part, split at corners it passes twice. */
  private readonly close = (tail: Chain, head: Chain, x: number, y: number): void => {
    const owner = resolve(tail).owner;
    const pinch = resolve(tail).pinch;
    const ring = join(tail, head, x, y);
    if (ring === null) return;
    const part = findPart(owner);
    if (pinch) {
      for (const piece of splitAtRepeatedVertices(ring, this.width + 1)) part.rings.push(piece);
    } else {
      part.rings.push(ring);
    }
  };

  /** Finishes the parts and features of the row above that the new row did not reach. */
  private closeFinished(): void {
    const y = this.y;
    const prevParts = this.prev.parts;
    const curParts = this.cur.parts;
    const prevCount = this.prev.count;
    for (let j = 0; j < this.cur.count; j++) {
      const p = findPart(curParts[j]);
      p.seenRow = y;
      findFeature(p.feature).seenRow = y;
    }
    for (let k = 0; k < prevCount; k++) {
      const p = findPart(prevParts[k]);
      if (p.seenRow === y || p.done) continue;
      p.done = true;
      findFeature(p.feature).parts.push(orderRings(p.rings));
      p.rings = [];
    }
    for (let k = 0; k < prevCount; k++) {
      const f = findFeature(findPart(prevParts[k]).feature);
      if (f.seenRow === y || f.done) continue;
      f.done = true;
      if (f.areaM2 < this.minArea) continue;
      this.emit({
        parts: f.parts,
        pixelCount: f.pixelCount,
        areaM2: f.areaM2,
        valueCount: f.valueCount,
        valueSum: f.valueSum,
        valueMax: f.valueCount > 0 ? f.valueMax : NaN,
      });
      f.parts = [];
    }
  }

  private swap(): void {
    [this.prev, this.cur] = [this.cur, this.prev];
  }
}

/** The exterior (the one ring of positive area) first, then the holes. */
function orderRings(rings: number[][]): number[][] {
  const out: number[][] = [];
  let exterior: number[] | undefined;
  for (const r of rings) {
    if (exterior === undefined && ringSignedArea(r) > 0) exterior = r;
    else out.push(r);
  }
  if (exterior === undefined) throw new Error('polygonize: a part without an exterior ring');
  out.unshift(exterior);
  return out;
}

/**
 * The regions of `value` in a whole mask (width × height, row-major) at once; see {@link Polygonizer}.
 * @throws VectorInputError as Polygonizer does.
 */
export function polygonizeMask(mask: Uint8Array, opts: Omit<PolygonizeOptions, 'onPolygon'> & { values?: Float32Array }): PixelPolygon[] {
  const out: PixelPolygon[] = [];
  const p = new Polygonizer({ ...opts, onPolygon: (poly) => out.push(poly) });
  p.pushRows(mask, opts.height, opts.values);
  p.finish();
  return out;
}
