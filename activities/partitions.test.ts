import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decidePartition, definitionHash, inputIdentity, partitionKey, productCodeVersion, type PartitionRecord } from './partitions';

const bands = { g: { role: 'g', index: 5, wavelengthNm: 550 }, n: { role: 'n', index: 28, wavelengthNm: 849 }, re: { role: 're', index: 18, wavelengthNm: 712 }, r: { role: 'r', index: 15, wavelengthNm: 669 } };
const def = (params?: Record<string, number>, variant = 'ndci') => definitionHash({ product: 'ndci', variant, params, bands, tileSizePx: 512, previewFactor: 2 });

test('the key changes with the input, the definition (own and dependency parameters) and the code version', () => {
  const id = inputIdentity(new Uint8Array([1, 2, 3]), { sizeBytes: 100, etag: '"a"' });
  const code = productCodeVersion('ndci');
  assert.equal(code, 'pipeline.v1/ndci.v1/water.v1');
  const key = partitionKey(id, def(), code);
  assert.equal(key, partitionKey(id, def(), code), 'deterministic');
  assert.notEqual(partitionKey(inputIdentity(new Uint8Array([1, 2, 3]), { sizeBytes: 100, etag: '"b"' }), def(), code), key, 'ETag');
  assert.notEqual(partitionKey(inputIdentity(new Uint8Array([1, 2, 4]), { sizeBytes: 100, etag: '"a"' }), def(), code), key, 'header bytes');
  assert.notEqual(partitionKey(id, def({ 'ndci.threshold': 0.25 }), code), key, 'own parameter');
  assert.notEqual(partitionKey(id, def({ 'water.threshold': 0.2 }), code), key, 'dependency parameter');
  assert.equal(partitionKey(id, def({ 'ndvi.x': 1 } as never), code), key, 'parameters of unrelated products do not count');
  assert.notEqual(partitionKey(id, def(), 'pipeline.v1/ndci.v2/water.v1'), key, 'code version');
});

test('decidePartition: skip only an unchanged key whose outputs exist, and say why otherwise', () => {
  const want = { variant: 'ndci', product: 'ndci' as const, key: 'k2', inputIdentity: 'i1', definitionHash: 'd1', codeVersion: 'pipeline.v1/ndci.v1/water.v1' };
  const rec = (over: Partial<PartitionRecord>): PartitionRecord => ({ product: 'ndci', variant: 'ndci', key: 'k2', inputIdentity: 'i1', definitionHash: 'd1', codeVersion: want.codeVersion, params: {}, outputs: [], summary: {} as never, ...over });
  assert.deepEqual([decidePartition(want, undefined, false).action, decidePartition(want, undefined, false).reason], ['computed', 'new']);
  assert.equal(decidePartition(want, rec({}), true).action, 'skipped');
  assert.equal(decidePartition(want, rec({}), false).reason, 'outputs missing');
  assert.equal(decidePartition(want, rec({ key: 'k1', inputIdentity: 'i0' }), true).reason, 'input changed');
  assert.equal(decidePartition(want, rec({ key: 'k1', definitionHash: 'd0' }), true).reason, 'definition changed');
  assert.equal(decidePartition(want, rec({ codeVersion: 'pipeline.v0/ndci.v1/water.v1' }), true).reason, 'code version changed (pipeline.v0/ndci.v1/water.v1 → pipeline.v1/ndci.v1/water.v1)');
});

test('map outputs are part of the definition only when asked: keys of runs without them stay what they were', () => {
  const base = { product: 'water', variant: 'water', bands, tileSizePx: 512, previewFactor: 2 };
  const vectors = { names: ['water'], connectivity: 4 as const, minAreaM2: 0, formats: ['geojson', 'geoparquet'] };
  // The hash of a run without map outputs, written before they existed (pipeline.v1): a manifest recorded with it
  // must still be found unchanged.
  assert.equal(definitionHash(base), 'ae13e7586855f92be8e4254dba7a00f9c5e1fcfcbe1570e17225b3c07620a426');
  assert.equal(definitionHash({ ...base, maps: undefined }), definitionHash(base));
  const withVectors = definitionHash({ ...base, maps: { vectors } });
  assert.notEqual(withVectors, definitionHash(base));
  assert.notEqual(withVectors, definitionHash({ ...base, maps: { vectors: { ...vectors, connectivity: 8 } } }));
  assert.notEqual(withVectors, definitionHash({ ...base, maps: { vectors: { ...vectors, minAreaM2: 100 } } }));
  assert.notEqual(definitionHash({ ...base, maps: { reproject: { epsg: 3857, resampling: 'nearest' } } }), definitionHash({ ...base, maps: { reproject: { epsg: 4326, resampling: 'nearest' } } }));
});
