import { decodeBlockSamples, type BlockCodec, type SampleView } from '../compression/decode-block';

/** One compressed input block and where it sits in the image. */
export interface BlockPayload {
  bytes: Uint8Array;
  /** Top-left pixel of the block in the image. */
  x: number;
  y: number;
  /** Rows present in the block's stream (a short last strip has fewer than blockHeight). */
  rows: number;
  /** Band plane for planar files; 0 for pixel-interleaved. */
  plane: number;
}

export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Decodes the blocks that cover `window` and copies the wanted bands into one Float32Array per band, each
 * `tileSizePx²` long, row-major, with the window at the top-left. Pixels outside the window (padding of edge
 * tiles) and pixels equal to the input's `nodata` value become NaN too, so kernels, statistics and preview
 * averages all see one nodata marker. Each block is decoded once, whatever the number of bands. A band that one
 * block fills entirely (tile = block, the usual layout) is not copied: the decoded plane becomes the band's array.
 */
export function extractBands(
  codec: BlockCodec,
  blocks: BlockPayload[],
  window: PixelWindow,
  tileSizePx: number,
  bandIndices: number[],
  nodata: number | null = null,
): Float32Array[] {
  const n = tileSizePx * tileSizePx;
  const out: Array<Float32Array | undefined> = bandIndices.map(() => undefined);
  const planar = codec.samplesPerPixel === 1;
  const mapNodata = nodata !== null && !Number.isNaN(nodata);
  for (const block of blocks) {
    const x0 = Math.max(window.x, block.x);
    const x1 = Math.min(window.x + window.width, block.x + codec.blockWidth);
    const y0 = Math.max(window.y, block.y);
    const y1 = Math.min(window.y + window.height, block.y + block.rows);
    if (x0 >= x1 || y0 >= y1) continue;
    // Output slots this block fills: every wanted band of a pixel-interleaved block, the block's own band of a
    // planar one.
    const slots = bandIndices.map((_, b) => b).filter((b) => !planar || bandIndices[b] === block.plane);
    if (slots.length === 0) continue;
    const views = decodeBlockSamples(codec, block.bytes, slots.map((b) => (planar ? 0 : bandIndices[b])), block.rows);
    const whole = block.x === window.x && block.y === window.y && codec.blockWidth === tileSizePx && block.rows === tileSizePx && window.width === tileSizePx && window.height === tileSizePx;
    slots.forEach((b, k) => {
      const view = views[k];
      if (whole && out[b] === undefined && view.own && view.values instanceof Float32Array && view.values.length === n) {
        out[b] = view.values;
        if (mapNodata) toNaN(view.values, nodata);
        return;
      }
      copyWindow(view, codec.blockWidth, block, (out[b] ??= new Float32Array(n).fill(NaN)), tileSizePx, window, x0, x1, y0, y1, nodata);
    });
  }
  return out.map((a) => a ?? new Float32Array(n).fill(NaN));
}

/** Replaces `nodata` by NaN in place. */
function toNaN(a: Float32Array, nodata: number): void {
  for (let i = 0; i < a.length; i++) if (a[i] === nodata) a[i] = NaN;
}

/** Copies the part [x0,x1) x [y0,y1) of one band of a block into the tile, nodata becoming NaN. */
function copyWindow(
  view: SampleView,
  blockWidth: number,
  block: BlockPayload,
  dst: Float32Array,
  tileSizePx: number,
  window: PixelWindow,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
  nodata: number | null,
): void {
  const { values, offset, stride } = view;
  const mapNodata = nodata !== null && !Number.isNaN(nodata);
  for (let y = y0; y < y1; y++) {
    let src = offset + ((y - block.y) * blockWidth + (x0 - block.x)) * stride;
    let d = (y - window.y) * tileSizePx + (x0 - window.x);
    if (!mapNodata) {
      for (let x = x0; x < x1; x++, src += stride) dst[d++] = values[src];
    } else {
      for (let x = x0; x < x1; x++, src += stride) {
        const v = values[src];
        dst[d++] = v === nodata ? NaN : v;
      }
    }
  }
}

