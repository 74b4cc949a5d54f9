/**
 * The WebAssembly LZW decoder against the TypeScript one (itself checked against GDAL through every LZW fixture in
 * decode-block.test.ts and tiff.test.ts): the same bytes for every stored LZW block GDAL wrote, for cut streams
 * and for our own encoder's output on data that exercises long strings and the KwKwK case; the same error class
 * on corrupt streams.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { lzwEncode } from '../cog/lzw-encode';
import { MemorySource } from '../source';
import { ensureFixtures, fixturePath } from '../testdata/fixtures';
import { Compression } from '../tiff/const';
import { Tiff } from '../tiff/tiff';
import { lzwDecode, LzwStreamError } from './lzw';
import { initLzwDecoder, lzwDecodeWasm, lzwDecodeWasmScratch, lzwWasmReady } from './lzw-wasm';

const fixtures = ensureFixtures();
before(() => initLzwDecoder());

function sameBytes(input: Uint8Array, outSize: number, what: string): void {
  const want = lzwDecode(input, outSize);
  const got = lzwDecodeWasm(input, outSize);
  assert.equal(got.length, want.length, `${what}: decoded length`);
  if (Buffer.compare(got, want) !== 0) assert.fail(`${what}: bytes differ`);
}

describe('WebAssembly LZW decoder', () => {
  it('is loaded by initLzwDecoder()', () => assert.ok(lzwWasmReady()));

  it('decodes every block of every LZW fixture GDAL wrote to the same bytes as the TypeScript decoder', async () => {
    let blocks = 0;
    for (const { name } of fixtures) {
      const tiff = await Tiff.open(new MemorySource(name, new Uint8Array(readFileSync(fixturePath(name)))));
      for (const image of tiff.images) {
        if (image.blockCodec().compression !== Compression.Lzw) continue;
        const codec = image.blockCodec();
        const bytesPerSample = codec.bitsPerSample / 8;
        const outSize = codec.blockWidth * codec.blockHeight * codec.samplesPerPixel * bytesPerSample;
        for (let plane = 0; plane < (image.planar ? image.samplesPerPixel : 1); plane++) {
          for (let row = 0; row < image.blocksDown; row++) {
            for (let col = 0; col < image.blocksAcross; col++) {
              const bytes = await image.readBlockBytes(col, row, plane);
              if (bytes.length === 0) continue;
              sameBytes(bytes, outSize, `${name} block ${col},${row},${plane}`);
              blocks++;
            }
          }
        }
      }
    }
    assert.ok(blocks >= 50, `compared ${blocks} blocks`);
  });

  it('agrees on runs, long strings, KwKwK codes, table resets and cut streams', () => {
    const n = 300_000;
    const data = new Uint8Array(n);
    // A run (KwKwK codes and strings far longer than the short-copy path), a ramp, then noise (table resets).
    let seed = 12345;
    for (let i = 0; i < n; i++) {
      if (i < 50_000) data[i] = 7;
      else if (i < 150_000) data[i] = (i >> 4) & 0xff;
      else data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    }
    const encoded = lzwEncode(data);
    assert.deepEqual(lzwDecodeWasm(encoded, n), data, 'round trip through our encoder');
    sameBytes(encoded, n, 'whole stream');
    sameBytes(encoded, n - 1, 'output capacity one byte short');
    for (const cut of [1, 2, 3, 100, encoded.length >> 1, encoded.length - 1]) sameBytes(encoded.subarray(0, cut), n, `first ${cut} bytes`);
  });

  it('throws LzwStreamError where the TypeScript decoder does', () => {
    // 9-bit codes: 0x41 ('A'), then code 300 (not yet in the table).
    const bad = new Uint8Array([0x20, 0xcb, 0x00]);
    const message = (decode: (input: Uint8Array, outSize: number) => Uint8Array): string => {
      try {
        decode(bad, 100);
      } catch (err) {
        assert.ok(err instanceof LzwStreamError);
        return err.message;
      }
      return assert.fail('no error');
    };
    assert.match(message(lzwDecode), /LZW code 300 is not in the table \(next free 258\)/);
    assert.equal(message(lzwDecodeWasm), message(lzwDecode));
    const oldStyle = new Uint8Array([0x00, 0x01, 0x02]);
    assert.throws(() => lzwDecodeWasm(oldStyle, 100), /old-style/);
  });

  it('decodes into scratch memory the same bytes, which the next decode overwrites; lzwDecodeWasm copies them out', () => {
    const a = new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff);
    const b = new Uint8Array(70_000).map((_, i) => (i >> 3) & 0xff);
    const [ea, eb] = [lzwEncode(a), lzwEncode(b)];
    const fresh = lzwDecodeWasm(ea, a.length);
    const scratch = lzwDecodeWasmScratch(ea, a.length);
    assert.deepEqual(scratch, a);
    assert.equal(fresh.byteLength, fresh.buffer.byteLength, 'a buffer of its own');
    assert.notEqual(scratch.buffer, fresh.buffer);
    lzwDecodeWasmScratch(eb, b.length);
    assert.deepEqual(fresh, a, 'the fresh buffer outlives the next decode');
    // A larger block grows the module's memory, which detaches views of the old memory.
    const big = new Uint8Array(24 << 20).fill(3);
    assert.deepEqual(lzwDecodeWasmScratch(lzwEncode(big), big.length), big);
    assert.equal(scratch.byteLength, 0, 'a view from before the memory grew is detached');
    assert.deepEqual(fresh, a);
  });
});
