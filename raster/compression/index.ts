/**
 * Block decompressors by TIFF Compression code (tag 259). Each takes the stored bytes and the block's
 * decoded size (an upper bound for the output) and returns the decoded bytes; predictors and byte order
 * are handled afterwards by decode-block.ts.
 */
import { Compression } from '../tiff/const';
import { UnsupportedFormatError } from '../errors';
import { deflateDecode } from './deflate';
import { lzwDecode } from './lzw';
import { lzwDecodeWasm, lzwWasmReady } from './lzw-wasm';
import { packBitsDecode } from './packbits';
import { zstdDecode } from './zstd';

/** Decodes one stored block into at most `outSize` bytes; may return fewer (the caller rejects short blocks). */
export type Decompressor = (input: Uint8Array, outSize: number) => Uint8Array;

// Uncompressed blocks are copied: the caller mutates the result (byte swap, predictor) and needs an
// aligned buffer of its own.
const none: Decompressor = (input, outSize) => input.slice(0, outSize);

// The compiled LZW decoder once initCodecs() has loaded it in this thread; the TypeScript one until then.
const lzw: Decompressor = (input, outSize) => (lzwWasmReady() ? lzwDecodeWasm(input, outSize) : lzwDecode(input, outSize));

const DECOMPRESSORS = new Map<number, Decompressor>([
  [Compression.None, none],
  [Compression.Lzw, lzw],
  [Compression.Deflate, deflateDecode],
  [Compression.DeflateLegacy, deflateDecode],
  [Compression.PackBits, packBitsDecode],
  [Compression.Zstd, zstdDecode],
]);

/** True when `compression` has a decoder here. */
export function isCompressionSupported(compression: number): boolean {
  return DECOMPRESSORS.has(compression);
}

/**
 * The decompressor for a TIFF compression code.
 * @throws UnsupportedFormatError naming the code (and its name when known), e.g. "compression 7 (JPEG) is not supported".
 */
export function getDecompressor(compression: number, file: string): Decompressor {
  const d = DECOMPRESSORS.get(compression);
  if (d) return d;
  const name = COMPRESSION_NAMES[compression];
  throw new UnsupportedFormatError(file, `compression ${compression}${name ? ` (${name})` : ''} is not supported`);
}

/** Names of the codes found in the wild (libtiff tiff.h), for error messages. */
const COMPRESSION_NAMES: Record<number, string> = {
  1: 'none',
  2: 'CCITT RLE',
  3: 'CCITT Group 3',
  4: 'CCITT Group 4',
  5: 'LZW',
  6: 'old JPEG',
  7: 'JPEG',
  8: 'DEFLATE',
  32773: 'PackBits',
  32946: 'DEFLATE',
  34676: 'SGILOG',
  34887: 'LERC',
  34925: 'LZMA',
  50000: 'ZSTD',
  50001: 'WEBP',
  50002: 'JPEG-XL',
};
