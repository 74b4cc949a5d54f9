import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggestedWarpOutput } from '../../warp/suggested-output';
import type { ProductDefinition } from './definition';
import { checkReprojectEpsg, MapRequestError, MAX_REPROJECTED_PIXELS, planReprojectGrid, resamplingFor } from './map-request';

const UTM = { epsg: 32617, geoTransform: [308000, 5, 0, 4630000, 0, -5], width: 1100, height: 1100 };

describe('checkReprojectEpsg', () => {
  it('knows web mercator, WGS 84 and UTM zones', () => {
    for (const epsg of [3857, 4326, 32617, 32760]) checkReprojectEpsg(epsg);
  });
  it('refuses a code the projection layer does not know, with the code in the message', () => {
    assert.throws(
      () => checkReprojectEpsg(999999),
      (e: Error) => e instanceof MapRequestError && /^--reproject: EPSG:999999 is not among the \d+ CRSs Tessera can project to/.test(e.message),
    );
    assert.throws(() => checkReprojectEpsg(3857.5), MapRequestError);
  });
});

describe('planReprojectGrid', () => {
  it('is gdalwarp’s default grid (suggestedWarpOutput) for a scene within the limits', () => {
    const grid = planReprojectGrid('lake.tif', UTM, 3857);
    const g = suggestedWarpOutput(UTM, 3857);
    assert.deepEqual(grid, { epsg: 3857, width: g.width, height: g.height, geoTransform: g.geoTransform });
  });

  it('refuses a copy that would grow past 16 x the scene (a strip near the pole in web mercator), naming the file', () => {
    const strip = { epsg: 4326, geoTransform: [-180, 0.1, 0, 89, 0, -0.1], width: 3600, height: 10 };
    assert.throws(
      () => planReprojectGrid('arctic.tif', strip, 3857),
      (e: Error) =>
        e instanceof MapRequestError &&
        e.message === 'arctic.tif: in EPSG:3857 would be 3578 x 395 pixels (1413310), over the limit of 576000 (16 x the scene, at most 1073741824)' &&
        (e as MapRequestError & { retryable?: boolean }).retryable === false,
    );
  });

  it('refuses a copy past MAX_REPROJECTED_PIXELS whatever the growth', () => {
    const huge = { ...UTM, width: 40000, height: 40000 };
    assert.throws(
      () => planReprojectGrid('huge.tif', huge, 3857),
      (e: Error) => e instanceof MapRequestError && e.message.startsWith('huge.tif: in EPSG:3857 would be ') && e.message.endsWith(`over the limit of ${MAX_REPROJECTED_PIXELS} (16 x the scene, at most ${MAX_REPROJECTED_PIXELS})`),
    );
  });

  it('refuses a scene without a CRS and an unknown target before any geometry', () => {
    assert.throws(() => planReprojectGrid('plain.tif', { ...UTM, epsg: null }, 3857), /^MapRequestError: plain\.tif: has no CRS or geotransform, so it cannot be reprojected to EPSG:3857$/);
    assert.throws(() => planReprojectGrid('lake.tif', UTM, 999999), /^MapRequestError: --reproject: EPSG:999999/);
  });
});

describe('resamplingFor', () => {
  // Only what resamplingFor reads: the kernel (is it a mask?) and the stored type.
  const def = (kernel: object, dtype: string) => ({ kernel, dtype }) as unknown as ProductDefinition;
  const PRODUCTS = {
    ndwi: def({ kind: 'hab', output: 'ndwi' }, 'float32'),
    water: def({ kind: 'hab', output: 'water' }, 'uint8'),
    ndci: def({ kind: 'hab', output: 'ndci' }, 'float32'),
    turbid: def({ kind: 'mask', formula: 'NDTI > 0.1' }, 'uint8'),
    tsm: def({ kind: 'formula', formula: 'R * 100' }, 'int16'),
  };
  it('is nearest for masks, bilinear for continuous products, unless one is asked', () => {
    assert.deepEqual(resamplingFor(['ndwi', 'water', 'ndci', 'turbid', 'tsm'], PRODUCTS), { ndwi: 'bilinear', water: 'nearest', ndci: 'bilinear', turbid: 'nearest', tsm: 'bilinear' });
    assert.deepEqual(resamplingFor(['ndwi', 'water'], PRODUCTS, 'nearest'), { ndwi: 'nearest', water: 'nearest' });
  });
});
