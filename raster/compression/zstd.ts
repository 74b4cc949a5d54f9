/**
 * ZSTD (compression 50000): each block is one zstd frame. libtiff writes frames WITHOUT the content size,
 * and the simple `decompress()` of @bokuweb/zstd-wasm then guesses a 1 MiB output and fails on bigger tiles.
 * We know the decoded size of every block, so we call ZSTD_decompress with that capacity ourselves.
 */
import { dirname, join } from 'node:path';
import { initZstd } from './zstd-wasm';

interface ZstdModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _ZSTD_decompress(dst: number, dstCapacity: number, src: number, srcSize: number): number;
  _ZSTD_isError(code: number): number;
}

let wasm: ZstdModule | undefined;

/** Instantiates the WASM module (once per thread). */
export async function initZstdDecoder(): Promise<void> {
  await initZstd();
  // The package's "exports" hide its Emscripten module; loading the file by absolute path yields the same
  // (cached) instance that initZstd() just instantiated.
  const entry = require.resolve('@bokuweb/zstd-wasm');
  wasm = (require(join(dirname(entry), 'module.js')) as { Module: ZstdModule }).Module;
}

/**
 * Decompresses one frame into at most `outSize` bytes and returns the decoded bytes (a copy out of the WASM heap).
 * @throws Error if the module is not initialised, memory cannot be allocated, or the frame is corrupt or larger than `outSize`.
 */
export function zstdDecode(input: Uint8Array, outSize: number): Uint8Array {
  const m = wasm;
  if (!m) throw new Error('ZSTD decoder used before initCodecs()');
  const src = m._malloc(input.length);
  const dst = src === 0 ? 0 : m._malloc(Math.max(outSize, 1));
  try {
    if (src === 0 || dst === 0) throw new Error(`cannot allocate ${input.length + outSize} bytes in the ZSTD heap`);
    m.HEAPU8.set(input, src); // HEAPU8 is re-read after malloc: the heap may have grown and been replaced
    const written = m._ZSTD_decompress(dst, outSize, src, input.length);
    if (m._ZSTD_isError(written)) throw new Error(`ZSTD frame does not decode into ${outSize} bytes (error ${written})`);
    return m.HEAPU8.slice(dst, dst + written);
  } finally {
    if (dst !== 0) m._free(dst);
    if (src !== 0) m._free(src);
  }
}
