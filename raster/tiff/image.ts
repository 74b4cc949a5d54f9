/**
 * One image (IFD) of a TIFF: full resolution or an overview. Knows its block layout and reads blocks and
 * windows; decoding is delegated to compression/decode-block.ts.
 */
import { decodeBlock, type BlockCodec } from '../compression/decode-block';
import { isCompressionSupported, getDecompressor } from '../compression/index';
import { RasterError, RasterLimitError, TiffFormatError, UnsupportedFormatError } from '../errors';
import type { ByteSource } from '../source';
import { allocSamples, SAMPLE_BYTES, type SampleType, type TypedArray } from '../types';
import { PlanarConfiguration, SampleFormat, TiffTag } from './const';
import type { TagSet } from './ifd';
import { copyBlock, fillBlock, groupRanges, type Window } from './window';

/** Largest decoded block (a 512 x 512 x 1000-band float32 tile is 1 GiB). */
export const MAX_BLOCK_BYTES = 1024 * 1024 * 1024;
/** Largest window `readWindow` returns, all bands together. */
export const MAX_WINDOW_BYTES = 2 * 1024 * 1024 * 1024;
/** Requests in flight per `readWindow` call. */
const FETCH_CONCURRENCY = 6;

/** What an image needs from its file. */
export interface ImageContext {
  source: ByteSource;
  littleEndian: boolean;
  /** Known file size, for bounds checks before reading. */
  fileSize?: number;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

interface BlockJob {
  col: number;
  row: number;
  plane: number;
  offset: number;
  length: number;
}

export class TiffImage {
  readonly width: number;
  readonly height: number;
  readonly blockWidth: number;
  /** TileLength, or RowsPerStrip (at most the image height) for striped images. */
  readonly blockHeight: number;
  readonly blocksAcross: number;
  readonly blocksDown: number;
  readonly samplesPerPixel: number;
  readonly bitsPerSample: number;
  readonly sampleType: SampleType;
  /** PlanarConfiguration = 2: each band in its own blocks. */
  readonly planar: boolean;
  readonly compression: number;
  readonly predictor: number;
  readonly tiled: boolean;
  /** GDAL_NODATA of this IFD (GDAL repeats it on overviews), used to fill sparse blocks. */
  readonly nodata?: number;
  private readonly file: string;
  private readonly offsets: Float64Array;
  private readonly byteCounts: Float64Array;

  /**
   * Built by `Tiff.open`; `tags` must have every used tag value loaded.
   * @throws TiffFormatError for missing/inconsistent layout tags, UnsupportedFormatError for sample layouts we do not read.
   */
  constructor(
    private readonly ctx: ImageContext,
    tags: TagSet,
    nodata: number | undefined,
  ) {
    const file = (this.file = ctx.source.url);
    const bad = (detail: string): TiffFormatError => new TiffFormatError('BAD_TAG', file, detail);
    const width = tags.num(TiffTag.ImageWidth);
    const height = tags.num(TiffTag.ImageLength);
    if (!width || !height) throw bad(`image size ${width ?? 'missing'} x ${height ?? 'missing'} is not valid`);
    this.width = width;
    this.height = height;
    const spp = (this.samplesPerPixel = tags.num(TiffTag.SamplesPerPixel) ?? 1);
    if (spp < 1) throw bad('SamplesPerPixel is 0');

    const bits = tags.nums(TiffTag.BitsPerSample) ?? [1];
    const formats = tags.nums(TiffTag.SampleFormat) ?? [SampleFormat.Uint];
    if (bits.some((b) => b !== bits[0]) || formats.some((f) => f !== formats[0])) {
      throw new UnsupportedFormatError(file, `bands of different types (BitsPerSample ${bits.join(',')}, SampleFormat ${formats.join(',')}) are not supported`);
    }
    this.bitsPerSample = bits[0];
    this.sampleType = sampleTypeOf(file, formats[0], bits[0]);
    this.compression = tags.num(TiffTag.Compression) ?? 1;
    this.predictor = tags.num(TiffTag.Predictor) ?? 1;
    this.planar = tags.num(TiffTag.PlanarConfiguration) === PlanarConfiguration.Separate;
    this.nodata = nodata;

    this.tiled = tags.has(TiffTag.TileWidth) || tags.has(TiffTag.TileOffsets);
    if (this.tiled) {
      this.blockWidth = tags.num(TiffTag.TileWidth) ?? 0;
      this.blockHeight = tags.num(TiffTag.TileLength) ?? 0;
      if (!this.blockWidth || !this.blockHeight) throw bad(`tile size ${this.blockWidth} x ${this.blockHeight} is not valid`);
    } else {
      this.blockWidth = width;
      // RowsPerStrip defaults to 2^32 - 1, i.e. one strip; libtiff clamps it to the image height.
      this.blockHeight = Math.min(tags.num(TiffTag.RowsPerStrip) ?? height, height) || height;
    }
    this.blocksAcross = Math.ceil(width / this.blockWidth);
    this.blocksDown = Math.ceil(height / this.blockHeight);
    const blocks = this.blocksAcross * this.blocksDown * (this.planar ? spp : 1);
    this.offsets = tags.offsets(this.tiled ? TiffTag.TileOffsets : TiffTag.StripOffsets, blocks);
    this.byteCounts = tags.offsets(this.tiled ? TiffTag.TileByteCounts : TiffTag.StripByteCounts, blocks);
  }

  /** The plain-data codec for this image's blocks (post it to a worker with the bytes of `readBlockBytes`). */
  blockCodec(): BlockCodec {
    return {
      file: this.file,
      compression: this.compression,
      predictor: this.predictor,
      sampleType: this.sampleType,
      bitsPerSample: this.bitsPerSample,
      samplesPerPixel: this.planar ? 1 : this.samplesPerPixel,
      blockWidth: this.blockWidth,
      blockHeight: this.blockHeight,
      littleEndian: this.ctx.littleEndian,
    };
  }

  /** Rows of data in block row `row`: the full block height, except in the last strip of a striped image. */
  blockRows(row: number): number {
    return this.tiled ? this.blockHeight : Math.min(this.blockHeight, this.height - row * this.blockHeight);
  }

  /**
   * Where block (col, row) of `plane` is stored; `length` 0 = sparse block (not stored, reads as nodata or 0).
   * @throws RasterError INVALID_ARGUMENT for a block outside the grid.
   */
  blockRange(col: number, row: number, plane = 0): { offset: number; length: number } {
    const planes = this.planar ? this.samplesPerPixel : 1;
    if (!(isIndex(col, this.blocksAcross) && isIndex(row, this.blocksDown) && isIndex(plane, planes))) {
      throw new RasterError(
        'INVALID_ARGUMENT',
        this.file,
        `block (${col}, ${row}) of plane ${plane} is outside the ${this.blocksAcross} x ${this.blocksDown} x ${planes} grid`,
      );
    }
    const i = (plane * this.blocksDown + row) * this.blocksAcross + col;
    const length = this.byteCounts[i];
    return { offset: length === 0 ? 0 : this.offsets[i], length };
  }

  /**
   * The stored (compressed) bytes of one block; empty for a sparse block.
   * @throws TiffFormatError OUT_OF_BOUNDS when the block lies past the end of the file.
   */
  async readBlockBytes(col: number, row: number, plane = 0, opts: ReadOptions = {}): Promise<Uint8Array> {
    const r = this.blockRange(col, row, plane);
    if (r.length === 0) return new Uint8Array(0);
    this.checkStored(col, row, plane, r.offset, r.length);
    const bytes = await this.ctx.source.fetch(r.offset, r.length, { signal: opts.signal });
    if (bytes.length < r.length) throw this.pastEnd(col, row, plane, r.offset, r.length, r.offset + bytes.length);
    return bytes;
  }

  /** One decoded block: native samples, pixel-interleaved, `blockWidth * blockRows(row) * samples in block`. */
  async readBlock(col: number, row: number, plane = 0, opts: ReadOptions = {}): Promise<TypedArray> {
    this.checkDecodable();
    const bytes = await this.readBlockBytes(col, row, plane, opts);
    return this.decode(bytes, row);
  }

  /**
   * Reads a window of the image: one array per requested band, row-major `width * height`.
   * Only the blocks that intersect the window are fetched, each once, neighbours grouped into one request.
   * @param opts.bands 0-based band indices; default all bands.
   * @param opts.into arrays to write the bands into (and return), one per band, of this image's sample type and
   *   `width * height` samples each, e.g. views into a larger buffer, so a caller that keeps rows needs no copy.
   * @throws RasterError INVALID_ARGUMENT for a window or band outside the image, or `into` arrays that do not fit;
   *   RasterLimitError past MAX_WINDOW_BYTES.
   */
  async readWindow(win: Window, opts: ReadOptions & { bands?: number[]; into?: TypedArray[] } = {}): Promise<TypedArray[]> {
    const { x, y, width, height } = win;
    if (![x, y, width, height].every(Number.isInteger) || x < 0 || y < 0 || width < 1 || height < 1 || x + width > this.width || y + height > this.height) {
      throw new RasterError('INVALID_ARGUMENT', this.file, `window ${x},${y} ${width}x${height} is not inside the ${this.width}x${this.height} image`);
    }
    const bands = opts.bands ?? Array.from({ length: this.samplesPerPixel }, (_, i) => i);
    for (const b of bands) {
      if (!isIndex(b, this.samplesPerPixel)) throw new RasterError('INVALID_ARGUMENT', this.file, `band ${b} does not exist (${this.samplesPerPixel} bands)`);
    }
    const bytes = width * height * bands.length * SAMPLE_BYTES[this.sampleType];
    if (bytes > MAX_WINDOW_BYTES) {
      throw new RasterLimitError(this.file, `window ${width}x${height} x ${bands.length} bands is ${bytes} bytes, over the ${MAX_WINDOW_BYTES}-byte limit`);
    }
    this.checkDecodable();
    const into = opts.into;
    if (into !== undefined) {
      const ctor = allocSamples(this.sampleType, 0).constructor;
      if (into.length !== bands.length || into.some((a) => a.constructor !== ctor || a.length !== width * height)) {
        throw new RasterError('INVALID_ARGUMENT', this.file, `into must be ${bands.length} ${this.sampleType} arrays of ${width * height} samples`);
      }
    }
    // Sparse blocks are filled and every other pixel is copied from a block, so `into` needs no clearing.
    const outputs = into ?? bands.map(() => allocSamples(this.sampleType, width * height));

    // Which output bands each block feeds: chunky blocks feed all, a planar block only its own band.
    const planes = this.planar ? [...new Set(bands)] : [0];
    const targetsOf = (plane: number): { out: number; sample: number }[] =>
      bands.flatMap((b, out) => (this.planar ? (b === plane ? [{ out, sample: 0 }] : []) : [{ out, sample: b }]));
    const jobs: BlockJob[] = [];
    const c0 = Math.floor(x / this.blockWidth);
    const c1 = Math.floor((x + width - 1) / this.blockWidth);
    const r0 = Math.floor(y / this.blockHeight);
    const r1 = Math.floor((y + height - 1) / this.blockHeight);
    for (const plane of planes) {
      for (let row = r0; row <= r1; row++) {
        for (let col = c0; col <= c1; col++) {
          const r = this.blockRange(col, row, plane);
          if (r.length > 0) {
            this.checkStored(col, row, plane, r.offset, r.length);
            jobs.push({ col, row, plane, ...r });
          } else {
            const t = targetsOf(plane).map((t) => t.out);
            const fill = sparseFill(this.sampleType, this.nodata);
            fillBlock(fill, this.blockWidth, this.blockRows(row), col * this.blockWidth, row * this.blockHeight, win, outputs, t);
          }
        }
      }
    }

    const samplesInBlock = this.planar ? 1 : this.samplesPerPixel;
    const groups = groupRanges(jobs);
    let next = 0;
    const worker = async (): Promise<void> => {
      try {
        await drain();
      } catch (err) {
        next = groups.length; // stop the other workers from starting new requests
        throw err;
      }
    };
    const drain = async (): Promise<void> => {
      while (next < groups.length) {
        const g = groups[next++];
        opts.signal?.throwIfAborted();
        const data = await this.ctx.source.fetch(g.offset, g.length, { signal: opts.signal });
        for (const job of g.members) {
          const start = job.offset - g.offset;
          if (data.length < start + job.length) {
            throw this.pastEnd(job.col, job.row, job.plane, job.offset, job.length, g.offset + data.length);
          }
          const block = this.decode(data.subarray(start, start + job.length), job.row);
          copyBlock(block, this.blockWidth, this.blockRows(job.row), samplesInBlock, job.col * this.blockWidth, job.row * this.blockHeight, win, outputs, targetsOf(job.plane));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, groups.length) }, worker));
    return outputs;
  }

  private decode(bytes: Uint8Array, row: number): TypedArray {
    const rows = this.blockRows(row);
    if (bytes.length === 0) {
      return allocSamples(this.sampleType, this.blockWidth * rows * (this.planar ? 1 : this.samplesPerPixel)).fill(sparseFill(this.sampleType, this.nodata));
    }
    return decodeBlock(this.blockCodec(), bytes, rows);
  }

  /** Fails before any request when blocks could not be decoded anyway. */
  private checkDecodable(): void {
    if (!isCompressionSupported(this.compression)) getDecompressor(this.compression, this.file);
    const blockBytes = this.blockWidth * this.blockHeight * (this.planar ? 1 : this.samplesPerPixel) * SAMPLE_BYTES[this.sampleType];
    if (blockBytes > MAX_BLOCK_BYTES) {
      throw new RasterLimitError(
        this.file,
        `blocks of ${this.blockWidth}x${this.blockHeight} x ${this.planar ? 1 : this.samplesPerPixel} samples decode to ${blockBytes} bytes, over the ${MAX_BLOCK_BYTES}-byte limit`,
      );
    }
  }

  private checkStored(col: number, row: number, plane: number, offset: number, length: number): void {
    const size = this.ctx.fileSize;
    if (size !== undefined && offset + length > size) throw this.pastEnd(col, row, plane, offset, length, size);
    if (length > MAX_BLOCK_BYTES) {
      throw new RasterLimitError(this.file, `block (${col}, ${row}) of plane ${plane} is stored in ${length} bytes, over the ${MAX_BLOCK_BYTES}-byte limit`);
    }
  }

  private pastEnd(col: number, row: number, plane: number, offset: number, length: number, end: number): TiffFormatError {
    return new TiffFormatError(
      'OUT_OF_BOUNDS',
      this.file,
      `block (${col}, ${row}) of plane ${plane} at offset ${offset} (${length} bytes) passes the end of the file at ${end} bytes`,
    );
  }
}

function isIndex(i: number, n: number): boolean {
  return Number.isInteger(i) && i >= 0 && i < n;
}

/** GDAL fills sparse blocks with the nodata value when it fits the sample type, else 0. */
function sparseFill(type: SampleType, nodata: number | undefined): number {
  if (nodata === undefined) return 0;
  if (type === 'float32' || type === 'float64') return nodata;
  return Number.isFinite(nodata) ? nodata : 0;
}

function sampleTypeOf(file: string, format: number, bits: number): SampleType {
  const key = `${format}:${bits}`;
  const types: Record<string, SampleType> = {
    '1:8': 'uint8', '2:8': 'int8', '1:16': 'uint16', '2:16': 'int16',
    '1:32': 'uint32', '2:32': 'int32', '3:32': 'float32', '3:64': 'float64',
  };
  const t = types[key];
  if (!t) throw new UnsupportedFormatError(file, `${bits}-bit samples of SampleFormat ${format} are not supported`);
  return t;
}
