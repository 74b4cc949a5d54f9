/**
 * Decoding one stored TIFF block (tile or strip) into native-endian samples: decompress, byte-swap for
 * big-endian files, undo the predictor. Synchronous once `initCodecs()` has resolved, and driven by a plain
 * JSON `BlockCodec`, so a worker thread can decode with only the codec and the bytes posted to it.
 */
import { RasterError, TiffFormatError, UnsupportedFormatError } from '../errors';
import { Compression, Predictor } from '../tiff/const';
import { SAMPLE_BYTES, viewSamples, type SampleType, type TypedArray } from '../types';
import { LITTLE_ENDIAN_HOST, swapBytes } from './byte-order';
import { getDecompressor } from './index';
import { undoFloatingPoint, undoFloatingPointSamples, undoHorizontal } from './predictor';
import { initLzwDecoder, lzwDecodeWasmScratch, lzwWasmReady } from './lzw-wasm';
import { initZstdDecoder } from './zstd';

/** Everything needed to decode one block of an image; plain data, safe to post to a worker thread. */
export interface BlockCodec {
  /** File path or URL, for error messages. */
  file: string;
  /** TIFF Compression (tag 259). */
  compression: number;
  /** TIFF Predictor (tag 317): 1 none, 2 horizontal, 3 floating point. */
  predictor: number;
  sampleType: SampleType;
  bitsPerSample: number;
  /** Samples interleaved in one block: SamplesPerPixel for chunky images, 1 for planar ones. */
  samplesPerPixel: number;
  blockWidth: number;
  /** Rows in a full block: TileLength, or RowsPerStrip for strips (the last strip may hold fewer, see `decodeBlock`). */
  blockHeight: number;
  /** Byte order of the file ("II" = true). */
  littleEndian: boolean;
}

/** Prepares the codecs that need asynchronous set-up (the ZSTD and LZW WebAssembly modules). Call once per thread. */
export async function initCodecs(): Promise<void> {
  await Promise.all([initZstdDecoder(), initLzwDecoder()]);
}

/**
 * Decodes one stored block.
 * @param bytes the block as stored in the file (TileByteCounts/StripByteCounts bytes).
 * @param rows rows to decode; defaults to `codec.blockHeight`. The last strip of an image holds fewer rows.
 * @returns native-endian samples, pixel-interleaved, of length `blockWidth * rows * samplesPerPixel`.
 * @throws TiffFormatError `DECODE_FAILED` when the block is corrupt or decodes to fewer bytes than expected;
 *   UnsupportedFormatError for an unknown compression or predictor, or a bit depth that does not match the sample type.
 */
export function decodeBlock(codec: BlockCodec, bytes: Uint8Array, rows: number = codec.blockHeight): TypedArray {
  const { file, predictor, sampleType, samplesPerPixel, blockWidth } = codec;
  const bytesPerSample = SAMPLE_BYTES[sampleType];
  const rowSamples = blockWidth * samplesPerPixel;
  const raw = decompressBlock(codec, bytes, rows);

  const swap = bytesPerSample > 1 && codec.littleEndian !== LITTLE_ENDIAN_HOST;
  switch (predictor) {
    case Predictor.None:
      if (swap) swapBytes(raw, bytesPerSample);
      break;
    case Predictor.Horizontal:
      if (swap) swapBytes(raw, bytesPerSample);
      undoHorizontal(raw, bytesPerSample, rowSamples, rows, samplesPerPixel);
      break;
    case Predictor.FloatingPoint:
      if (sampleType !== 'float32' && sampleType !== 'float64') {
        throw new UnsupportedFormatError(file, `predictor 3 (floating point) on ${sampleType} samples is not supported`);
      }
      // Byte planes are most-significant first in every file, so there is nothing to swap.
      undoFloatingPoint(raw, bytesPerSample, rowSamples, rows, samplesPerPixel);
      break;
    default:
      throw new UnsupportedFormatError(file, `predictor ${predictor} is not supported`);
  }
  return viewSamples(sampleType, raw);
}

/** One sample (band) of a decoded block: its value at pixel i (row-major in the block) is values[offset + i * stride]. */
export interface SampleView {
  values: TypedArray;
  offset: number;
  stride: number;
  /** `values` holds this sample alone (offset 0, stride 1) in a buffer nothing else refers to: the caller may keep it. */
  own?: boolean;
}

/**
 * Decodes one stored block and returns a view of each of `samples` (indices within a pixel; 0 for a planar
 * block). For the common hyperspectral layout (chunky float32 with predictor 3) only the chosen samples are
 * reassembled, each into a plane of its own (see `undoFloatingPointSamples`); other layouts are decoded whole and
 * the views stride through the interleaved samples.
 * @throws as `decodeBlock`; RangeError for a sample index outside the pixel.
 */
export function decodeBlockSamples(codec: BlockCodec, bytes: Uint8Array, samples: number[], rows: number = codec.blockHeight): SampleView[] {
  const { samplesPerPixel: spp, blockWidth } = codec;
  for (const s of samples) if (!(Number.isInteger(s) && s >= 0 && s < spp)) throw new RangeError(`sample ${s} of a ${spp}-sample block`);
  if (codec.predictor === Predictor.FloatingPoint && codec.sampleType === 'float32' && spp > 1) {
    // The decompressed block is only read, and the planes are built before anything else decodes: it can stay in
    // the decoder's scratch memory.
    const planes = undoFloatingPointSamples(decompressBlock(codec, bytes, rows, true), blockWidth, rows, spp, samples);
    return planes.map((values) => ({ values, offset: 0, stride: 1, own: true }));
  }
  const all = decodeBlock(codec, bytes, rows);
  return samples.map((s) => ({ values: all, offset: s, stride: spp }));
}

/**
 * Decompresses one block and checks its size: `rows` rows of the block's width, as stored (predicted, file byte
 * order), in a buffer aligned for the sample type.
 * @param transient the caller only reads the result, and is done with it before the next block is decoded in this
 *   thread: then the result may be a view of the decoder's scratch memory (LZW through WebAssembly) or of `bytes`
 *   itself (uncompressed) instead of a fresh buffer.
 */
function decompressBlock(codec: BlockCodec, bytes: Uint8Array, rows: number, transient = false): Uint8Array {
  const { file, compression, sampleType, samplesPerPixel, blockWidth, blockHeight } = codec;
  const bytesPerSample = SAMPLE_BYTES[sampleType];
  if (codec.bitsPerSample !== bytesPerSample * 8) {
    throw new UnsupportedFormatError(file, `${codec.bitsPerSample}-bit samples cannot be read as ${sampleType}`);
  }
  if (!(rows >= 1 && rows <= blockHeight && Number.isInteger(rows))) {
    throw new RasterError('INVALID_ARGUMENT', file, `cannot decode ${rows} rows of a block of ${blockHeight} rows`);
  }
  const rowSamples = blockWidth * samplesPerPixel;
  const capacity = rowSamples * blockHeight * bytesPerSample;
  const needed = rowSamples * rows * bytesPerSample;
  const decompress = transient ? transientDecompressor(compression) ?? getDecompressor(compression, file) : getDecompressor(compression, file);

  let raw: Uint8Array;
  try {
    raw = decompress(bytes, capacity);
  } catch (err) {
    if (err instanceof RasterError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new TiffFormatError('DECODE_FAILED', file, `compression ${compression} block of ${bytes.length} bytes does not decode: ${why}`);
  }
  if (raw.length < needed) {
    throw new TiffFormatError(
      'DECODE_FAILED',
      file,
      `compression ${compression} block of ${bytes.length} bytes decodes to ${raw.length} bytes, expected ${needed}`,
    );
  }
  // Typed-array views need aligned offsets; decoders normally return fresh buffers, so this copy is rare.
  return raw.byteOffset % bytesPerSample === 0 ? raw.subarray(0, needed) : raw.slice(0, needed);
}

/** A decompressor whose result is valid only until the next decode in this thread (see `decompressBlock`). */
function transientDecompressor(compression: number): ((input: Uint8Array, outSize: number) => Uint8Array) | undefined {
  if (compression === Compression.Lzw && lzwWasmReady()) return lzwDecodeWasmScratch;
  if (compression === Compression.None) return (input, outSize) => input.subarray(0, outSize);
  return undefined;
}
