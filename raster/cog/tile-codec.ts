/**
 * Tile encoding for the COG writer: predictor, then codec. Synchronous and allocation-light, because it runs in
 * worker threads on the hot path. ZSTD needs `await initZstd()` once per thread before the first call.
 */
import { deflateSync } from 'node:zlib';
import { initZstd, zstdCompress } from '../compression/zstd-wasm';
import { UnsupportedFormatError } from '../errors';
import { Compression } from '../tiff/const';
import { SAMPLE_BYTES, type SampleType, type TypedArray } from '../types';
import { lzwEncode } from './lzw-encode';
import { floatingPointPredict, horizontalDiffInPlace } from './predictor-encode';
import { DEFAULT_LEVEL, type CogCompression, type CogProfile } from './profiles';

/** Everything needed to encode one tile; plain data, safe to post to a worker thread. */
export interface TileEncoding {
  /** TIFF compression code (Compression enum). */
  compression: number;
  predictor: 1 | 2 | 3;
  /** Codec level (0 when the codec has none). */
  level: number;
  sampleType: SampleType;
  samplesPerPixel: number;
  tileSizePx: number;
}

const COMPRESSION_CODE: Record<CogCompression, Compression> = {
  deflate: Compression.Deflate,
  zstd: Compression.Zstd,
  lzw: Compression.Lzw,
  none: Compression.None,
};

const WRITER = 'cog-writer';

function isFloat(t: SampleType): boolean {
  return t === 'float32' || t === 'float64';
}

/**
 * Turns a profile into concrete tile parameters: predictor auto = 3 for float, 2 for integers, 1 without compression.
 * @throws UnsupportedFormatError for predictor 3 on integer samples, a tile size that is not a power of two >= 16,
 *   or samplesPerPixel < 1.
 */
export function resolveTileEncoding(profile: CogProfile, sampleType: SampleType, samplesPerPixel: number): TileEncoding {
  const t = profile.tileSizePx;
  if (!Number.isInteger(t) || t < 16 || (t & (t - 1)) !== 0) {
    throw new UnsupportedFormatError(WRITER, `tileSizePx must be a power of two >= 16, got ${t}`);
  }
  if (!Number.isInteger(samplesPerPixel) || samplesPerPixel < 1 || samplesPerPixel > 65535) {
    throw new UnsupportedFormatError(WRITER, `samplesPerPixel must be 1..65535, got ${samplesPerPixel}`);
  }
  const compression = COMPRESSION_CODE[profile.compression];
  if (compression === undefined) throw new UnsupportedFormatError(WRITER, `unknown compression '${profile.compression}'`);
  const predictor = profile.predictor ?? (profile.compression === 'none' ? 1 : isFloat(sampleType) ? 3 : 2);
  if (predictor === 3 && !isFloat(sampleType)) {
    throw new UnsupportedFormatError(WRITER, `predictor 3 needs float samples, got ${sampleType}`);
  }
  const level = profile.level ?? DEFAULT_LEVEL[profile.compression];
  if (profile.compression === 'deflate' && (level < 1 || level > 9)) {
    throw new UnsupportedFormatError(WRITER, `DEFLATE level must be 1..9, got ${level}`);
  }
  if (profile.compression === 'zstd' && (level < 1 || level > 22)) {
    throw new UnsupportedFormatError(WRITER, `ZSTD level must be 1..22, got ${level}`);
  }
  return { compression, predictor, level, sampleType, samplesPerPixel, tileSizePx: t };
}

/** Resolves once the codecs of `enc` are ready to run synchronously in this thread (ZSTD's WASM instance). */
export function prepareTileEncoding(enc: TileEncoding): Promise<void> {
  return enc.compression === Compression.Zstd ? initZstd() : Promise.resolve();
}

let predictScratch = new Uint8Array(0);

/**
 * Encodes one full (padded) tile of tileSizePx x tileSizePx x samplesPerPixel pixel-interleaved, native little-endian
 * samples. `pixels` is never mutated. The result owns its ArrayBuffer (transferable).
 * @throws UnsupportedFormatError when the sample count does not match the tile, or the compression code is unknown.
 */
export function encodeTile(enc: TileEncoding, pixels: TypedArray): Uint8Array {
  const bps = SAMPLE_BYTES[enc.sampleType];
  const rowSamples = enc.tileSizePx * enc.samplesPerPixel;
  const expected = rowSamples * enc.tileSizePx;
  if (pixels.length !== expected || pixels.BYTES_PER_ELEMENT !== bps) {
    throw new UnsupportedFormatError(
      WRITER,
      `tile must hold ${expected} ${enc.sampleType} samples (${enc.tileSizePx}x${enc.tileSizePx}x${enc.samplesPerPixel}), got ${pixels.length} of ${pixels.BYTES_PER_ELEMENT} bytes`,
    );
  }
  const raw = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  let predicted: Uint8Array;
  switch (enc.predictor) {
    case 1:
      predicted = raw;
      break;
    case 2:
      // Differencing works in place, so on a private copy (aligned: a fresh buffer).
      predicted = enc.compression === Compression.None ? new Uint8Array(raw) : copyToScratch(raw);
      horizontalDiffInPlace(predicted, bps, rowSamples, enc.samplesPerPixel);
      break;
    case 3:
      predicted = enc.compression === Compression.None ? new Uint8Array(raw.length) : scratchOf(raw.length);
      floatingPointPredict(raw, predicted, bps, rowSamples, enc.samplesPerPixel);
      break;
  }
  switch (enc.compression) {
    case Compression.None:
      return predicted === raw ? new Uint8Array(raw) : predicted;
    case Compression.Deflate: {
      const z = deflateSync(predicted, { level: enc.level });
      return owned(new Uint8Array(z.buffer, z.byteOffset, z.byteLength));
    }
    case Compression.Zstd:
      return owned(zstdCompress(predicted, enc.level));
    case Compression.Lzw:
      return lzwEncode(predicted);
    default:
      throw new UnsupportedFormatError(WRITER, `cannot encode compression ${enc.compression}`);
  }
}

function scratchOf(length: number): Uint8Array {
  if (predictScratch.length < length) predictScratch = new Uint8Array(length);
  return predictScratch.subarray(0, length);
}

function copyToScratch(src: Uint8Array): Uint8Array {
  const dst = scratchOf(src.length);
  dst.set(src);
  return dst;
}

/** Node may hand back a view into a pooled or larger buffer; callers transfer tiles between threads, so copy then. */
function owned(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength) {
    return new Uint8Array(bytes.buffer, 0, bytes.byteLength);
  }
  return new Uint8Array(bytes);
}
