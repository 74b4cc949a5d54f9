import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildManifest, sha256Hex, Sha256Stream, type ManifestInput } from './manifest';
import { StacInputError } from './errors';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const INPUT: ManifestInput = {
  sceneId: 'S1',
  workflowId: 'scene-S1',
  runId: '0191c4f2-run',
  inputs: [{ uri: 's3://in/S1.tif', sizeBytes: 123456 }],
  parameters: { tileSizePx: 512, products: ['ndwi', 'ndci'], thresholds: { ndci: 0.2, ndwi: 0 }, note: undefined },
  codeVersion: 'v0.1.0-3-gabc1234',
  outputs: [
    { uri: 's3://out/S1/ndwi.tif', sizeBytes: 2000, sha256: HASH_B, role: 'cog' },
    { uri: 's3://out/S1/item.json', sizeBytes: 300, sha256: HASH_A, role: 'stac' },
  ],
  createdAt: '2024-06-01T12:00:00.000Z',
};

test('manifest: fixed key order, outputs sorted by uri, parameters sorted by key, totals', () => {
  const m = buildManifest(INPUT);
  assert.deepEqual(Object.keys(m), ['manifestVersion', 'sceneId', 'workflowId', 'runId', 'createdAt', 'codeVersion', 'parameters', 'inputs', 'outputs', 'totals']);
  assert.equal(
    JSON.stringify(m),
    JSON.stringify({
      manifestVersion: 1,
      sceneId: 'S1',
      workflowId: 'scene-S1',
      runId: '0191c4f2-run',
      createdAt: '2024-06-01T12:00:00.000Z',
      codeVersion: 'v0.1.0-3-gabc1234',
      parameters: { products: ['ndwi', 'ndci'], thresholds: { ndci: 0.2, ndwi: 0 }, tileSizePx: 512 },
      inputs: [{ uri: 's3://in/S1.tif', sizeBytes: 123456 }],
      outputs: [
        { uri: 's3://out/S1/item.json', role: 'stac', sizeBytes: 300, sha256: HASH_A },
        { uri: 's3://out/S1/ndwi.tif', role: 'cog', sizeBytes: 2000, sha256: HASH_B },
      ],
      totals: { outputCount: 2, outputBytes: 2300 },
    }),
  );
});

test('manifest bytes do not depend on input order; optional ids are omitted', () => {
  const shuffled: ManifestInput = {
    ...INPUT,
    outputs: [...INPUT.outputs].reverse(),
    parameters: { thresholds: { ndwi: 0, ndci: 0.2 }, tileSizePx: 512, products: ['ndwi', 'ndci'] },
  };
  assert.equal(JSON.stringify(buildManifest(shuffled)), JSON.stringify(buildManifest(INPUT)));
  const bare = buildManifest({ ...INPUT, runId: undefined, workflowId: undefined });
  assert.ok(!('runId' in bare) && !('workflowId' in bare));
});

test('manifest rejects data it cannot record faithfully', () => {
  const out = INPUT.outputs[0];
  const cases: Array<[Partial<ManifestInput>, string]> = [
    [{ outputs: [out, { ...out }] }, 'S1: output s3://out/S1/ndwi.tif is listed twice'],
    [{ outputs: [{ ...out, sha256: HASH_A.toUpperCase() }] }, `S1: output s3://out/S1/ndwi.tif sha256 "${HASH_A.toUpperCase()}" is not 64 lower-case hex digits`],
    [{ outputs: [{ ...out, sizeBytes: -1 }] }, 'S1: output s3://out/S1/ndwi.tif sizeBytes -1 is not an integer >= 0'],
    [{ inputs: [{ uri: 's3://in/x', sizeBytes: 1.5 }] }, 'S1: input s3://in/x sizeBytes 1.5 is not an integer >= 0'],
    [{ parameters: { factor: NaN } }, 'S1: parameters.factor = NaN is not a finite number'],
    [{ parameters: { when: new Date(0) } }, 'S1: parameters.when is a Date, not a JSON value'],
    [{ createdAt: 'yesterday' }, 'S1: createdAt "yesterday" is not an RFC 3339 date-time with a time zone'],
    [{ codeVersion: '' }, 'S1: codeVersion is empty'],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => buildManifest({ ...INPUT, ...patch }), (e) => e instanceof StacInputError && e.message === message, message);
  }
});

// FIPS 180-2 test vectors.
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const TWO_BLOCK = '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1';
const MILLION_A = 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0';

test('sha256Hex matches the FIPS 180-2 vectors', () => {
  const enc = new TextEncoder();
  assert.equal(sha256Hex(enc.encode('abc')), ABC);
  assert.equal(sha256Hex(enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')), TWO_BLOCK);
  assert.equal(sha256Hex(new Uint8Array(0)), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('Sha256Stream over uneven chunks equals the one-shot hash', () => {
  const million = new Uint8Array(1_000_000).fill(0x61);
  const s = new Sha256Stream();
  // Chunk sizes that straddle the 64-byte block boundary in every way.
  for (let off = 0, k = 1; off < million.length; k = (k * 7 + 13) % 100_003) {
    const end = Math.min(million.length, off + k);
    s.update(million.subarray(off, end));
    off = end;
  }
  assert.equal(s.sizeBytes, 1_000_000);
  assert.equal(s.digest(), MILLION_A);
  assert.equal(s.digest(), MILLION_A, 'digest is idempotent');
  assert.throws(() => s.update(new Uint8Array(1)), (e) => e instanceof Error && e.message === 'sha256: update of 1 bytes after digest of 1000000 bytes');
  assert.equal(new Sha256Stream().update(new TextEncoder().encode('ab')).update(new TextEncoder().encode('c')).digest(), ABC);
});
