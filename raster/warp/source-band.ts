/**
 * The source rows a warp is working on, read in whole block rows and kept while they are needed, so each source
 * block is decoded once although neighbouring target tile rows sample overlapping source windows (a window of
 * 512 target rows spans parts of two 512-row source block rows).
 *
 * Windows are served as views (SourceWindow stride and offset) into one buffer of full-width rows. Target tile
 * rows of a north-up warp move down the source, so the buffer slides down: rows above the new window are
 * dropped, rows below it read; a window above the buffer (a rotated or flipped target) is read again.
 */
import { WarpInputError } from './errors';
import type { PixelWindow, SourceWindow } from './kernel';

/** What the band needs of a raster/tiff TiffImage (band 0 is read). */
export interface BlockRowReader {
  readonly width: number;
  readonly height: number;
  /** Rows per block (tile height or RowsPerStrip). */
  readonly blockHeight: number;
  /** `into`, when given, may be written and returned (TiffImage does); a reader may also ignore it. */
  readWindow(win: PixelWindow, opts?: { signal?: AbortSignal; bands?: number[]; into?: (Float32Array | Uint8Array)[] }): Promise<ArrayLike<number>[]>;
  /** 'uint8' and 'float32' rows are read into the band's buffer without a copy. */
  readonly sampleType?: string;
}

export class SourceBand {
  private y0 = 0;
  private rows = 0;
  private buffer: Float32Array | Uint8Array | null = null;
  /** Block rows read so far (each once unless a window moves back up). */
  blockRowsRead = 0;

  constructor(
    private readonly image: BlockRowReader,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * The source pixels of `win` (any columns; rows are read full width).
   * @throws WarpInputError for a window outside the image, or samples that are neither float32 nor uint8.
   */
  async window(win: PixelWindow): Promise<SourceWindow> {
    const { width, height, blockHeight } = this.image;
    if (win.x < 0 || win.y < 0 || win.width < 1 || win.height < 1 || win.x + win.width > width || win.y + win.height > height) {
      throw new WarpInputError('source band', `window ${win.x},${win.y} ${win.width}x${win.height} is outside the ${width}x${height} source`);
    }
    const need0 = win.y;
    const need1 = win.y + win.height;
    if (this.buffer === null || need0 < this.y0 || need0 >= this.y0 + this.rows) {
      // Nothing to keep: start afresh at the block row holding the window's first row.
      const a = Math.floor(need0 / blockHeight) * blockHeight;
      this.buffer = null;
      this.y0 = a;
      this.rows = 0;
    }
    const end = this.y0 + this.rows;
    if (need1 > end) {
      const a = end;
      const b = Math.min(height, Math.ceil(need1 / blockHeight) * blockHeight);
      // Rows above the window are dropped: the next window of a north-up warp starts lower still.
      const kept = this.buffer === null ? 0 : end - Math.max(need0, this.y0);
      const n = (kept + (b - a)) * width;
      // The new rows are read straight into the new buffer after the kept ones (a reader that ignores `into`,
      // or of another sample type, is copied).
      const type = this.image.sampleType;
      const next = type === 'uint8' ? new Uint8Array(n) : type === 'float32' ? new Float32Array(n) : null;
      const into = next === null ? undefined : [next.subarray(kept * width)];
      const [fresh] = await this.image.readWindow({ x: 0, y: a, width, height: b - a }, { signal: this.signal, bands: [0], into });
      this.blockRowsRead += Math.ceil((b - a) / blockHeight);
      const buf = next ?? allocLike(fresh, n);
      if (this.buffer !== null && kept > 0) buf.set(this.buffer.subarray((end - kept - this.y0) * width, this.rows * width), 0);
      if (into === undefined || fresh !== into[0]) buf.set(fresh as Float32Array, kept * width);
      this.y0 = end - kept;
      this.rows = kept + (b - a);
      this.buffer = buf;
    }
    return { ...win, pixels: this.buffer as Float32Array | Uint8Array, stride: width, offset: (win.y - this.y0) * width + win.x };
  }
}

function allocLike(a: ArrayLike<number>, n: number): Float32Array | Uint8Array {
  if (a instanceof Float32Array) return new Float32Array(n);
  if (a instanceof Uint8Array) return new Uint8Array(n);
  throw new WarpInputError('source band', 'the warp reads float32 or uint8 samples');
}
