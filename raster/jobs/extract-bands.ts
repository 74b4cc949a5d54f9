import { decodeBlock, type BlockCodec } from '../compression/decode-block';

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
 * averages all see one nodata marker. Each block is decoded once, whatever the number of bands.
 */
export function extractBands(
  codec: BlockCodec,
  blocks: BlockPayload[],
  window: PixelWindow,
  tileSizePx: number,
  bandIndices: number[],
  nodata: number | null = null,
): Float32Array[] {
  const out = bandIndices.map(() => new Float32Array(tileSizePx * tileSizePx).fill(NaN));
  const spp = codec.samplesPerPixel;
  for (const block of blocks) {
    const samples = decodeBlock(codec, block.bytes, block.rows);
    const x0 = Math.max(window.x, block.x);
    const x1 = Math.min(window.x + window.width, block.x + codec.blockWidth);
    const y0 = Math.max(window.y, block.y);
    const y1 = Math.min(window.y + window.height, block.y + block.rows);
    if (x0 >= x1 || y0 >= y1) continue;
    for (let b = 0; b < bandIndices.length; b++) {
      const band = bandIndices[b];
      let sample: number;
      if (spp === 1) {
        // Planar file: a block holds one band only.
        if (block.plane !== band) continue;
        sample = 0;
      } else {
        sample = band;
      }
      const dst = out[b];
      for (let y = y0; y < y1; y++) {
        let src = ((y - block.y) * codec.blockWidth + (x0 - block.x)) * spp + sample;
        let d = (y - window.y) * tileSizePx + (x0 - window.x);
        if (nodata === null || Number.isNaN(nodata)) {
          for (let x = x0; x < x1; x++, src += spp, d++) dst[d] = samples[src];
        } else {
          for (let x = x0; x < x1; x++, src += spp, d++) {
            const v = samples[src];
            dst[d] = v === nodata ? NaN : v;
          }
        }
      }
    }
  }
  return out;
}
