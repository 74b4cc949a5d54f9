import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertFileError, parseAlertFile } from './rules';

const rule = (over: Record<string, unknown> = {}) => ({ name: 'bloom', metric: 'bloom_km2', threshold: 1.5, hysteresis: 0.5, webhook: 'https://hooks.example/tessera', ...over });
const parse = (doc: unknown) => parseAlertFile(JSON.stringify(doc), 'alerts.json');
const fails = (doc: unknown, message: RegExp) =>
  assert.throws(() => parse(doc), (err: unknown) => err instanceof AlertFileError && message.test(err.message) && err.message.startsWith('--alert alerts.json: '));

describe('parseAlertFile', () => {
  it('reads an array or {rules}, with hysteresis defaulting to 0 and an AOI Feature unwrapped', () => {
    const square = { type: 'Polygon', coordinates: [[[-83.5, 41.5], [-83, 41.5], [-83, 42], [-83.5, 42], [-83.5, 41.5]]] };
    const [a, b] = parse({ rules: [rule(), rule({ name: 'p98', metric: 'ndci_p98', hysteresis: undefined, aoi: { type: 'Feature', properties: {}, geometry: square } })] });
    assert.deepEqual(a, { name: 'bloom', metric: 'bloom_km2', threshold: 1.5, hysteresis: 0.5, webhook: 'https://hooks.example/tessera' });
    assert.equal(b.hysteresis, 0);
    assert.deepEqual(b.aoi, square);
    assert.equal(parse([rule({ metric: 'bloom_fraction' })]).length, 1);
  });

  it('an unknown metric names the metrics there are', () => {
    fails([rule({ metric: 'chlorophyll' })], /rule 0 \("bloom"\): unknown metric "chlorophyll" \(metrics: bloom_km2, bloom_fraction, ndwi_p98, water_p98, ndci_p98, ndvi_p98\)/);
    fails([rule({ metric: 'rgb_p98' })], /unknown metric "rgb_p98"/);
  });

  it('a webhook that is malformed or not http(s) is refused', () => {
    fails([rule({ webhook: 'not a url' })], /webhook "not a url" is not a URL/);
    fails([rule({ webhook: 'ftp://hooks.example/x' })], /has scheme ftp; expected http or https/);
    fails([rule({ webhook: '/relative/path' })], /is not a URL/);
    fails([rule({ webhook: 'https://user:secret@hooks.example/' })], /carries credentials/);
    fails([rule({ webhook: 42 })], /webhook must be an http:\/\/ or https:\/\/ URL/);
  });

  it('refuses bad numbers, names, fields and AOIs', () => {
    fails([rule({ threshold: '1' })], /threshold must be a finite number/);
    fails([rule({ hysteresis: -1 })], /hysteresis must be a number >= 0/);
    fails([rule({ name: 'has space' })], /name must be 1-64 letters/);
    fails([rule(), rule()], /rule 1: name "bloom" is used twice/);
    fails([rule({ colour: 'red' })], /unknown field "colour"/);
    fails([rule({ aoi: { type: 'Point', coordinates: [0, 0] } })], /aoi is a Point; expected a Polygon or MultiPolygon/);
    fails([rule({ aoi: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } })], /ring 0 is not closed/);
    fails([rule({ aoi: { type: 'Polygon', coordinates: [[[0, 0], [500, 0], [1, 1], [0, 0]]] } })], /is not lon\/lat in degrees/);
    fails([], /holds no rules/);
    fails({ rule: [] }, /expected a JSON array of rules/);
  });

  it('is JSON only, and says so to a YAML file', () => {
    assert.throws(() => parseAlertFile('- name: bloom\n  metric: bloom_km2\n', 'alerts.yaml'), /not JSON .*YAML is not supported, write the rules as JSON/);
  });
});
