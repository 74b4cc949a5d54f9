/**
 * Hostile and broken files: each must fail fast with a typed error naming the file and the problem,
 * never hang, never allocate what the header merely claims.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { initCodecs } from '../compression/decode-block';
import { RasterError, RasterLimitError, TiffFormatError, UnsupportedFormatError } from '../errors';
import { MemorySource, type ByteSource } from '../source';
import { ensureFixtures, fixturePath, oraclePixels } from '../testdata/fixtures';
import { Tiff } from './tiff';

ensureFixtures();
before(() => initCodecs());

const URL = 'mem://hostile.tif';

function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

/** Byte position of the IFD entry of `tag` in the first IFD of a classic little-endian TIFF. */
function entryAt(bytes: Uint8Array, tag: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const ifd = v.getUint32(4, true);
  const n = v.getUint16(ifd, true);
  for (let i = 0; i < n; i++) {
    if (v.getUint16(ifd + 2 + i * 12, true) === tag) return ifd + 2 + i * 12;
  }
  throw new Error(`tag ${tag} not found`);
}

/** Where the value of `tag` is (inline or at its offset). */
function valueAt(bytes: Uint8Array, tag: number): number {
  const e = entryAt(bytes, tag);
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const sizes: Record<number, number> = { 3: 2, 4: 4, 16: 8 };
  return v.getUint32(e + 4, true) * sizes[v.getUint16(e + 2, true)] <= 4 ? e + 8 : v.getUint32(e + 8, true);
}

async function rejectsWith(p: Promise<unknown>, cls: new (...args: never[]) => RasterError, code: string, detail: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.file, URL);
    assert.match(err.message, new RegExp(`^${URL}: `));
    assert.match(err.detail, detail);
    return true;
  });
}

/** A source that does not know its size (like an HTTP source before the first response). */
function sizeless(bytes: Uint8Array): ByteSource {
  const m = new MemorySource(URL, bytes);
  return { url: URL, fetch: (o, l) => m.fetch(o, l) };
}

describe('truncated files', () => {
  const full = fixtureBytes('wyvern-like-cog');
  it('shorter than a header', async () => {
    await rejectsWith(Tiff.open(new MemorySource(URL, full.subarray(0, 5))), TiffFormatError, 'TRUNCATED', /5 bytes, too short/);
  });
  it('ends inside the first IFD', async () => {
    await rejectsWith(Tiff.open(new MemorySource(URL, full.subarray(0, 200))), TiffFormatError, 'OUT_OF_BOUNDS', /IFD at offset \d+/);
    // Without a size, the first (short) read tells where the file ends.
    await rejectsWith(Tiff.open(sizeless(full.subarray(0, 200))), TiffFormatError, 'OUT_OF_BOUNDS', /IFD at offset \d+ .* outside the file \(200 bytes\)/);
  });
  it('ends inside the tile data: opens, then the read fails naming the block', async () => {
    const cut = full.subarray(0, full.length - 5000);
    for (const src of [new MemorySource(URL, cut), sizeless(cut)]) {
      const image = (await Tiff.open(src)).images[0];
      await rejectsWith(image.readWindow({ x: 0, y: 0, width: image.width, height: image.height }), TiffFormatError, 'OUT_OF_BOUNDS', /block \(\d+, \d+\) of plane 0 .* passes the end of the file/);
    }
  });
  it('not a TIFF at all', async () => {
    await rejectsWith(Tiff.open(new MemorySource(URL, new TextEncoder().encode('%PDF-1.7 and then some more bytes'))), TiffFormatError, 'BAD_HEADER', /not a TIFF file \(starts with bytes 25 50 44 46\)/);
  });
});

describe('bad tags', () => {
  it('a bogus field type on ImageWidth', async () => {
    const bytes = fixtureBytes('uint16-lzw-p2-pixel-tiled');
    new DataView(bytes.buffer).setUint16(entryAt(bytes, 256) + 2, 99, true);
    await rejectsWith(Tiff.open(new MemorySource(URL, bytes)), TiffFormatError, 'BAD_TAG', /ImageWidth \(256\) has unknown field type 99/);
  });
  it('a tag count far past the file size', async () => {
    const bytes = fixtureBytes('uint16-lzw-p2-pixel-tiled');
    new DataView(bytes.buffer).setUint32(entryAt(bytes, 258) + 4, 0x7fffffff, true);
    await rejectsWith(Tiff.open(new MemorySource(URL, bytes)), RasterLimitError, 'TOO_LARGE', /BitsPerSample \(258\) holds 2147483647 values/);
  });
  it('fewer tile offsets than tiles', async () => {
    const bytes = fixtureBytes('uint16-lzw-p2-pixel-tiled');
    new DataView(bytes.buffer).setUint32(entryAt(bytes, 324) + 4, 3, true);
    await rejectsWith(Tiff.open(new MemorySource(URL, bytes)), TiffFormatError, 'BAD_TAG', /TileOffsets \(324\) has 3 entries, expected 6/);
  });
  it('an IFD chain that loops back ends instead of spinning', async () => {
    const bytes = fixtureBytes('uint8-none-p1-pixel-striped');
    const v = new DataView(bytes.buffer);
    const ifd = v.getUint32(4, true);
    v.setUint32(ifd + 2 + v.getUint16(ifd, true) * 12, ifd, true);
    const tiff = await Tiff.open(new MemorySource(URL, bytes));
    assert.equal(tiff.images.length, 1);
    const px = await tiff.images[0].readWindow({ x: 0, y: 0, width: 75, height: 53 }, { bands: [0] });
    assert.ok(Buffer.from(px[0].buffer, px[0].byteOffset, px[0].byteLength).equals(oraclePixels('uint8-none-p1-pixel-striped').subarray(0, 75 * 53)));
  });
});

describe('blocks', () => {
  it('a tile offset past the end of the file', async () => {
    const bytes = fixtureBytes('uint16-lzw-p2-pixel-tiled');
    new DataView(bytes.buffer).setUint32(valueAt(bytes, 324) + 4, bytes.length + 1000, true); // tile (1, 0)
    for (const src of [new MemorySource(URL, bytes), sizeless(bytes)]) {
      const image = (await Tiff.open(src)).images[0];
      await rejectsWith(image.readWindow({ x: 0, y: 0, width: 75, height: 53 }), TiffFormatError, 'OUT_OF_BOUNDS', /block \(1, 0\) of plane 0 at offset \d+ \(\d+ bytes\) passes the end of the file/);
      await rejectsWith(image.readBlock(1, 0), TiffFormatError, 'OUT_OF_BOUNDS', /block \(1, 0\)/);
      // Other tiles still read.
      assert.equal((await image.readBlock(0, 0)).length, 32 * 32 * 3);
    }
  });
  it('corrupt LZW data', async () => {
    const bytes = fixtureBytes('uint16-lzw-p2-pixel-tiled');
    const v = new DataView(bytes.buffer);
    const offset = v.getUint32(valueAt(bytes, 324), true);
    bytes.fill(0xff, offset, offset + 64); // 9-bit code 511 where only 0-257 exist
    const image = (await Tiff.open(new MemorySource(URL, bytes))).images[0];
    await rejectsWith(image.readBlock(0, 0), TiffFormatError, 'DECODE_FAILED', /compression 5 block of \d+ bytes does not decode: LZW code 511 is not in the table \(next free 258\)/);
  });
  it('an unsupported compression, named', async () => {
    for (const [code, name] of [[7, 'compression 7 \\(JPEG\\) is not supported'], [34887, 'compression 34887 \\(LERC\\)'], [12345, 'compression 12345 is not supported']] as const) {
      const bytes = fixtureBytes('uint16-lzw-p2-pixel-tiled');
      new DataView(bytes.buffer).setUint16(valueAt(bytes, 259), code, true);
      const tiff = await Tiff.open(new MemorySource(URL, bytes));
      assert.equal(tiff.info().compression, code);
      await rejectsWith(tiff.images[0].readWindow({ x: 0, y: 0, width: 4, height: 4 }), UnsupportedFormatError, 'UNSUPPORTED', new RegExp(name));
    }
  });
  it('a window outside the image or a band that does not exist', async () => {
    const image = (await Tiff.open(new MemorySource(URL, fixtureBytes('uint8-none-p1-pixel-tiled')))).images[0];
    await rejectsWith(image.readWindow({ x: 70, y: 0, width: 10, height: 1 }), RasterError, 'INVALID_ARGUMENT', /window 70,0 10x1 is not inside the 75x53 image/);
    await rejectsWith(image.readWindow({ x: 0, y: 0, width: 1, height: 1 }, { bands: [3] }), RasterError, 'INVALID_ARGUMENT', /band 3 does not exist/);
  });
});

/** A classic little-endian TIFF of only a header: 100000 x 100000 px, 1000 uint8 bands, one strip. */
function giantHeader(): Uint8Array {
  const bytes = new Uint8Array(4096);
  const v = new DataView(bytes.buffer);
  bytes.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, 8, true);
  const entries: [number, number, number, number][] = [
    [256, 4, 1, 100000], [257, 4, 1, 100000], [258, 3, 1000, 2000], [259, 3, 1, 1], [262, 3, 1, 1],
    [273, 4, 1, 4000], [277, 3, 1, 1000], [278, 4, 1, 100000], [279, 4, 1, 96], [284, 3, 1, 1],
  ];
  v.setUint16(8, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    v.setUint16(at, tag, true);
    v.setUint16(at + 2, type, true);
    v.setUint32(at + 4, count, true);
    if (type === 3 && count === 1) v.setUint16(at + 8, value, true);
    else v.setUint32(at + 8, value, true);
  });
  for (let i = 0; i < 1000; i++) v.setUint16(2000 + i * 2, 8, true);
  return bytes;
}

describe('sizes beyond the limits', () => {
  it('100000 x 100000 x 1000 bands: header reads, pixels refuse without allocating', async () => {
    const tiff = await Tiff.open(new MemorySource(URL, giantHeader()));
    const info = tiff.info();
    assert.deepEqual([info.width, info.height, info.bandCount, info.sampleType], [100000, 100000, 1000, 'uint8']);
    const image = tiff.images[0];
    await rejectsWith(image.readWindow({ x: 0, y: 0, width: 100000, height: 100000 }), RasterLimitError, 'TOO_LARGE', /window 100000x100000 x 1000 bands is 10000000000000 bytes/);
    await rejectsWith(image.readWindow({ x: 0, y: 0, width: 1, height: 1 }), RasterLimitError, 'TOO_LARGE', /blocks of 100000x100000 x 1000 samples decode to 10000000000000 bytes/);
    await rejectsWith(image.readBlock(0, 0), RasterLimitError, 'TOO_LARGE', /over the 1073741824-byte limit/);
  });
});
