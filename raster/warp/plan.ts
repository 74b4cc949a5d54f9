/**
 * Tiles of a warp: the target grid cut into square tiles (512 px, the COG block size) and, for each, the source
 * window its pixels sample, so a worker thread can warp one tile from one window read.
 *
 * The window is the bounding box of the source positions of the tile's pixel centres (every 8th pixel of the
 * tile's border, its corners, and a 32-px grid inside, exact transforms), widened by one pixel for the
 * approximate transformer's error (≤ 0.125 px) and the sampling (the map is smooth at the scale of 8 px) and one
 * more for the bilinear neighbours, and clipped to the source. The tests check that no tile needs a sample
 * outside its window.
 */
import type { GridInput } from '../geo/grid';
import { WarpInputError } from './errors';
import type { PixelWindow, WarpMethod } from './kernel';
import type { WarpGrid } from './suggested-output';
import { PixelTransformer } from './transformer';

export interface WarpTilePlan {
  /** Tile column and row in the target's tile grid. */
  col: number;
  row: number;
  /** Target pixels of the tile (edge tiles are cut at the grid's edge). */
  tile: PixelWindow;
  /** Source pixels to read for it, or null when the tile misses the source entirely (all nodata). */
  source: PixelWindow | null;
}

export interface WarpPlanOptions {
  /** @default 512 */
  tileSizePx?: number;
  method: WarpMethod;
}

const EDGE_STEP_PX = 8;
const INTERIOR_STEP_PX = 32;

/**
 * The tiles of `dst`, row-major, with their source windows.
 * @throws WarpInputError for a tile size that is not a positive whole number; UnknownCrsError, GeoInputError for
 *   bad grids.
 */
export function planWarpTiles(src: GridInput, dst: WarpGrid, opts: WarpPlanOptions): WarpTilePlan[] {
  const size = opts.tileSizePx ?? 512;
  if (!Number.isInteger(size) || size < 1) throw new WarpInputError('warp plan', `tile size ${size} is not a positive whole number`);
  const t = new PixelTransformer(src, dst);
  const margin = opts.method === 'bilinear' ? 2 : 1;
  const out: WarpTilePlan[] = [];
  const across = Math.ceil(dst.width / size);
  const down = Math.ceil(dst.height / size);
  for (let row = 0; row < down; row++) {
    for (let col = 0; col < across; col++) {
      const tile = { x: col * size, y: row * size, width: Math.min(size, dst.width - col * size), height: Math.min(size, dst.height - row * size) };
      out.push({ col, row, tile, source: sourceWindow(t, tile, src, margin) });
    }
  }
  return out;
}

function sourceWindow(t: PixelTransformer, tile: PixelWindow, src: GridInput, margin: number): PixelWindow | null {
  const xs: number[] = [];
  const ys: number[] = [];
  const push = (c: number, r: number): void => {
    xs.push(tile.x + c + 0.5);
    ys.push(tile.y + r + 0.5);
  };
  const w = tile.width;
  const h = tile.height;
  const along = (n: number): number[] => {
    const at: number[] = [];
    for (let k = 0; k < n - 1; k += EDGE_STEP_PX) at.push(k);
    at.push(n - 1);
    return at;
  };
  for (const c of along(w)) {
    push(c, 0);
    push(c, h - 1);
  }
  for (const r of along(h)) {
    push(0, r);
    push(w - 1, r);
  }
  for (let r = INTERIOR_STEP_PX; r < h - 1; r += INTERIOR_STEP_PX) for (let c = INTERIOR_STEP_PX; c < w - 1; c += INTERIOR_STEP_PX) push(c, r);
  const x = Float64Array.from(xs);
  const y = Float64Array.from(ys);
  const ok = new Uint8Array(x.length).fill(1);
  t.transform(true, x, y, ok, 0, x.length);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (!ok[i]) continue;
    if (x[i] < minX) minX = x[i];
    if (x[i] > maxX) maxX = x[i];
    if (y[i] < minY) minY = y[i];
    if (y[i] > maxY) maxY = y[i];
  }
  if (minX > maxX) return null;
  const x0 = Math.max(0, Math.floor(minX) - margin);
  const y0 = Math.max(0, Math.floor(minY) - margin);
  const x1 = Math.min(src.width, Math.floor(maxX) + 1 + margin);
  const y1 = Math.min(src.height, Math.floor(maxY) + 1 + margin);
  if (x0 >= x1 || y0 >= y1) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** One row of target tiles and the source window they sample together. */
export interface WarpTileRowPlan {
  row: number;
  tiles: WarpTilePlan[];
  /** The union of the tiles' source windows, or null when the whole row misses the source. */
  source: PixelWindow | null;
}

/**
 * Groups tiles by tile row with the union of their source windows, so a worker reads one band of source rows
 * per row of target tiles (source tiles are decoded once, not once per target tile that touches them) and
 * warps each tile from a view into it (SourceWindow stride and offset).
 */
export function groupTileRows(plans: WarpTilePlan[]): WarpTileRowPlan[] {
  const rows = new Map<number, WarpTileRowPlan>();
  for (const p of plans) {
    let r = rows.get(p.row);
    if (r === undefined) rows.set(p.row, (r = { row: p.row, tiles: [], source: null }));
    r.tiles.push(p);
    const s = p.source;
    if (s === null) continue;
    if (r.source === null) r.source = { ...s };
    else {
      const x0 = Math.min(r.source.x, s.x);
      const y0 = Math.min(r.source.y, s.y);
      const x1 = Math.max(r.source.x + r.source.width, s.x + s.width);
      const y1 = Math.max(r.source.y + r.source.height, s.y + s.height);
      r.source = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    }
  }
  return [...rows.values()].sort((a, b) => a.row - b.row);
}
