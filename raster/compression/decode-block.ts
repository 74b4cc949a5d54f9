/**
 * Decoding one stored TIFF block (tile or strip) into native-endian samples: decompress, byte-swap for
 * big-endian files, undo the predictor. Synchronous once `initCodecs()` has resolved, and driven by a plain
 * JSON `BlockCodec`, so a worker thread can decode with only the codec and the bytes posted to it.
 */
import { RasterError, TiffFormatError, UnsupportedFormatError } from '../errors';
import { Predictor } from '../tiff/const';
import { SAMPLE_BYTES, viewSamples, type SampleType, type TypedArray } from '../types';
import { LITTLE_ENDIAN_HOST, swapBytes } from './byte-order';
import { getDecompressor } from './index';
import { undoFloatingPoint, undoHorizontal } from './predictor';
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

/** Prepares the codecs that need asynchronous set-up (the ZSTD WASM module). Call once per thread. */
export async function initCodecs(): Promise<void> {
  await initZstdDecoder();
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
  const { file, compression, predictor, sampleType, samplesPerPixel, blockWidth, blockHeight } = codec;
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
  const decompress = getDecompressor(compression, file);

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
  raw = raw.byteOffset % bytesPerSample === 0 ? raw.subarray(0, needed) : raw.slice(0, needed);

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
