/**
 * ZSTD through @bokuweb/zstd-wasm: Node 20's zlib has no zstd. The WASM module must be instantiated once per
 * thread before the synchronous compress/decompress calls work, so every entry point (worker thread, CLI,
 * tests) awaits `initZstd()` first.
 */
import * as zstd from '@bokuweb/zstd-wasm';

let ready: Promise<void> | undefined;

export function initZstd(): Promise<void> {
  ready ??= zstd.init();
  return ready;
}

export function zstdDecompress(bytes: Uint8Array): Uint8Array {
  return zstd.decompress(bytes);
}

export function zstdCompress(bytes: Uint8Array, level: number): Uint8Array {
  return zstd.compress(bytes, level);
}
