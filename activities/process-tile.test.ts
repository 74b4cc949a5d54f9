/**
 * fetchBlocks: the blocks of a tile are views of the reads, each read's buffer is listed once for transfer, and a
 * buffer the source keeps (a file in memory, a pooled Buffer) is copied rather than handed over.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ByteSource } from '../raster/source';
import { ensureFixtures, fixturePath } from '../raster/testdata/fixtures';
import { Tiff } from '../raster/tiff/tiff';
import { fetchBlocks } from './process-tile';

ensureFixtures();

/** A source over `file` whose reads are made by `read`, counted. */
function sourceOf(file: Uint8Array, read: (view: Uint8Array) => Uint8Array): ByteSource & { reads: Uint8Array[] } {
  const reads: Uint8Array[] = [];
  return {
    url: 'test.tif',
    reads,
    async size() {
      return file.byteLength;
    },
    async fetch(offset: number, length: number) {
      const out = read(file.subarray(offset, Math.min(offset + length, file.byteLength)));
      reads.push(out);
      return out;
    },
  };
}

async function check(name: string, read: (view: Uint8Array) => Uint8Array): Promise<{ file: Uint8Array; reads: Uint8Array[]; transfer: ArrayBuffer[]; blocks: number }> {
  const file = new Uint8Array(readFileSync(fixturePath(name)));
  const source = sourceOf(file, read);
  const image = (await Tiff.open(source)).images[0];
  source.reads.length = 0;
  const window = { x: 0, y: 0, width: image.width, height: image.height };
  const { blocks, transfer } = await fetchBlocks(source, image, window, [0]);
  const reads = source.reads.slice();
  assert.equal(blocks.length, image.blocksAcross * image.blocksDown);
  assert.equal(new Set(transfer).size, transfer.length, 'each buffer listed once');
  assert.equal(transfer.length, reads.length, 'one buffer per read');
  for (const b of blocks) assert.ok(transfer.includes(b.bytes.buffer as ArrayBuffer), 'every block travels in a listed buffer');
  const want = await Promise.all(blocks.map((b) => image.readBlockBytes(b.x / image.blockWidth, b.y / image.blockHeight, 0)));
  const sent = structuredClone(blocks, { transfer });
  sent.forEach((b, k) => assert.equal(Buffer.compare(b.bytes, want[k]), 0, `block at ${b.x},${b.y}`));
  return { file, reads, transfer, blocks: blocks.length };
}

describe('fetchBlocks', () => {
  it('reads adjacent blocks at once and hands over the buffers read, uncopied', async () => {
    const { reads, transfer, blocks } = await check('float32-lzw-p3-pixel-tiled', (v) => v.slice());
    assert.ok(reads.length < blocks, `adjacent blocks merged (${reads.length} reads for ${blocks} blocks)`);
    assert.deepEqual(transfer, reads.map((r) => r.buffer));
    for (const r of reads) assert.equal(r.byteLength, 0, 'the read buffers were transferred');
  });

  it('copies views of a file in memory (what MemorySource returns), which stays whole', async () => {
    const { file, reads, transfer } = await check('wyvern-like-cog', (v) => v);
    for (const r of reads) assert.ok(!transfer.includes(r.buffer as ArrayBuffer));
    assert.equal(file.byteLength, readFileSync(fixturePath('wyvern-like-cog')).byteLength, 'the file was not detached');
  });

  it('copies a Buffer carved out of a shared pool (whose slice() would not copy)', async () => {
    const pools: ArrayBufferLike[] = [];
    const { reads, transfer } = await check('float32-lzw-p3-pixel-tiled', (v) => {
      const pool = Buffer.allocUnsafe(v.byteLength + 64);
      pools.push(pool.buffer);
      const out = pool.subarray(16, 16 + v.byteLength);
      out.set(v);
      return out as Uint8Array;
    });
    assert.ok(reads.every((r) => r.byteLength > 0), 'the pooled buffers were not detached');
    assert.ok(transfer.every((t) => !pools.includes(t)));
  });
});
