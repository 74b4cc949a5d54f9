/**
 * decodeBlock on stored blocks of the GDAL fixtures, one per codec/predictor/byte order, compared with
 * GDAL's pixels; plus the failure modes of a block that does not decode.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { TiffFormatError, UnsupportedFormatError } from '../errors';
import { MemorySource } from '../source';
import { ensureFixtures, fixturePath, oraclePixels } from '../testdata/fixtures';
import { Tiff } from '../tiff/tiff';
import { SAMPLE_BYTES, type TypedArray } from '../types';
import { decodeBlock, decodeBlockSamples, initCodecs, type BlockCodec } from './decode-block';
import { lzwDecodeWasm } from './lzw-wasm';

ensureFixtures();
before(() => initCodecs());

async function open(name: string): Promise<Tiff> {
  return Tiff.open(new MemorySource(fixturePath(name), new Uint8Array(readFileSync(fixturePath(name)))));
}

/** GDAL's value of (x, y, band) as raw bytes, from the band-sequential oracle dump. */
function oracleSample(raw: Uint8Array, width: number, height: number, bytes: number, band: number, x: number, y: number): Uint8Array {
  const at = ((band * height + y) * width + x) * bytes;
  return raw.subarray(at, at + bytes);
}

function sampleBytes(a: TypedArray, i: number, bytes: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset + i * bytes, bytes);
}

const CASES = [
  'uint8-lzw-p2-pixel-tiled', 'int16-deflate-p2-band-tiled', 'uint16-zstd-p1-pixel-striped', 'float32-lzw-p3-pixel-tiled',
  'float64-deflate-p3-band-striped', 'float32-zstd-p2-pixel-tiled', 'float64-lzw-p2-pixel-tiled', 'packbits-i16-tiled',
  'bigendian-lzw-i16-p2', 'bigendian-deflate-f64-p2-band', 'bigendian-none-u16', 'int8-lzw-p2', 'uint32-lzw-p2',
  'wyvern-like-cog',
];

describe('decodeBlock equals GDAL on every sample of a block', () => {
  for (const name of CASES) {
    it(name, async () => {
      const image = (await open(name)).images[0];
      const codec = image.blockCodec();
      assert.deepEqual(JSON.parse(JSON.stringify(codec)), codec, 'the codec is plain data');
      const raw = oraclePixels(name);
      const bytes = SAMPLE_BYTES[image.sampleType];
      const spp = codec.samplesPerPixel;
      // The last block row: a short last strip, or edge tiles padded past the image.
      const row = image.blocksDown - 1;
      const plane = image.planar ? image.samplesPerPixel - 1 : 0;
      const rows = image.blockRows(row);
      const block = decodeBlock(codec, await image.readBlockBytes(0, row, plane), rows);
      assert.equal(block.length, codec.blockWidth * rows * spp);
      for (let y = 0; y < rows && row * image.blockHeight + y < image.height; y++) {
        for (let x = 0; x < Math.min(codec.blockWidth, image.width); x++) {
          for (let s = 0; s < spp; s++) {
            const band = image.planar ? plane : s;
            const want = oracleSample(raw, image.width, image.height, bytes, band, x, row * image.blockHeight + y);
            const got = sampleBytes(block, (y * codec.blockWidth + x) * spp + s, bytes);
            if (Buffer.compare(got, want) !== 0) assert.fail(`(${x}, ${y}) band ${band}: ${Buffer.from(got).toString('hex')} != ${Buffer.from(want).toString('hex')}`);
          }
        }
      }
    });
  }
});

describe('decodeBlockSamples equals GDAL on the chosen bands of a block', () => {
  for (const name of CASES) {
    it(name, async () => {
      const image = (await open(name)).images[0];
      const codec = image.blockCodec();
      const raw = oraclePixels(name);
      const bytes = SAMPLE_BYTES[image.sampleType];
      const spp = codec.samplesPerPixel;
      const row = image.blocksDown - 1;
      const rows = image.blockRows(row);
      // Last, first and a middle sample, out of order, as a job asks for its roles' bands.
      const samples = spp === 1 ? [0] : [...new Set([spp - 1, 0, spp >> 1])];
      const plane = image.planar ? image.samplesPerPixel - 1 : 0;
      const views = decodeBlockSamples(codec, await image.readBlockBytes(0, row, plane), samples, rows);
      assert.equal(views.length, samples.length);
      samples.forEach((s, k) => {
        const { values, offset, stride } = views[k];
        assert.ok(offset + (codec.blockWidth * rows - 1) * stride < values.length, 'the view covers the block');
        const band = image.planar ? plane : s;
        for (let y = 0; y < rows && row * image.blockHeight + y < image.height; y++) {
          for (let x = 0; x < Math.min(codec.blockWidth, image.width); x++) {
            const want = oracleSample(raw, image.width, image.height, bytes, band, x, row * image.blockHeight + y);
            const got = sampleBytes(values, offset + (y * codec.blockWidth + x) * stride, bytes);
            if (Buffer.compare(got, want) !== 0) assert.fail(`(${x}, ${y}) band ${band}: ${Buffer.from(got).toString('hex')} != ${Buffer.from(want).toString('hex')}`);
          }
        }
      });
    });
  }

  it('returns planes of their own that equal decodeBlock and outlive later decodes (the block is decoded in scratch memory)', async () => {
    for (const name of ['float32-lzw-p3-pixel-tiled', 'float32-lzw-p3-pixel-striped', 'wyvern-like-cog']) {
      const image = (await open(name)).images[0];
      const codec = image.blockCodec();
      if (!(codec.predictor === 3 && codec.sampleType === 'float32' && codec.samplesPerPixel > 1)) assert.fail(`${name}: not a chunky float32 predictor-3 file`);
      const spp = codec.samplesPerPixel;
      const samples = [spp - 1, 0];
      const bytes = await image.readBlockBytes(0, 0, 0);
      const before = new Uint8Array(bytes);
      const planes = decodeBlockSamples(codec, bytes, samples).map((v) => v.values);
      const whole = decodeBlock(codec, bytes);
      assert.deepEqual(bytes, before, `${name}: the stored block is not written to`);
      for (const p of planes) assert.equal(p.byteLength, p.buffer.byteLength, `${name}: a buffer of its own`);
      const copies = planes.map((p) => p.slice());
      const last = image.blocksDown - 1;
      decodeBlockSamples(codec, await image.readBlockBytes(image.blocksAcross - 1, last, 0), samples, image.blockRows(last));
      decodeBlock(codec, await image.readBlockBytes(image.blocksAcross - 1, 0, 0));
      samples.forEach((s, k) => {
        assert.deepEqual(planes[k], copies[k], `${name}: sample ${s} unchanged by later decodes`);
        const want = new Float32Array(planes[k].length).map((_, i) => whole[i * spp + s]);
        assert.deepEqual(new Uint32Array(planes[k].buffer), new Uint32Array(want.buffer), `${name}: sample ${s} equals decodeBlock`);
      });
      // The same block stored uncompressed: its samples are read from the stored bytes, which stay as they are.
      const stored = lzwDecodeWasm(bytes, codec.blockWidth * codec.blockHeight * spp * 4);
      const storedBefore = stored.slice();
      const fromStored = decodeBlockSamples({ ...codec, compression: 1 }, stored, samples).map((v) => v.values);
      assert.deepEqual(stored, storedBefore, `${name}: the uncompressed block is not written to`);
      fromStored.forEach((p, k) => assert.deepEqual(new Uint32Array(p.buffer), new Uint32Array(copies[k].buffer), `${name}: uncompressed sample ${samples[k]}`));
    }
  });

  it('rejects a sample outside the pixel', async () => {
    const image = (await open('float32-lzw-p3-pixel-tiled')).images[0];
    const codec = image.blockCodec();
    const bytes = await image.readBlockBytes(0, 0, 0);
    assert.throws(() => decodeBlockSamples(codec, bytes, [codec.samplesPerPixel]), RangeError);
  });
});

describe('blocks that do not decode', () => {
  const codecOf = async (name: string): Promise<[BlockCodec, Uint8Array]> => {
    const image = (await open(name)).images[0];
    return [image.blockCodec(), await image.readBlockBytes(0, 0)];
  };
  for (const name of ['uint16-lzw-p1-pixel-tiled', 'uint16-deflate-p1-pixel-tiled', 'uint16-zstd-p1-pixel-tiled', 'packbits-i16-tiled', 'uint16-none-p1-pixel-tiled']) {
    it(`${name}: a cut block is DECODE_FAILED, naming the file`, async () => {
      const [codec, bytes] = await codecOf(name);
      assert.throws(() => decodeBlock(codec, bytes.subarray(0, bytes.length >> 1)), (err: unknown) => {
        assert.ok(err instanceof TiffFormatError);
        assert.equal(err.code, 'DECODE_FAILED');
        assert.equal(err.file, fixturePath(name));
        assert.match(err.detail, /^compression \d+ block of \d+ bytes (decodes to \d+ bytes, expected 6144|does not decode)/);
        return true;
      });
    });
  }
  it('predictor 3 on integers, an unknown predictor, a bit depth that is not the sample type', async () => {
    const [codec, bytes] = await codecOf('uint16-lzw-p1-pixel-tiled');
    assert.throws(() => decodeBlock({ ...codec, predictor: 3 }, bytes), UnsupportedFormatError);
    assert.throws(() => decodeBlock({ ...codec, predictor: 4 }, bytes), /predictor 4 is not supported/);
    assert.throws(() => decodeBlock({ ...codec, bitsPerSample: 12 }, bytes), /12-bit samples cannot be read as uint16/);
  });
});
