/**
 * CogBuilder assembles a Cloud Optimized GeoTIFF from tiles, with GDAL's layout (see layout.ts), without ever holding
 * the whole scene.
 *
 * Overviews are built tile-locally: with a power-of-two tile size every 2x2 group of any level lies inside one base
 * tile, so each base tile's 2x reduction ("half block") is one quadrant of a level-1 tile, each finished level-1
 * tile's reduction a quadrant of a level-2 tile, and so on. A level tile is encoded and its pixels freed as soon as
 * its last quadrant arrives; with base tiles in row-major order each level holds at most about one row of tiles.
 * Encoded overview tiles stay in memory until finish() (about a third of the base size, compressed); base tiles
 * can be handed over as TileRefs that are only loaded during finish(), in output order.
 */
import { RasterError } from '../errors';
import { allocSamples, type BandInfo, type GeoReference, type SampleType, type TypedArray } from '../types';
import type { CogChunkSink, CogStream, CogWriteResult } from './cog-stream';
import { ifdTags } from './cog-tags';
import { buildCogLayout, cogFileSize, CLASSIC_MAX_OFFSET, type LevelTags } from './layout';
import { downsample2x } from './overview';
import type { CogProfile } from './profiles';
import { encodeTile, prepareTileEncoding, resolveTileEncoding, type TileEncoding } from './tile-codec';

export { writeCogFile } from './cog-file';

export interface CogSpec {
  width: number;
  height: number;
  bandCount: number;
  sampleType: SampleType;
  /** GDAL_NODATA, written on every IFD; also the fill value of tile padding and the value average resampling skips. */
  nodata?: number;
  /** One entry per band (may be shorter: missing bands get no metadata). */
  bands: BandInfo[];
  geo?: GeoReference;
  datasetMetadata?: Record<string, string>;
  profile: CogProfile;
  overviewResampling: 'average' | 'nearest';
  /** true = always BigTIFF, false = never, 'auto' = BigTIFF only when the finished file would pass 4 GiB. @default 'auto' */
  bigTiff?: boolean | 'auto';
}

/** A tile compressed and stored elsewhere (e.g. a temp file), loaded only when finish() writes it. */
export interface TileRef {
  byteLength: number;
  load(): Promise<Uint8Array>;
}

export interface LevelGeometry {
  width: number;
  height: number;
  tilesAcross: number;
  tilesDown: number;
}

export interface CogBuilderOptions {
  /** Encodes a tile (overview tiles, and base tiles given to addTile), e.g. in a thread pool. @default encodeTile inline */
  encodeTile?: (enc: TileEncoding, pixels: TypedArray) => Promise<Uint8Array>;
}

const WRITER = 'cog-writer';

function invalid(detail: string): RasterError {
  return new RasterError('INVALID_ARGUMENT', WRITER, detail);
}

/** GDAL COG driver rule: halve (integer division, min 1) until both sides fit in one tile. */
export function cogLevels(width: number, height: number, tileSizePx: number): LevelGeometry[] {
  const geom = (w: number, h: number): LevelGeometry => ({
    width: w,
    height: h,
    tilesAcross: Math.ceil(w / tileSizePx),
    tilesDown: Math.ceil(h / tileSizePx),
  });
  const levels = [geom(width, height)];
  let w = width;
  let h = height;
  while (w > tileSizePx || h > tileSizePx) {
    w = Math.max(1, Math.floor(w / 2));
    h = Math.max(1, Math.floor(h / 2));
    levels.push(geom(w, h));
  }
  return levels;
}

interface PendingTile {
  pixels: TypedArray;
  received: number;
  expected: number;
}

const INTEGER_RANGE: Partial<Record<SampleType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
};

export class CogBuilder implements CogStream {
  readonly encoding: TileEncoding;
  readonly levels: ReadonlyArray<LevelGeometry>;
  private readonly encodeFn: (enc: TileEncoding, pixels: TypedArray) => Promise<Uint8Array>;
  private readonly fill: number;
  private readonly base: (Uint8Array | TileRef | undefined)[];
  private baseCount = 0;
  /** Per level (index 0 unused): encoded overview tiles by row-major index. */
  private readonly overviews: (Promise<Uint8Array> | undefined)[][];
  private readonly pending: Map<number, PendingTile>[];
  private finished = false;

  /** @throws RasterError (INVALID_ARGUMENT) for impossible sizes or a nodata value the sample type cannot hold. */
  constructor(
    readonly spec: CogSpec,
    opts: CogBuilderOptions = {},
  ) {
    const { width, height, bandCount } = spec;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw invalid(`size must be positive integers, got ${width}x${height}`);
    }
    if (!Number.isInteger(bandCount) || bandCount < 1) throw invalid(`bandCount must be >= 1, got ${bandCount}`);
    if (spec.bands.length > bandCount) throw invalid(`${spec.bands.length} band infos for ${bandCount} bands`);
    const range = INTEGER_RANGE[spec.sampleType];
    if (range && spec.nodata !== undefined && !(Number.isInteger(spec.nodata) && spec.nodata >= range[0] && spec.nodata <= range[1])) {
      throw invalid(`nodata ${spec.nodata} does not fit ${spec.sampleType}`);
    }
    this.encoding = resolveTileEncoding(spec.profile, spec.sampleType, bandCount);
    this.levels = cogLevels(width, height, this.encoding.tileSizePx);
    this.fill = spec.nodata ?? 0;
    const inline = async (enc: TileEncoding, px: TypedArray): Promise<Uint8Array> => {
      await prepareTileEncoding(enc);
      return encodeTile(enc, px);
    };
    this.encodeFn = opts.encodeTile ?? inline;
    this.base = new Array<Uint8Array | TileRef | undefined>(this.levels[0].tilesAcross * this.levels[0].tilesDown);
    this.overviews = this.levels.map((l) => new Array<Promise<Uint8Array> | undefined>(l.tilesAcross * l.tilesDown));
    this.pending = this.levels.map(() => new Map<number, PendingTile>());
  }

  private get tileSamples(): number {
    const t = this.encoding.tileSizePx;
    return t * t * this.encoding.samplesPerPixel;
  }

  private checkBaseSlot(col: number, row: number): number {
    this.checkOpen();
    const l = this.levels[0];
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col >= l.tilesAcross || row >= l.tilesDown) {
      throw invalid(`tile (${col}, ${row}) outside the ${l.tilesAcross}x${l.tilesDown} tile grid`);
    }
    const idx = row * l.tilesAcross + col;
    if (this.base[idx] !== undefined) throw invalid(`tile (${col}, ${row}) added twice`);
    return idx;
  }

  private checkOpen(): void {
    if (this.finished) throw invalid('builder already finished');
  }

  private checkSamples(what: string, pixels: TypedArray, length: number): void {
    const ctor = allocSamples(this.spec.sampleType, 0).constructor;
    if (pixels.constructor !== ctor || pixels.length !== length) {
      throw invalid(`${what} must be ${length} ${this.spec.sampleType} samples, got ${pixels.length} in a ${pixels.constructor.name}`);
    }
  }

  /**
   * Adds one raw full-resolution tile (tileSizePx^2 x bandCount samples, pixel-interleaved, padded). Padding outside
   * the image is replaced by nodata on a copy; `pixels` is not mutated, but with a custom encodeTile it may be
   * transferred to another thread, so do not reuse it.
   */
  async addTile(col: number, row: number, pixels: TypedArray): Promise<void> {
    const idx = this.checkBaseSlot(col, row);
    this.checkSamples('tile', pixels, this.tileSamples);
    let px = pixels;
    if (this.needsMask(0, col, row)) {
      px = pixels.slice();
      this.maskOutside(0, col, row, px);
    }
    const half = this.levels.length > 1 ? this.half(px) : null;
    const encoded = this.encodeFn(this.encoding, px);
    this.base[idx] = PLACEHOLDER;
    let bytes: Uint8Array;
    try {
      bytes = await encoded;
    } catch (err) {
      this.base[idx] = undefined;
      throw err;
    }
    this.base[idx] = bytes;
    this.baseCount++;
    if (half) this.feed(1, col, row, half);
  }

  /**
   * Adds a tile encoded elsewhere with `this.encoding`, plus downsample2x of its padded pixels (with this builder's
   * nodata and resampling); `halfBlock` may be null only when there are no overviews.
   */
  async addEncodedTile(col: number, row: number, tile: Uint8Array | TileRef, halfBlock: TypedArray | null): Promise<void> {
    const idx = this.checkBaseSlot(col, row);
    const h = this.encoding.tileSizePx / 2;
    if (this.levels.length > 1) {
      if (!halfBlock) throw invalid(`tile (${col}, ${row}): halfBlock is required when the COG has overviews`);
      this.checkSamples('halfBlock', halfBlock, h * h * this.encoding.samplesPerPixel);
    }
    if (!(tile instanceof Uint8Array) && !(Number.isInteger(tile.byteLength) && tile.byteLength > 0)) {
      throw invalid(`tile (${col}, ${row}): TileRef.byteLength must be a positive integer, got ${tile.byteLength}`);
    }
    this.base[idx] = tile;
    this.baseCount++;
    if (halfBlock && this.levels.length > 1) this.feed(1, col, row, halfBlock);
  }

  private half(px: TypedArray): TypedArray {
    const t = this.encoding.tileSizePx;
    return downsample2x(px, t, t, this.encoding.samplesPerPixel, {
      nodata: this.spec.nodata,
      method: this.spec.overviewResampling,
    }).pixels;
  }

  private needsMask(level: number, col: number, row: number): boolean {
    const l = this.levels[level];
    const t = this.encoding.tileSizePx;
    return (col + 1) * t > l.width || (row + 1) * t > l.height;
  }

  /** Sets the samples of a tile that fall outside its level's width/height to the fill value (nodata or 0). */
  private maskOutside(level: number, col: number, row: number, px: TypedArray): void {
    const l = this.levels[level];
    const t = this.encoding.tileSizePx;
    const spp = this.encoding.samplesPerPixel;
    const validCols = Math.min(t, l.width - col * t);
    const validRows = Math.min(t, l.height - row * t);
    const rowLen = t * spp;
    if (validCols < t) {
      for (let y = 0; y < validRows; y++) px.fill(this.fill, y * rowLen + validCols * spp, (y + 1) * rowLen);
    }
    if (validRows < t) px.fill(this.fill, validRows * rowLen);
  }

  /** Places a child's half block as one quadrant of the level-`level` tile that contains it. */
  private feed(level: number, childCol: number, childRow: number, half: TypedArray): void {
    const l = this.levels[level];
    const col = childCol >> 1;
    const row = childRow >> 1;
    // A child past the last tile of this level only covers pixels the level drops (odd sizes).
    if (col >= l.tilesAcross || row >= l.tilesDown) return;
    const idx = row * l.tilesAcross + col;
    const t = this.encoding.tileSizePx;
    const h = t >> 1;
    const spp = this.encoding.samplesPerPixel;
    let p = this.pending[level].get(idx);
    if (!p) {
      const child = this.levels[level - 1];
      const across = 2 * col + 1 < child.tilesAcross ? 2 : 1;
      const down = 2 * row + 1 < child.tilesDown ? 2 : 1;
      const pixels = allocSamples(this.spec.sampleType, t * t * spp);
      if (this.fill !== 0 && across * down < 4) pixels.fill(this.fill);
      p = { pixels, received: 0, expected: across * down };
      this.pending[level].set(idx, p);
    }
    const qx = (childCol & 1) * h;
    const qy = (childRow & 1) * h;
    const halfRow = h * spp;
    for (let y = 0; y < h; y++) {
      p.pixels.set(half.subarray(y * halfRow, (y + 1) * halfRow), ((qy + y) * t + qx) * spp);
    }
    p.received++;
    if (p.received === p.expected) {
      this.pending[level].delete(idx);
      this.complete(level, col, row, p.pixels);
    }
  }

  private complete(level: number, col: number, row: number, px: TypedArray): void {
    if (this.needsMask(level, col, row)) this.maskOutside(level, col, row, px);
    // Reduce before encoding: a pooled encoder may detach px by transferring it.
    if (level + 1 < this.levels.length) this.feed(level + 1, col, row, this.half(px));
    const encoded = this.encodeFn(this.encoding, px);
    // Errors surface in finish(); this only keeps Node from reporting them as unhandled meanwhile.
    encoded.catch(() => undefined);
    this.overviews[level][row * this.levels[level].tilesAcross + col] = encoded;
  }

  /**
   * Writes the whole COG to `sink`, chunk by chunk, in file order; awaits each chunk before the next.
   * @throws RasterError (INVALID_ARGUMENT) when base tiles are missing or a TileRef loads a different byte count.
   */
  async finish(sink: CogChunkSink): Promise<CogWriteResult> {
    this.checkOpen();
    const baseTotal = this.base.length;
    const have = this.base.filter((b) => b !== undefined && b !== PLACEHOLDER).length;
    if (have !== baseTotal) throw invalid(`${baseTotal - have} of ${baseTotal} base tiles missing (or still encoding)`);
    this.finished = true;
    const tiles: (Uint8Array | TileRef)[][] = [this.base as (Uint8Array | TileRef)[]];
    for (let k = 1; k < this.levels.length; k++) {
      const list = this.overviews[k];
      for (let i = 0; i < list.length; i++) {
        if (!list[i]) throw invalid(`overview ${k} tile ${i} was never completed`);
      }
      tiles.push(await Promise.all(list as Promise<Uint8Array>[]));
    }
    const spec = this.spec;
    const levelTags: LevelTags[] = this.levels.map((l, k) => ({
      entries: ifdTags({
        width: l.width,
        height: l.height,
        level: k,
        encoding: this.encoding,
        nodata: spec.nodata,
        geo: spec.geo,
        bands: spec.bands,
        datasetMetadata: spec.datasetMetadata,
      }),
      tileByteCounts: tiles[k].map((t) => t.byteLength),
    }));
    const mode = spec.bigTiff ?? 'auto';
    const bigTiff = mode === 'auto' ? cogFileSize(levelTags, false) > CLASSIC_MAX_OFFSET : mode;
    const layout = buildCogLayout(levelTags, bigTiff);
    await sink(layout.header);
    for (let k = this.levels.length - 1; k >= 0; k--) {
      const list = tiles[k];
      // Start loading the next tile while the current one is written.
      let next: Promise<Uint8Array> | undefined = list.length > 0 ? loadTile(list[0]) : undefined;
      for (let i = 0; i < list.length; i++) {
        const bytes = await (next as Promise<Uint8Array>);
        next = i + 1 < list.length ? loadTile(list[i + 1]) : undefined;
        if (bytes.byteLength !== list[i].byteLength) {
          throw invalid(`level ${k} tile ${i}: loaded ${bytes.byteLength} bytes, TileRef said ${list[i].byteLength}`);
        }
        await sink(leader(bytes.byteLength));
        await sink(bytes);
        await sink(trailer(bytes));
        if (k > 0) list[i] = EMPTY; // release overview bytes once written
      }
    }
    return { sizeBytes: layout.sizeBytes };
  }
}

const PLACEHOLDER: TileRef = { byteLength: 0, load: () => Promise.reject(new Error('tile still encoding')) };
const EMPTY = new Uint8Array(0);

function loadTile(t: Uint8Array | TileRef): Promise<Uint8Array> {
  return t instanceof Uint8Array ? Promise.resolve(t) : t.load();
}

function leader(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** GDAL's BLOCK_TRAILER=LAST_4_BYTES_REPEATED (zero-padded for payloads under 4 bytes). */
function trailer(bytes: Uint8Array): Uint8Array {
  const b = new Uint8Array(4);
  const n = Math.min(4, bytes.byteLength);
  b.set(bytes.subarray(bytes.byteLength - n), 4 - n);
  return b;
}
