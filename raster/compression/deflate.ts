/**
 * DEFLATE (compression 8, and the legacy 32946): each block is one zlib stream. Node's native zlib is ~1.6x
 * faster than pako on GDAL tiles.
 */
import { inflateSync } from 'node:zlib';

/**
 * Inflates one block. `outSize` is the block's decoded size: one output chunk of that size avoids zlib's
 * chunk list + concat, and `maxOutputLength` stops a hostile stream from inflating without bound.
 */
export function deflateDecode(input: Uint8Array, outSize: number): Uint8Array {
  const limit = Math.max(outSize, 64);
  const out = inflateSync(input, { chunkSize: limit, maxOutputLength: limit });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
