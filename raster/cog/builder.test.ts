import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { RasterError } from '../errors';
import type { BandInfo, SampleType } from '../types';
import { CogBuilder, cogLevels, writeCogFile, type CogSpec } from './builder';
import { GHOST_AREA } from './layout';
import { downsample2x } from './overview';
import { encodeTile, prepareTileEncoding } from './tile-codec';
import { cutTile, makeImage, rowMajor, writeFromImage } from './testing/fixtures';
import { gdalInspect, writeRaw } from './testing/gdal-oracle';

const dir = mkdtempSync(join(tmpdir(), 'cog-builder-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const GT: [number, number, number, number, number, number] = [10, 0.0001, 0, 50, 0, -0.0001];

interface Case {
  name: string;
  spec: CogSpec;
  nan?: boolean;
  expectOverviews: [number, number][];
}

function spec(p: Partial<CogSpec> & Pick<CogSpec, 'width' | 'height' | 'bandCount' | 'sampleType' | 'profile'>): CogSpec {
  return { bands: [], overviewResampling: 'average', geo: { epsg: 4326, geoTransform: GT }, ...p };
}

const cases: Case[] = [
  {
    name: 'float32 deflate p3, odd sizes, nodata + NaN, 4 levels',
    spec: spec({ width: 300, height: 200, bandCount: 3, sampleType: 'float32', nodata: -9999, profile: { compression: 'deflate', tileSizePx: 64 } }),
    nan: true,
    expectOverviews: [[150, 100], [75, 50], [37, 25]],
  },
  {
    name: 'float32 lzw p3, UTM, no nodata',
    spec: spec({
      width: 256, height: 256, bandCount: 4, sampleType: 'float32', profile: { compression: 'lzw', predictor: 3, tileSizePx: 64 },
      geo: { epsg: 32632, geoTransform: [500000, 10, 0, 5600000, 0, -10] },
    }),
    expectOverviews: [[128, 128], [64, 64]],
  },
  {
    name: 'float32 zstd, NaN nodata',
    spec: spec({ width: 200, height: 130, bandCount: 2, sampleType: 'float32', nodata: NaN, profile: { compression: 'zstd', tileSizePx: 64 } }),
    nan: true,
    expectOverviews: [[100, 65], [50, 32]],
  },
  {
    name: 'uint8 nearest mask',
    spec: spec({ width: 190, height: 170, bandCount: 1, sampleType: 'uint8', nodata: 255, overviewResampling: 'nearest', profile: { compression: 'deflate', tileSizePx: 32 } }),
    expectOverviews: [[95, 85], [47, 42], [23, 21]],
  },
  {
    name: 'uint16 lzw p2, PixelIsPoint',
    spec: spec({
      width: 260, height: 140, bandCount: 3, sampleType: 'uint16', nodata: 0, profile: { compression: 'lzw', predictor: 2, tileSizePx: 64 },
      geo: { epsg: 32632, geoTransform: [500000, 30, 0, 5600000, 0, -30], pixelIsPoint: true },
    }),
    expectOverviews: [[130, 70], [65, 35], [32, 17]],
  },
  {
    name: 'int16 deflate p2',
    spec: spec({ width: 150, height: 100, bandCount: 2, sampleType: 'int16', nodata: -32768, profile: { compression: 'deflate', tileSizePx: 32 } }),
    expectOverviews: [[75, 50], [37, 25], [18, 12]],
  },
  {
    name: 'float64 deflate p3',
    spec: spec({ width: 100, height: 90, bandCount: 2, sampleType: 'float64', nodata: -1e30, profile: { compression: 'deflate', tileSizePx: 32 } }),
    expectOverviews: [[50, 45], [25, 22]],
  },
  {
    name: 'uint32 uncompressed, no georeference',
    spec: { ...spec({ width: 70, height: 40, bandCount: 2, sampleType: 'uint32', profile: { compression: 'none', tileSizePx: 32 } }), geo: undefined },
    expectOverviews: [[35, 20], [17, 10]],
  },
  {
    name: 'single tile, no overviews',
    spec: spec({ width: 50, height: 40, bandCount: 2, sampleType: 'float32', nodata: -9999, profile: { compression: 'deflate', tileSizePx: 64 } }),
    expectOverviews: [],
  },
  {
    name: 'forced BigTIFF zstd',
    spec: spec({ width: 130, height: 70, bandCount: 2, sampleType: 'float32', nodata: -9999, bigTiff: true, profile: { compression: 'zstd', level: 3, tileSizePx: 64 } }),
    expectOverviews: [[65, 35], [32, 17]],
  },
];

const WAVELENGTHS = Array.from({ length: 31 }, (_, i) => 445 + i * 14.5);
const BANDS31: BandInfo[] = WAVELENGTHS.map((w, i) => ({
  description: `Band_${Math.round(w)}`,
  metadata: { wavelength: String(w), fwhm: String(10 + (i % 5)), wavelength_units: 'nm' },
  ...(i < 2 ? { scale: 0.0001, offset: -0.1, unit: 'reflectance' } : {}),
}));
cases.push({
  name: 'multi-band 31 float32 with metadata',
  spec: spec({
    width: 300, height: 260, bandCount: 31, sampleType: 'float32', nodata: -9999, bands: BANDS31,
    datasetMetadata: { SENSOR: 'test & <sensor>', PROCESSING: 'L2A' }, profile: { compression: 'deflate', tileSizePx: 128 },
  }),
  expectOverviews: [[150, 130], [75, 65]],
});

function fileSha(path: string): string {
  return createHash('sha256').update(new Uint8Array(readFileSync(path))).digest('hex');
}

describe('CogBuilder against GDAL', () => {
  cases.forEach((c, i) => {
    it(c.name, async () => {
      const s = c.spec;
      const img = makeImage(s.width, s.height, s.bandCount, s.sampleType, { seed: 100 + i, nodata: s.nodata, nan: c.nan });
      const raw = join(dir, `case${i}.raw`);
      const tif = join(dir, `case${i}.tif`);
      writeRaw(raw, img);
      const { sizeBytes } = await writeFromImage(tif, s, img);
      assert.equal(sizeBytes, readFileSync(tif).byteLength);
      const rep = gdalInspect(tif, { raw, sampleType: s.sampleType, nodata: s.nodata, method: s.overviewResampling });
      assert.deepEqual(rep.errors, []);
      assert.deepEqual(rep.warnings, []);
      assert.equal(rep.structure.LAYOUT, 'COG');
      assert.deepEqual([rep.width, rep.height, rep.bandCount], [s.width, s.height, s.bandCount]);
      assert.equal(rep.pixelsEqual, true, `${rep.pixelMismatches} pixel mismatches`);
      assert.deepEqual(rep.overviews, c.expectOverviews);
      assert.deepEqual(rep.overviewEqual, c.expectOverviews.map(() => true), `overview mismatches ${rep.overviewMismatches}`);
      const gdalType: Record<SampleType, string> = { uint8: 'Byte', int8: 'Int8', uint16: 'UInt16', int16: 'Int16', uint32: 'UInt32', int32: 'Int32', float32: 'Float32', float64: 'Float64' };
      assert.equal(rep.bands[0].dtype, gdalType[s.sampleType]);
      if (s.geo) {
        assert.equal(rep.epsg, s.geo.epsg);
        assert.deepEqual(rep.geoTransform, s.geo.geoTransform);
        assert.equal(rep.areaOrPoint, s.geo.pixelIsPoint ? 'Point' : 'Area');
      } else {
        assert.equal(rep.epsg, null);
      }
      for (const b of rep.bands) {
        if (s.nodata === undefined) assert.equal(b.nodata, null);
        else if (Number.isNaN(s.nodata)) assert.equal(b.nodata, 'nan');
        else assert.equal(b.nodata, s.nodata);
      }
      const compression = { deflate: 'DEFLATE', lzw: 'LZW', zstd: 'ZSTD', none: undefined }[s.profile.compression];
      assert.equal(rep.structure.COMPRESSION, compression);
      const header = readFileSync(tif).subarray(0, 4);
      assert.equal(header[2], s.bigTiff === true ? 43 : 42);
    });
  });

  it('writes band descriptions, wavelength items, scale/offset/unit and dataset items', async () => {
    const tif = join(dir, `case${cases.length - 1}.tif`);
    const rep = gdalInspect(tif);
    rep.bands.forEach((b, i) => {
      assert.equal(b.description, BANDS31[i].description);
      assert.deepEqual(b.metadata, BANDS31[i].metadata);
      assert.equal(b.scale, i < 2 ? 0.0001 : null);
      assert.equal(b.offset, i < 2 ? -0.1 : null);
      assert.equal(b.unit, i < 2 ? 'reflectance' : '');
    });
    assert.equal(rep.datasetMetadata.SENSOR, 'test & <sensor>');
    assert.equal(rep.datasetMetadata.PROCESSING, 'L2A');
    assert.equal(rep.datasetMetadata.AREA_OR_POINT, 'Area');
  });

  it('addEncodedTile with tiles encoded elsewhere (bytes and TileRefs) gives the same file as addTile', async () => {
    const s = cases[0].spec;
    const img = makeImage(s.width, s.height, s.bandCount, s.sampleType, { seed: 100, nodata: s.nodata, nan: true });
    const viaAdd = join(dir, 'case0.tif');
    const b = new CogBuilder(s);
    const enc = b.encoding;
    await prepareTileEncoding(enc);
    const t = enc.tileSizePx;
    const { tilesAcross, tilesDown } = b.levels[0];
    let loads = 0;
    for (const [c, r] of rowMajor(tilesAcross, tilesDown)) {
      // Padding must be nodata in the caller's tile, as the builder would make it.
      const tile = cutTile(img, s.width, s.height, s.bandCount, t, c, r, s.nodata);
      const bytes = encodeTile(enc, tile);
      const half = downsample2x(tile, t, t, s.bandCount, { nodata: s.nodata, method: 'average' }).pixels;
      if ((c + r) % 2 === 0) await b.addEncodedTile(c, r, bytes, half);
      else await b.addEncodedTile(c, r, { byteLength: bytes.byteLength, load: async () => (loads++, bytes) }, half);
    }
    assert.equal(loads, 0, 'TileRefs are only loaded by finish()');
    const viaEncoded = join(dir, 'encoded.tif');
    await writeCogFile(viaEncoded, b);
    assert.ok(loads > 0);
    assert.equal(fileSha(viaEncoded), fileSha(viaAdd));
  });

  it('tile arrival order does not change the file', async () => {
    const s = cases[4].spec;
    const img = makeImage(s.width, s.height, s.bandCount, s.sampleType, { seed: 104, nodata: s.nodata });
    const reversed = join(dir, 'reversed.tif');
    await writeFromImage(reversed, s, img, (a, d) => rowMajor(a, d).reverse());
    assert.equal(fileSha(reversed), fileSha(join(dir, 'case4.tif')));
  });

  it('writes the ghost area byte for byte as GDAL 3.6 does', () => {
    const src = join(dir, 'case1.tif');
    const gdalCog = join(dir, 'gdal-cog.tif');
    execFileSync('gdal_translate', ['-q', '-of', 'COG', '-co', 'BLOCKSIZE=128', src, gdalCog]);
    const ours = readFileSync(src).subarray(0, 192);
    const theirs = readFileSync(gdalCog).subarray(0, 192);
    assert.equal(ours.subarray(8, 8 + GHOST_AREA.length).toString('latin1'), theirs.subarray(8, 8 + GHOST_AREA.length).toString('latin1'));
    assert.deepEqual(ours.subarray(0, 8), theirs.subarray(0, 8)); // II*\0 + first IFD at 192
  });
});

describe('CogBuilder levels and errors', () => {
  it('halves like the GDAL COG driver', () => {
    assert.deepEqual(cogLevels(2048, 2048, 512).map((l) => [l.width, l.height]), [[2048, 2048], [1024, 1024], [512, 512]]);
    assert.deepEqual(cogLevels(600, 600, 512).map((l) => [l.width, l.height, l.tilesAcross]), [[600, 600, 2], [300, 300, 1]]);
    assert.deepEqual(cogLevels(512, 100, 512).length, 1);
    assert.deepEqual(cogLevels(2000, 1, 512).map((l) => [l.width, l.height]), [[2000, 1], [1000, 1], [500, 1]]);
  });

  it('rejects duplicate tiles, missing tiles and out-of-range nodata', async () => {
    const s = spec({ width: 100, height: 100, bandCount: 1, sampleType: 'uint8', profile: { compression: 'deflate', tileSizePx: 64 } });
    const b = new CogBuilder(s);
    const tile = new Uint8Array(64 * 64);
    await b.addTile(0, 0, tile);
    await assert.rejects(b.addTile(0, 0, tile), (e: unknown) => e instanceof RasterError && e.code === 'INVALID_ARGUMENT' && /added twice/.test(e.message));
    await assert.rejects(b.addTile(2, 0, tile), /outside the 2x2 tile grid/);
    await assert.rejects(b.addTile(1, 0, new Uint16Array(64 * 64)), /must be 4096 uint8 samples/);
    await assert.rejects(b.finish(async () => undefined), /3 of 4 base tiles missing/);
    assert.throws(() => new CogBuilder({ ...s, nodata: -9999 }), /nodata -9999 does not fit uint8/);
    assert.throws(() => new CogBuilder({ ...s, profile: { compression: 'deflate', predictor: 3, tileSizePx: 64 } }), /predictor 3 needs float/);
    assert.throws(() => new CogBuilder({ ...s, profile: { compression: 'deflate', tileSizePx: 100 } }), /power of two/);
  });

  it('leaves no file (and no temp file) behind when finishing fails', async () => {
    const s = spec({ width: 40, height: 40, bandCount: 1, sampleType: 'uint8', profile: { compression: 'deflate', tileSizePx: 64 } });
    const sub = mkdtempSync(join(dir, 'fail-'));
    const b = new CogBuilder(s);
    await b.addEncodedTile(0, 0, { byteLength: 10, load: () => Promise.reject(new Error('storage gone')) }, null);
    await assert.rejects(writeCogFile(join(sub, 'out.tif'), b), /storage gone/);
    assert.equal(existsSync(join(sub, 'out.tif')), false);
    assert.deepEqual(readdirSync(sub), []);
  });
});
