/**
 * The source side of warpCog: the product COG's rows, read once per row of target tiles (raster/warp SourceBand:
 * each source block is decoded once), and each target tile's window cut out of them as a compact array of its
 * own, so it can be transferred to a worker thread while the next tiles are cut from the same rows.
 */
import type { TiffImage } from '../raster/tiff/image';
import type { WarpTileRowPlan } from '../raster/warp/plan';
import type { PixelWindow } from '../raster/warp/kernel';
import { SourceBand, type BlockRowReader } from '../raster/warp/source-band';
import { WarpInputError } from '../raster/warp/errors';

export class WarpSource {
  private readonly band: SourceBand;
  private rowWindow: { row: number; view: Promise<Awaited<ReturnType<SourceBand['window']>>> } | null = null;

  constructor(image: TiffImage, signal?: AbortSignal) {
    this.band = new SourceBand(widened(image), signal);
  }

  /** Block rows read so far. */
  get blockRowsRead(): number {
    return this.band.blockRowsRead;
  }

  /**
   * The compact pixels of `win`, a tile's window inside `row`'s window. Calls must come in tile-row order (the
   * band slides down the source); tiles of one row share one read.
   */
  async cut(row: WarpTileRowPlan, win: PixelWindow): Promise<Float32Array | Uint8Array> {
    if (row.source === null) throw new WarpInputError('warp source', `tile row ${row.row} has no source window, but a tile of it has one`);
    if (this.rowWindow?.row !== row.row) this.rowWindow = { row: row.row, view: this.band.window(row.source) };
    const view = await this.rowWindow.view;
    const stride = view.stride ?? view.width;
    const base = (view.offset ?? 0) + (win.y - view.y) * stride + (win.x - view.x);
    const out = view.pixels instanceof Uint8Array ? new Uint8Array(win.width * win.height) : new Float32Array(win.width * win.height);
    for (let r = 0; r < win.height; r++) out.set(view.pixels.subarray(base + r * stride, base + r * stride + win.width), r * win.width);
    return out;
  }
}

/**
 * The image as SourceBand reads it: an int16 product's rows widened to float32 (exact), since the band and the
 * kernel hold float32 or uint8 samples; the warp-tile job rounds back to int16.
 */
function widened(image: TiffImage): BlockRowReader {
  if (image.sampleType !== 'int16') return image;
  return {
    width: image.width,
    height: image.height,
    blockHeight: image.blockHeight,
    async readWindow(win, opts) {
      const bands = await image.readWindow(win, opts);
      return bands.map((b) => Float32Array.from(b));
    },
  };
}
