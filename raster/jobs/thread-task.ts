/**
 * The tasks a worker thread runs. One function serves both the thread entry (workers/kernel.thread.ts) and the inline
 * mode of ThreadPool (size 0), so tests exercise exactly the code the threads run.
 */
import { runProductTile, type ProductTileJob, type ProductTileOutput } from './product-tile';
import { runWarpTile, type WarpTileJob, type WarpTileOutput } from './warp-tile';
import { encodeTile, type TileEncoding } from '../cog/tile-codec';
import { initCodecs } from '../compression/decode-block';
import type { TypedArray } from '../types';

export type ThreadTask =
  | { kind: 'product-tile'; job: ProductTileJob }
  | { kind: 'encode-tile'; encoding: TileEncoding; pixels: TypedArray }
  | { kind: 'warp-tile'; job: WarpTileJob };

export type ThreadTaskResult = ProductTileOutput | Uint8Array | WarpTileOutput;

export async function runThreadTask(task: ThreadTask): Promise<{ result: ThreadTaskResult; transfer: ArrayBuffer[] }> {
  await initCodecs();
  switch (task.kind) {
    case 'product-tile': {
      const result = runProductTile(task.job);
      return { result, transfer: Object.values(result.parts).map((p) => p.buffer as ArrayBuffer) };
    }
    case 'encode-tile': {
      // Transfer only a buffer the result owns whole: small Node Buffers share a pooled ArrayBuffer.
      const encoded = encodeTile(task.encoding, task.pixels);
      const result = encoded.byteOffset === 0 && encoded.byteLength === encoded.buffer.byteLength ? encoded : encoded.slice();
      return { result, transfer: [result.buffer as ArrayBuffer] };
    }
    case 'warp-tile': {
      const result = runWarpTile(task.job);
      return { result, transfer: [result.pixels.buffer as ArrayBuffer] };
    }
  }
}
