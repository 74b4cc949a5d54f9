import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertRule, AlertState } from './alert-types';
import { alertIdempotencyKey, evaluateScenes, stepRule, type SceneFacts } from './hysteresis';

const fresh = (rules: AlertRule[]): AlertState => ({ rules: Object.fromEntries(rules.map((r) => [r.name, { armed: true, crossings: 0 }])), seen: { datetimeMs: null, ids: [] } });
const rule: AlertRule = { name: 'bloom', metric: 'bloom_km2', threshold: 2, hysteresis: 0.5, webhook: 'http://127.0.0.1:9/hook' };
const facts = (sceneId: string, value: number | null, datetime: string, bbox: SceneFacts['bbox'] = [-83.4, 41.7, -83.2, 41.9]) => ({
  sceneId,
  datetime,
  facts: { sceneId, datetime, bbox, metrics: { bloom_km2: value }, stacItem: `s3://out/scenes/${sceneId}/item.json`, ndciPreview: null },
});

describe('stepRule', () => {
  it('fires once above the threshold and re-arms only below threshold - hysteresis', () => {
    let s = { armed: true, crossings: 0 };
    const seq = [1, 2, 2.1, 3, 1.8, 1.6, 2.5, 1.4, 2.01];
    const fired = seq.map((v) => {
      const r = stepRule(rule, s, v);
      s = r.state;
      return r.fired;
    });
    // 2 is not above 2; 1.8 and 1.6 are within the hysteresis band; 1.4 re-arms.
    assert.deepEqual(fired, [false, false, true, false, false, false, false, false, true]);
    assert.equal(s.crossings, 2);
  });
});

describe('evaluateScenes', () => {
  it('gives one crossing per rise, with stable keys, and remembers what it evaluated', () => {
    const scenes = [facts('a', 1, '2026-06-01T00:00:00Z'), facts('b', 3, '2026-06-02T00:00:00Z'), facts('c', 4, '2026-06-03T00:00:00Z'), facts('d', 1, '2026-06-04T00:00:00Z'), facts('e', 2.2, '2026-06-05T00:00:00Z')];
    const r = evaluateScenes([rule], fresh([rule]), scenes, 'sensor lake');
    assert.deepEqual(r.crossings.map((c) => [c.scene, c.crossing, c.value]), [['b', 1, 3], ['e', 2, 2.2]]);
    assert.equal(r.crossings[0].idempotencyKey, alertIdempotencyKey('bloom', 'b', 1));
    assert.match(r.crossings[0].idempotencyKey, /^[0-9a-f]{64}$/);
    assert.equal(r.crossings[0].automation, 'sensor lake');
    assert.deepEqual(r.state.seen.ids, ['a', 'b', 'c', 'd', 'e']);

    // The same scenes again, or an older one, change nothing; a newer one is evaluated from the carried state.
    const again = evaluateScenes([rule], r.state, [...scenes, facts('old', 9, '2026-05-01T00:00:00Z'), facts('f', 5, '2026-06-06T00:00:00Z')], 'sensor lake');
    assert.deepEqual(again.crossings, []);
    assert.deepEqual(again.scenes.map((s) => s.status), ['already evaluated', 'already evaluated', 'already evaluated', 'already evaluated', 'already evaluated', 'older than evaluated', 'evaluated']);
    assert.equal(again.state.rules.bloom.armed, false, 'e fired and f holds it');
  });

  it('an AOI leaves out scenes whose footprint does not meet it; a scene without a value or a manifest counts for nothing', () => {
    const aoiRule: AlertRule = { ...rule, aoi: { type: 'Polygon', coordinates: [[[-83.3, 41.8], [-83.25, 41.8], [-83.25, 41.85], [-83.3, 41.85], [-83.3, 41.8]]] } };
    const far = facts('far', 10, '2026-06-01T00:00:00Z', [10, 10, 11, 11]);
    const unplaced = facts('unplaced', 10, '2026-06-01T01:00:00Z', null);
    const novalue = facts('novalue', null, '2026-06-01T02:00:00Z');
    const near = facts('near', 10, '2026-06-01T03:00:00Z');
    const r = evaluateScenes([aoiRule], fresh([aoiRule]), [far, unplaced, novalue, { sceneId: 'failed', datetime: null, facts: null }, near], 'schedule s');
    assert.deepEqual(
      r.scenes.map((s) => [s.sceneId, s.status, s.rules.map((o) => ('skipped' in o ? o.skipped : o.fired))]),
      [
        ['far', 'evaluated', ['outside aoi']],
        ['unplaced', 'evaluated', ['no footprint']],
        ['novalue', 'evaluated', ['no value']],
        ['failed', 'not processed', []],
        ['near', 'evaluated', [true]],
      ],
    );
    assert.deepEqual(r.crossings.map((c) => c.scene), ['near']);
  });
});
