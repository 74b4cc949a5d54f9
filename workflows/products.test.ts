import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkParams, nonDefaultParams, productParams, productVariant, withDependencies } from './products';

test('a product with default parameters keeps its name; other parameter sets get their own variant', () => {
  assert.equal(productVariant('ndci'), 'ndci');
  assert.equal(productVariant('ndci', { 'ndci.threshold': 0.3 }), 'ndci', 'an override equal to the default is the default');
  const a = productVariant('ndci', { 'ndci.threshold': 0.25 });
  const b = productVariant('ndci', { 'ndci.threshold': 0.2 });
  assert.match(a, /^ndci@[0-9a-f]{8}$/);
  assert.notEqual(a, b);
  // NDCI is computed inside the water mask: the water threshold makes another NDCI, but not another NDWI.
  assert.match(productVariant('ndci', { 'water.threshold': 0.2 }), /^ndci@/);
  assert.equal(productVariant('ndwi', { 'water.threshold': 0.2 }), 'ndwi');
  assert.deepEqual(nonDefaultParams('ndci', { 'water.threshold': 0.2, 'ndci.threshold': 0.3 }), { 'water.threshold': 0.2 });
  assert.deepEqual(withDependencies('ndci'), ['water', 'ndci']);
  assert.deepEqual(productParams('ndci', { 'ndci.threshold': 0.25 }), { threshold: 0.25 });
});

test('checkParams names the bad key and what the product accepts', () => {
  assert.throws(() => checkParams({ 'ndci.threshhold': 1 }), /ndci has no parameter "threshhold" \(it has threshold\)/);
  assert.throws(() => checkParams({ 'foo.x': 1 }), /"foo.x" is not <product>.<param>/);
  assert.throws(() => checkParams({ 'ndwi.threshold': 1 }), /ndwi has no parameter "threshold" \(it has none\)/);
  assert.doesNotThrow(() => checkParams({ 'water.threshold': 0.1 }));
});
