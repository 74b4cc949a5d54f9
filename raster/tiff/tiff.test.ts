/**
 * Every GDAL-made fixture read back and compared with GDAL itself: pixels bit for bit (whole image, odd
 * windows, band subsets, overviews) and the metadata `gdalinfo -json` reports.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { initCodecs } from '../compression/decode-block';
import { FileSource, MemorySource } from '../source';
import { SAMPLE_BYTES, type TypedArray } from '../types';
import { ensureFixtures, fixturePath, oracleInfo, oraclePixels, type FixtureEntry, type GdalInfo } from '../testdata/fixtures';
import { Tiff } from './tiff';
import type { Window } from './window';

const fixtures: FixtureEntry[] = ensureFixtures();

function bytesOf(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** GDAL's pixels of `win` for band `band`, cut from the band-sequential whole-image dump. */
function oracleWindow(raw: Uint8Array, width: number, height: number, bytes: number, band: number, win: Window): Uint8Array {
  const out = new Uint8Array(win.width * win.height * bytes);
  for (let y = 0; y < win.height; y++) {
    const src = ((band * height + win.y + y) * width + win.x) * bytes;
    out.set(raw.subarray(src, src + win.width * bytes), y * win.width * bytes);
  }
  return out;
}

async function openFixture(name: string): Promise<Tiff> {
  return Tiff.open(new MemorySource(fixturePath(name), new Uint8Array(readFileSync(fixturePath(name)))));
}

const GDAL_TYPES: Record<string, string> = {
  Byte: 'uint8', UInt16: 'uint16', Int16: 'int16', UInt32: 'uint32', Int32: 'int32', Float32: 'float32', Float64: 'float64',
};
const GDAL_COMPRESSION: Record<string, number> = { LZW: 5, DEFLATE: 8, PACKBITS: 32773, ZSTD: 50000 };

function epsgOf(info: GdalInfo): number | undefined {
  const m = /ID\["EPSG",(\d+)\]\]\s*$/.exec(info.coordinateSystem?.wkt ?? '');
  return m ? Number(m[1]) : undefined;
}

before(() => initCodecs());

describe('pixels equal GDAL ReadAsArray, bit for bit', () => {
  for (const f of fixtures) {
    it(f.name, async () => {
      const tiff = await openFixture(f.name);
      const image = tiff.images[0];
      const { width, height, samplesPerPixel: bands } = image;
      const bytes = SAMPLE_BYTES[image.sampleType];
      const raw = oraclePixels(f.name);
      assert.equal(raw.length, width * height * bands * bytes);

      const whole = await image.readWindow({ x: 0, y: 0, width, height });
      assert.equal(whole.length, bands);
      assert.ok(Buffer.concat(whole.map(bytesOf)).equals(raw), 'whole image differs from GDAL');

      const windows: Window[] = [
        { x: 1, y: 2, width: 37, height: 19 },
        { x: 31, y: 31, width: 2, height: 2 }, // the corner of four tiles
        { x: width - 1, y: height - 1, width: 1, height: 1 },
        { x: 0, y: height - 6, width, height: 6 }, // the short last strip / padded edge tiles
      ];
      const subset = bands > 1 ? [bands - 1, 0] : [0];
      for (const win of windows) {
        const got = await image.readWindow(win, { bands: subset });
        subset.forEach((b, i) => {
          assert.ok(Buffer.from(bytesOf(got[i])).equals(oracleWindow(raw, width, height, bytes, b, win)), `band ${b} of window ${JSON.stringify(win)}`);
        });
      }

      assert.deepEqual(tiff.images.slice(1).map((im) => [im.width, im.height]), f.overviews);
      for (let level = 0; level < f.overviews.length; level++) {
        const ov = tiff.images[level + 1];
        const got = await ov.readWindow({ x: 0, y: 0, width: ov.width, height: ov.height });
        assert.ok(Buffer.concat(got.map(bytesOf)).equals(oraclePixels(f.name, level)), `overview ${level} differs from GDAL`);
      }
    });
  }
});

describe('info() equals gdalinfo -json', () => {
  for (const f of fixtures) {
    it(f.name, async () => {
      const tiff = await openFixture(f.name);
      const info = tiff.info();
      const gdal = oracleInfo(f.name);
      assert.deepEqual([info.width, info.height], gdal.size);
      assert.equal(info.bandCount, gdal.bands.length);
      const structure = gdal.metadata?.IMAGE_STRUCTURE ?? {};
      // GDAL 3.6 has no Int8 type: it shows signed bytes as Byte + PIXELTYPE=SIGNEDBYTE.
      const signed = gdal.bands[0].metadata?.IMAGE_STRUCTURE?.PIXELTYPE === 'SIGNEDBYTE';
      const expectedType = signed ? 'int8' : GDAL_TYPES[gdal.bands[0].type];
      assert.equal(info.sampleType, expectedType);
      assert.equal(info.compression, GDAL_COMPRESSION[structure.COMPRESSION] ?? 1);
      assert.equal(info.predictor, Number(structure.PREDICTOR ?? 1));
      if (info.bandCount > 1) assert.equal(info.planar, structure.INTERLEAVE === 'BAND');
      assert.deepEqual([info.blockWidth, info.blockHeight], (gdal.bands[0] as unknown as { block: number[] }).block);
      assert.deepEqual(info.overviews.map((o) => [o.width, o.height]), (gdal.bands[0].overviews ?? []).map((o) => o.size));

      if (gdal.geoTransform) assert.deepEqual(info.geo?.geoTransform, gdal.geoTransform);
      else assert.equal(info.geo, undefined);
      assert.equal(info.geo?.epsg, epsgOf(gdal));
      assert.equal(info.geo?.pixelIsPoint ?? false, gdal.metadata?.['']?.AREA_OR_POINT === 'Point');

      const nodata = gdal.bands[0].noDataValue;
      if (nodata === undefined) assert.equal(info.nodata, undefined);
      else assert.ok(Object.is(info.nodata, typeof nodata === 'string' ? Number(nodata) : nodata), `nodata ${info.nodata} vs ${nodata}`);

      const { AREA_OR_POINT: _geokey, ...datasetItems } = gdal.metadata?.[''] ?? {};
      assert.deepEqual(info.datasetMetadata, datasetItems);
      gdal.bands.forEach((b, i) => {
        const band = info.bands[i];
        assert.equal(band.description, b.description || undefined, `band ${i} description`);
        assert.equal(band.scale, b.scale, `band ${i} scale`);
        assert.equal(band.offset, b.offset, `band ${i} offset`);
        assert.equal(band.unit, b.unit || undefined, `band ${i} unit`);
        assert.deepEqual(band.metadata, b.metadata?.[''] ?? {}, `band ${i} metadata`);
        assert.ok(Object.is(info.nodata, b.noDataValue === undefined ? undefined : Number(b.noDataValue)), `band ${i} nodata`);
      });
    });
  }

  it('wavelengths and fwhm in nm, converted from micrometres where the units say so', async () => {
    const gdal = oracleInfo('metadata-i16');
    const info = (await openFixture('metadata-i16')).info();
    const items = gdal.bands.map((b) => b.metadata?.[''] ?? {});
    assert.equal(gdal.metadata?.['']?.wavelength_units, 'Nanometers');
    assert.deepEqual(info.bands.slice(0, 2).map((b) => [b.wavelengthNm, b.fwhmNm]), items.slice(0, 2).map((m) => [Number(m.wavelength), Number(m.fwhm)]));
    assert.equal(items[2].wavelength_units, 'Micrometers');
    assert.deepEqual([info.bands[2].wavelengthNm, info.bands[2].fwhmNm], [Number(items[2].wavelength) * 1000, Number(items[2].fwhm) * 1000]);
  });

  it('31-band COG: every band wavelength matches GDAL', async () => {
    const gdal = oracleInfo('wyvern-like-cog');
    const info = (await openFixture('wyvern-like-cog')).info();
    assert.equal(info.bands.length, 31);
    assert.deepEqual(info.bands.map((b) => b.wavelengthNm), gdal.bands.map((b) => Number(b.metadata?.['']?.wavelength)));
    assert.deepEqual(info.bands.map((b) => b.fwhmNm), gdal.bands.map((b) => Number(b.metadata?.['']?.fwhm)));
  });
});

describe('sparse blocks', () => {
  for (const name of ['sparse-nodata-f32', 'sparse-zero-u16']) {
    it(`${name}: readBlock of an unwritten tile equals GDAL's pixels there`, async () => {
      const image = (await openFixture(name)).images[0];
      assert.deepEqual(image.blockRange(0, 0), { offset: 0, length: 0 });
      assert.ok(image.blockRange(1, 1).length > 0);
      const block = await image.readBlock(0, 0);
      const bytes = SAMPLE_BYTES[image.sampleType];
      const want = oracleWindow(oraclePixels(name), image.width, image.height, bytes, 0, { x: 0, y: 0, width: 32, height: 1 });
      const got = new Uint8Array(block.buffer, block.byteOffset, 32 * 3 * bytes).filter((_, i) => Math.floor(i / bytes) % 3 === 0);
      assert.ok(Buffer.from(got).equals(want));
    });
  }
});

describe('requests', () => {
  it('a COG opens in one request and a whole-image read fetches each tile once', async () => {
    const src = new FileSource(fixturePath('wyvern-like-cog'));
    try {
      const tiff = await Tiff.open(src);
      assert.equal(src.stats.requests, 1);
      const image = tiff.images[0];
      const before = src.stats.bytes;
      await image.readWindow({ x: 0, y: 0, width: image.width, height: image.height });
      let stored = 0;
      for (let row = 0; row < image.blocksDown; row++) {
        for (let col = 0; col < image.blocksAcross; col++) stored += image.blockRange(col, row).length;
      }
      // Neighbouring tiles are grouped; only the 8-byte leader/trailer gaps between them are read in addition.
      const tiles = image.blocksAcross * image.blocksDown;
      assert.ok(src.stats.bytes - before >= stored && src.stats.bytes - before <= stored + 8 * tiles, `${src.stats.bytes - before} vs ${stored}`);
      assert.ok(src.stats.requests - 1 <= tiles);
    } finally {
      await src.close();
    }
  });
});
