/** Edit distance and "did you mean" suggestions for index names. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestNames, editDistance } from './did-you-mean';

describe('did you mean', () => {
  it('edit distance counts insertions, deletions, substitutions and adjacent swaps', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('NDVI', 'NDVI'), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('FHL', 'FLH'), 1);
    assert.equal(editDistance('NDVI', 'ndvi'), 4);
  });
  it('suggests every name at the smallest distance, case-insensitively, and nothing far off', () => {
    const names = ['NDVI', 'GNDVI', 'NDWI', 'SAVI', 'kNDVI', 'EVI'];
    assert.deepEqual(closestNames('ndvj', names), ['NDVI']);
    assert.deepEqual(closestNames('NDVII', names), ['NDVI']);
    assert.deepEqual(closestNames('XNDVI', names), ['NDVI', 'GNDVI', 'kNDVI']);
    assert.deepEqual(closestNames('something', names), []);
  });
});
