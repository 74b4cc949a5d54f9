/**
 * Copying decoded blocks into per-band window arrays, and grouping block reads into few requests.
 * Pure functions over typed arrays: the hot path after decoding.
 */
import type { TypedArray } from '../types';

/** A pixel rectangle of an image, in pixels from its top-left corner. */
export interface Window {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Copies the part of one decoded block that falls in `win` into the output bands.
 * @param block decoded samples, `blockWidth * rows * samplesInBlock`, pixel-interleaved.
 * @param x0 image column of the block's first pixel; `y0` likewise for rows.
 * @param targets per output band: index of its sample within the block.
 */
export function copyBlock(
  block: TypedArray,
  blockWidth: number,
  rows: number,
  samplesInBlock: number,
  x0: number,
  y0: number,
  win: Window,
  outputs: TypedArray[],
  targets: { out: number; sample: number }[],
): void {
  const xa = Math.max(win.x, x0);
  const xb = Math.min(win.x + win.width, x0 + blockWidth);
  const ya = Math.max(win.y, y0);
  const yb = Math.min(win.y + win.height, y0 + rows);
  if (xa >= xb || ya >= yb) return;
  const n = xb - xa;
  const src32 = bitsView(block);
  const dsts = targets.map((t) => bitsView(outputs[t.out]));
  // Row by row, then band by band: the block row (blockWidth x samples) stays in cache while every band
  // takes its samples from it (4x faster than band by band over the whole block with 31 bands).
  for (let y = ya; y < yb; y++) {
    const rowStart = ((y - y0) * blockWidth + (xa - x0)) * samplesInBlock;
    const d = (y - win.y) * win.width + (xa - win.x);
    for (let t = 0; t < targets.length; t++) {
      const dst = dsts[t];
      const src = rowStart + targets[t].sample;
      if (samplesInBlock === 1) {
        dst.set(src32.subarray(src, src + n), d);
      } else {
        for (let i = 0, s = src; i < n; i++, s += samplesInBlock) dst[d + i] = src32[s];
      }
    }
  }
}

/**
 * The samples as unsigned integers of the same width (doubles stay doubles: their loads and stores do
 * not convert). Copying float32 through a Float32Array goes float -> double -> float, which may quiet
 * signalling-NaN payloads; integer copies keep every bit, and one array type per width keeps the copy
 * loop monomorphic.
 */
function bitsView(a: TypedArray): Uint8Array | Uint16Array | Uint32Array | Float64Array {
  switch (a.BYTES_PER_ELEMENT) {
    case 1:
      return a instanceof Uint8Array ? a : new Uint8Array(a.buffer, a.byteOffset, a.length);
    case 2:
      return a instanceof Uint16Array ? a : new Uint16Array(a.buffer, a.byteOffset, a.length);
    case 4:
      return a instanceof Uint32Array ? a : new Uint32Array(a.buffer, a.byteOffset, a.length);
    default:
      return a as Float64Array;
  }
}

/** Fills the part of a block's rectangle that falls in `win` with `value` (sparse blocks). */
export function fillBlock(
  value: number,
  blockWidth: number,
  rows: number,
  x0: number,
  y0: number,
  win: Window,
  outputs: TypedArray[],
  outs: number[],
): void {
  const xa = Math.max(win.x, x0);
  const xb = Math.min(win.x + win.width, x0 + blockWidth);
  const ya = Math.max(win.y, y0);
  const yb = Math.min(win.y + win.height, y0 + rows);
  if (xa >= xb || ya >= yb) return;
  for (const out of outs) {
    for (let y = ya; y < yb; y++) {
      const d = (y - win.y) * win.width + (xa - win.x);
      outputs[out].fill(value, d, d + (xb - xa));
    }
  }
}

export interface ByteRange {
  offset: number;
  length: number;
}

/** Blocks closer than this are read as one request (GDAL COG tiles are 8 bytes apart: leader + trailer). */
const GROUP_GAP = 16 * 1024;
/** Largest single request when grouping. */
const GROUP_MAX = 16 * 1024 * 1024;

/** Groups ranges (sorted by offset inside) into requests; each range appears in exactly one group. */
export function groupRanges<T extends ByteRange>(ranges: T[]): { offset: number; length: number; members: T[] }[] {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  const groups: { offset: number; length: number; members: T[] }[] = [];
  for (const r of sorted) {
    const g = groups[groups.length - 1];
    const end = r.offset + r.length;
    if (g && r.offset - (g.offset + g.length) <= GROUP_GAP && r.offset >= g.offset && end - g.offset <= GROUP_MAX) {
      g.length = Math.max(g.length, end - g.offset);
      g.members.push(r);
    } else {
      groups.push({ offset: r.offset, length: r.length, members: [r] });
    }
  }
  return groups;
}
