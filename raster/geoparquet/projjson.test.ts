import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnknownCrsError } from '../geo/errors';
import { knownEpsgCodes } from '../geo/crs';
import { gdalOp } from '../vector/testing/gdal-polygonize';
import { projJsonFor } from './projjson';

test('every CRS raster/geo knows has the PROJJSON GDAL gives for it (UTM zones derived from one per family)', (t) => {
  const codes = knownEpsgCodes();
  const gdal = gdalOp<Record<string, unknown>>({ op: 'projjson', codes });
  const differing = codes.filter((c) => {
    try {
      assert.deepStrictEqual(projJsonFor(c), gdal[String(c)]);
      return false;
    } catch {
      return true;
    }
  });
  t.diagnostic(`${codes.length} codes compared with GDAL, ${differing.length} differ`);
  assert.deepEqual(differing, []);
});

test('a code raster/geo does not know throws UnknownCrsError', () => {
  assert.throws(() => projJsonFor(31467), (e) => e instanceof UnknownCrsError && e.message === 'EPSG:31467 is not a CRS Tessera knows');
  assert.throws(() => projJsonFor(32661.5), UnknownCrsError);
});

test('copies are independent', () => {
  const a = projJsonFor(32633) as { name: string };
  a.name = 'changed';
  assert.equal((projJsonFor(32633) as { name: string }).name, 'WGS 84 / UTM zone 33N');
});
