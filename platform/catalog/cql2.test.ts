import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCql2 } from './cql2';
import { FilterError } from './errors';
import type { StacItem } from './stac';

const erie: StacItem = {
  type: 'Feature',
  id: 'erie-2024-06-01',
  collection: 'lake-erie',
  bbox: [-83, 41, -82.5, 41.5],
  properties: { datetime: '2024-06-01T16:00:00Z', 'eo:cloud_cover': 12, platform: 'dragonette-003', instruments: ['vnir'], 'sat:orbit_state': null, calibrated: true },
};

function test(expr: unknown, it: StacItem = erie): boolean {
  return compileCql2(expr)(it);
}

const prop = (name: string) => ({ property: name });

describe('compileCql2', () => {
  it('compares numbers, strings, booleans and the top-level id and collection', () => {
    assert.equal(test({ op: '<', args: [prop('eo:cloud_cover'), 20] }), true);
    assert.equal(test({ op: '<', args: [prop('eo:cloud_cover'), 12] }), false);
    assert.equal(test({ op: '<=', args: [prop('eo:cloud_cover'), 12] }), true);
    assert.equal(test({ op: '>', args: [prop('eo:cloud_cover'), 11.5] }), true);
    assert.equal(test({ op: '>=', args: [prop('eo:cloud_cover'), 13] }), false);
    assert.equal(test({ op: '=', args: [prop('platform'), 'dragonette-003'] }), true);
    assert.equal(test({ op: '<>', args: [prop('platform'), 'dragonette-003'] }), false);
    assert.equal(test({ op: '=', args: [prop('id'), 'erie-2024-06-01'] }), true);
    assert.equal(test({ op: '=', args: [prop('collection'), 'lake-erie'] }), true);
    assert.equal(test({ op: '=', args: [prop('calibrated'), true] }), true);
    assert.equal(test({ op: '=', args: [prop('properties.eo:cloud_cover'), 12] }), true);
    assert.equal(test({ op: '=', args: [12, prop('eo:cloud_cover')] }), true, 'property on either side');
    assert.equal(test({ op: '=', args: [prop('eo:cloud_cover'), '12'] }), false, 'a number never equals a string');
    assert.equal(test({ op: '<>', args: [prop('eo:cloud_cover'), '12'] }), true);
  });

  it('uses three-valued logic: a missing property is unknown, and not(unknown) does not match', () => {
    const lt = { op: '<', args: [prop('view:off_nadir'), 5] };
    assert.equal(test(lt), false);
    assert.equal(test({ op: 'not', args: [lt] }), false);
    assert.equal(test({ op: 'or', args: [lt, true] }), true);
    assert.equal(test({ op: 'and', args: [lt, true] }), false);
    assert.equal(test({ op: 'isNull', args: [prop('view:off_nadir')] }), true);
    assert.equal(test({ op: 'isNull', args: [prop('sat:orbit_state')] }), true);
    assert.equal(test({ op: 'isNull', args: [prop('platform')] }), false);
    assert.equal(test({ op: 'not', args: [{ op: 'isNull', args: [prop('platform')] }] }), true);
  });

  it('combines with and, or, not', () => {
    const cloudy = { op: '>', args: [prop('eo:cloud_cover'), 50] };
    const erieOnly = { op: '=', args: [prop('collection'), 'lake-erie'] };
    assert.equal(test({ op: 'and', args: [erieOnly, { op: 'not', args: [cloudy] }] }), true);
    assert.equal(test({ op: 'or', args: [cloudy, { op: '=', args: [prop('id'), 'x'] }] }), false);
    assert.equal(test({ op: 'AND', args: [erieOnly, erieOnly] }), true, 'operator names are case-insensitive');
  });

  it('evaluates in, between (both argument forms) and like', () => {
    assert.equal(test({ op: 'in', args: [prop('platform'), ['dragonette-001', 'dragonette-003']] }), true);
    assert.equal(test({ op: 'in', args: [prop('platform'), ['dragonette-001']] }), false);
    assert.equal(test({ op: 'in', args: [prop('nope'), ['a']] }), false);
    assert.equal(test({ op: 'between', args: [prop('eo:cloud_cover'), 10, 12] }), true);
    assert.equal(test({ op: 'between', args: [prop('eo:cloud_cover'), [13, 20]] }), false);
    assert.equal(test({ op: 'like', args: [prop('platform'), 'dragonette-%'] }), true);
    assert.equal(test({ op: 'like', args: [prop('platform'), 'dragonette-00_'] }), true);
    assert.equal(test({ op: 'like', args: [prop('platform'), 'dragonette-0_'] }), false);
    assert.equal(test({ op: 'like', args: [prop('id'), 'erie-2024-06-%'] }), true);
    assert.equal(test({ op: 'like', args: [prop('platform'), 'dragonette\\-%'] }), true, 'escaped character matches itself');
    assert.equal(test({ op: 'like', args: [prop('platform'), '%.%'] }), false, 'regex characters are literal');
    assert.equal(test({ op: 'like', args: [prop('eo:cloud_cover'), '1%'] }), false, 'like on a number is unknown');
  });

  it('compares timestamps and dates with the item datetime', () => {
    assert.equal(test({ op: '>=', args: [prop('datetime'), { timestamp: '2024-06-01T16:00:00Z' }] }), true);
    assert.equal(test({ op: '>', args: [prop('datetime'), { timestamp: '2024-06-01T18:00:00+02:00' }] }), false, '18:00+02 is 16:00Z');
    assert.equal(test({ op: '>=', args: [prop('datetime'), { date: '2024-06-01' }] }), true);
    assert.equal(test({ op: '<', args: [prop('datetime'), { date: '2024-06-01' }] }), false);
    assert.equal(test({ op: 'between', args: [prop('datetime'), { date: '2024-05-01' }, { date: '2024-07-01' }] }), true);
    assert.equal(test({ op: '=', args: [prop('platform'), { timestamp: '2024-06-01T16:00:00Z' }] }), false, 'a non-time string is not a time');
  });

  it('s_intersects the item bbox with a bbox, a polygon, a point or a line', () => {
    const si = (geom: unknown) => test({ op: 's_intersects', args: [prop('geometry'), geom] });
    assert.equal(si({ bbox: [-82.6, 41.4, -80, 43] }), true);
    assert.equal(si({ bbox: [-82, 41.4, -80, 43] }), false);
    const ring = (pts: number[][]) => ({ type: 'Polygon', coordinates: [[...pts, pts[0]]] });
    assert.equal(si(ring([[-84, 42], [-82, 42], [-84, 40]])), true);
    // Its extent covers the item bbox, but the hypotenuse passes south-west of the item.
    assert.equal(si(ring([[-86, 42], [-86, 38], [-82, 38]])), false);
    assert.equal(si(ring([[-90, 30], [-70, 30], [-70, 50], [-90, 50]])), true, 'item inside the polygon');
    assert.equal(si(ring([[-82.9, 41.1], [-82.6, 41.1], [-82.6, 41.4]])), true, 'polygon inside the item');
    assert.equal(si({ type: 'Point', coordinates: [-82.75, 41.25] }), true);
    assert.equal(si({ type: 'Point', coordinates: [-80, 41.25] }), false);
    assert.equal(si({ type: 'LineString', coordinates: [[-84, 41.25], [-80, 41.25]] }), true, 'line crossing the box');
    assert.equal(si({ type: 'MultiPolygon', coordinates: [ring([[0, 0], [1, 0], [1, 1]]).coordinates, ring([[-84, 42], [-82, 42], [-84, 40]]).coordinates] }), true);
    assert.equal(test({ op: 's_intersects', args: [{ bbox: [-82.6, 41.4, -80, 43] }, prop('geometry')] }), true, 'literal first');
    const noFootprint = { ...erie, bbox: undefined };
    assert.equal(test({ op: 's_intersects', args: [prop('geometry'), { bbox: [-180, -90, 180, 90] }] }, noFootprint), false, 'no footprint, no match');
  });

  it('rejects unsupported operators and malformed expressions with FilterError', () => {
    const cases: Array<[unknown, string]> = [
      [{ op: 't_intersects', args: [prop('datetime'), { interval: ['2024-01-01', '..'] }] }, 'unsupported CQL2 operator "t_intersects" (supported: and, or, not, =, <>, <, <=, >, >=, isNull, in, between, like, s_intersects)'],
      [{ op: 'and', args: [{ op: 'a_contains', args: [prop('instruments'), ['vnir']] }, true] }, 'unsupported CQL2 operator "a_contains"'],
      [{ op: '<', args: [prop('eo:cloud_cover')] }, '"<" takes 2 arguments, got 1'],
      [{ op: 'not', args: [true, false] }, '"not" takes 1 argument, got 2'],
      [{ op: 'in', args: [prop('platform'), 'a'] }, '"in" takes a value and an array, got "a"'],
      [{ op: 'like', args: [prop('platform'), 5] }, '"like" takes a string pattern, got 5'],
      [{ op: '=', args: [{ timestamp: 'yesterday' }, 1] }, '"timestamp" must be an RFC 3339 date-time, got "yesterday"'],
      [{ op: '=', args: [{ date: '2024-6-1' }, 1] }, '"date" must be YYYY-MM-DD, got "2024-6-1"'],
      [{ op: 's_intersects', args: [prop('geometry'), { bbox: [1, 2, 3] }] }, '"bbox" must be 4 or 6 numbers, got [1,2,3]'],
      [{ op: '=', args: [{ function: { name: 'x' } }, 1] }, 'unsupported CQL2 value {"function":{"name":"x"}}'],
      [{ op: 'and', args: [] }, '"and" needs at least one argument'],
      [{ op: '=', args: {} }, '"=": args must be an array'],
      [{ op: '=', args: [{ property: '' }, 1] }, '"property" must be a non-empty string, got ""'],
    ];
    for (const [expr, detail] of cases) {
      assert.throws(
        () => compileCql2(expr),
        (err: unknown) => {
          assert.ok(err instanceof FilterError);
          assert.ok(err.message.startsWith("--filter '"), err.message);
          assert.ok(err.message.includes(`': ${detail}`), `${err.message}\n  should end with: ${detail}`);
          return true;
        },
        JSON.stringify(expr),
      );
    }
  });
});
