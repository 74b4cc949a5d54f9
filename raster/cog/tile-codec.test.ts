import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { Compression } from '../tiff/const';
import type { CogSpec } from './builder';
import { encodeTile, resolveTileEncoding } from './tile-codec';
import { rng, writeFromImage } from './testing/fixtures';
import { gdalInspect, SYSTEM_PYTHON, writeRaw } from './testing/gdal-oracle';

const dir = mkdtempSync(join(tmpdir(), 'tile-codec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveTileEncoding', () => {
  it('picks predictor 3 for floats, 2 for integers, 1 without compression, and default levels', () => {
    assert.deepEqual(resolveTileEncoding({ compression: 'deflate', tileSizePx: 512 }, 'float32', 31), {
      compression: Compression.Deflate, predictor: 3, level: 6, sampleType: 'float32', samplesPerPixel: 31, tileSizePx: 512,
    });
    assert.equal(resolveTileEncoding({ compression: 'lzw', tileSizePx: 256 }, 'uint16', 1).predictor, 2);
    assert.equal(resolveTileEncoding({ compression: 'none', tileSizePx: 256 }, 'float32', 1).predictor, 1);
    assert.equal(resolveTileEncoding({ compression: 'zstd', tileSizePx: 256 }, 'int8', 1).level, 9);
    assert.throws(() => resolveTileEncoding({ compression: 'deflate', level: 12, tileSizePx: 256 }, 'uint8', 1), /DEFLATE level must be 1..9/);
  });
});

describe('encodeTile', () => {
  it('predictor 3 bytes equal a numpy TechNote 3 reference (planes MSB first, byte differences per row)', () => {
    const t = 16;
    const spp = 3;
    const r = rng(5);
    const px = Float32Array.from({ length: t * t * spp }, () => (r() - 0.5) * 1000);
    const before = px.slice();
    const enc = resolveTileEncoding({ compression: 'none', predictor: 3, tileSizePx: t }, 'float32', spp);
    const ours = encodeTile(enc, px);
    assert.deepEqual(px, before, 'input not mutated');
    const raw = join(dir, 'p3.raw');
    writeRaw(raw, px);
    const script = String.raw`
import sys, numpy as np
t, spp = 16, 3
a = np.fromfile(sys.argv[1], dtype='<f4').reshape(t, t * spp)
rows = []
for row in a:
    planes = row.astype('>f4').view(np.uint8).reshape(-1, 4).T.reshape(-1)  # plane 0 = most significant bytes
    d = planes.copy()
    d[spp:] = (planes[spp:].astype(np.int16) - planes[:-spp].astype(np.int16)).astype(np.uint8)
    rows.append(d)
sys.stdout.buffer.write(np.concatenate(rows).tobytes())`;
    const expected = execFileSync(SYSTEM_PYTHON, ['-c', script, raw]);
    assert.deepEqual(Buffer.from(ours), expected);
  });

  it('DEFLATE tiles are zlib streams of the predicted bytes', () => {
    const px = new Uint16Array(32 * 32).map((_, i) => i * 7);
    const enc = resolveTileEncoding({ compression: 'deflate', tileSizePx: 32 }, 'uint16', 1);
    const plain = encodeTile({ ...enc, compression: Compression.None }, px);
    assert.deepEqual(new Uint8Array(inflateSync(encodeTile(enc, px))), plain);
    // Predictor 2: each row starts with its first sample, then differences of 7 (mod 2^16).
    const diffs = new Uint16Array(plain.buffer);
    assert.equal(diffs[0], 0);
    assert.equal(diffs[1], 7);
    assert.equal(diffs[32], (32 * 7) & 0xffff);
  });

  it('LZW streams decode in GDAL for random, constant and low-entropy data (table resets and code widths)', async () => {
    const w = 256;
    const h = 256;
    const spp = 3;
    const r = rng(9);
    const img = new Uint8Array(w * h * spp);
    for (let i = 0; i < img.length; i++) {
      const y = Math.floor(i / (w * spp));
      img[i] = y < 90 ? Math.floor(r() * 256) : y < 170 ? 42 : Math.floor(r() * 5);
    }
    const raw = join(dir, 'lzw.raw');
    const tif = join(dir, 'lzw.tif');
    writeRaw(raw, img);
    const spec: CogSpec = { width: w, height: h, bandCount: spp, sampleType: 'uint8', bands: [], overviewResampling: 'nearest', profile: { compression: 'lzw', predictor: 1, tileSizePx: 256 } };
    await writeFromImage(tif, spec, img);
    const rep = gdalInspect(tif, { raw, sampleType: 'uint8', method: 'nearest' });
    assert.deepEqual(rep.errors, []);
    assert.equal(rep.structure.COMPRESSION, 'LZW');
    assert.equal(rep.pixelsEqual, true, `${rep.pixelMismatches} mismatches`);
    // One 196 KiB tile: random rows alone need dozens of Clear codes.
    assert.ok(readFileSync(tif).byteLength > 90 * w * spp);
  });
});
