/**
 * Bad map requests (`--vectors`, `--reproject` and their options) through the real CLI: each exits 2 before
 * anything starts, with exactly the message below on stderr, for `tessera run` and `tessera backfill` alike.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { generateScene } from '../../raster/synthetic/scene';
import { tessera } from '../support/cli';

describe('tessera run: bad map requests exit 2 with one message', { timeout: 120_000 }, () => {
  let dir = '';
  let scene = '';
  let out = '';
  // Anything that got past the checks would try this Temporal address and fail differently.
  const env = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', LOG_LEVEL: 'warn' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-bad-maps-'));
    scene = (await generateScene({ outPath: join(dir, 'WYV31.tif'), sizePx: 64, bands: 31, seed: 2 })).cogPath;
    out = pathToFileURL(join(dir, 'out')).href;
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cases: Array<{ name: string; args: string[]; stderr: string }> = [
    {
      name: 'vectors of a product that is not a mask',
      args: ['--vectors', 'ndwi'],
      stderr:
        'tessera run: --vectors: "ndwi" is not a mask product (a mask is water or a comparison such as --index \'ndwi_mask=ndwi > 0.3\'); only masks can be vectorised',
    },
    {
      name: 'bloom polygons without the products they come from',
      args: ['--products', 'water', '--vectors', 'bloom'],
      stderr: 'tessera run: --vectors: bloom polygons are water pixels with NDCI above its threshold: add ndci to --products',
    },
    {
      name: 'vectors of a name the run does not have',
      args: ['--vectors', 'lakes'],
      stderr: 'tessera run: --vectors: "lakes" is not a product of the run (water, bloom, or a mask such as --index \'x=NDTI > 0.1\')',
    },
    {
      name: 'a connectivity other than 4 or 8',
      args: ['--vectors', 'water', '--connectivity', '6'],
      stderr: 'tessera run: --connectivity: "6" is not 4 or 8',
    },
    {
      name: 'a negative minimum area',
      args: ['--vectors', 'water', '--min-area', '-5'],
      stderr: 'tessera run: --min-area: "-5" is not an area in m² (a number ≥ 0)',
    },
    {
      name: 'an unknown vector format',
      args: ['--vectors', 'water', '--vector-formats', 'geojson,shp'],
      stderr: 'tessera run: --vector-formats: "shp" is not one of geoparquet, geojson',
    },
    {
      name: 'a vector option without --vectors',
      args: ['--connectivity', '8'],
      stderr: 'tessera run: --connectivity applies to --vectors; there is none',
    },
    {
      name: 'an EPSG code the projection layer does not know',
      args: ['--reproject', 'EPSG:999999'],
      stderr: 'tessera run: --reproject: EPSG:999999 is not among the 172 CRSs Tessera can project to (WGS 84, web mercator, UTM zones, ...: README "Maps")',
    },
    {
      name: 'a reprojection that is not an EPSG code',
      args: ['--reproject', 'mercator'],
      stderr: 'tessera run: --reproject: "mercator" is not an EPSG code (e.g. EPSG:3857)',
    },
    {
      name: 'an unknown resampling',
      args: ['--reproject', 'EPSG:3857', '--resampling', 'cubic'],
      stderr: 'tessera run: --resampling: "cubic" is not nearest or bilinear',
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const r = await tessera(['run', scene, '--out', out, ...c.args], env);
      assert.equal(r.stderr.trimEnd(), c.stderr);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
    });
  }

  test('tessera backfill refuses them too, before listing anything', async () => {
    const r = await tessera(['backfill', pathToFileURL(dir).href + '/*.tif', '--out', out, '--vectors', 'ndvi', '--products', 'ndvi'], env);
    assert.equal(
      r.stderr.trimEnd(),
      'tessera backfill: --vectors: "ndvi" is not a mask product (a mask is water or a comparison such as --index \'ndvi_mask=ndvi > 0.3\'); only masks can be vectorised',
    );
    assert.equal(r.code, 2);
  });
});
