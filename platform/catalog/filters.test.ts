import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FilterError } from './errors';
import { compileFilters, datetimeRangeMs, matchesFilters, parseBbox, parseCollections, parseCql2Json, parseDatetime, parseLimit } from './filters';
import type { StacItem } from './stac';

/** Asserts a FilterError with exactly this message. */
function throwsFilter(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FilterError, `expected FilterError, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

function item(over: Partial<StacItem> = {}): StacItem {
  return { type: 'Feature', id: 'a', collection: 'lake-erie', bbox: [-83, 41, -82.5, 41.5], properties: { datetime: '2024-06-01T16:00:00Z' }, ...over };
}

describe('parseBbox', () => {
  it('parses four numbers, with blanks and exponents, and allows a box across the antimeridian', () => {
    assert.deepEqual(parseBbox('-83.5, 41.3, -82.4, 42.1'), [-83.5, 41.3, -82.4, 42.1]);
    assert.deepEqual(parseBbox('1e1,2,3e1,4'), [10, 2, 30, 4]);
    assert.deepEqual(parseBbox('170,-10,-170,10'), [170, -10, -170, 10]);
    assert.deepEqual(parseBbox('-180,-90,180,90'), [-180, -90, 180, 90]);
  });

  it('rejects bad boxes with one line naming the flag and the value', () => {
    throwsFilter(() => parseBbox('1,2,3'), "--bbox '1,2,3': expected 4 numbers west,south,east,north, got 3");
    throwsFilter(() => parseBbox('1,2,3,4,5,6'), "--bbox '1,2,3,4,5,6': expected 4 numbers west,south,east,north, got 6");
    throwsFilter(() => parseBbox('a,2,3,4'), `--bbox 'a,2,3,4': west "a" is not a number`);
    throwsFilter(() => parseBbox('1,2,3,'), `--bbox '1,2,3,': north "" is not a number`);
    throwsFilter(() => parseBbox('Infinity,1,2,3'), `--bbox 'Infinity,1,2,3': west "Infinity" is not a number`);
    throwsFilter(() => parseBbox('-190,0,0,0'), "--bbox '-190,0,0,0': west -190 is outside -180..180");
    throwsFilter(() => parseBbox('0,-91,1,0'), "--bbox '0,-91,1,0': south -91 is outside -90..90");
    throwsFilter(() => parseBbox('0,50,1,40'), "--bbox '0,50,1,40': south 50 is greater than north 40");
    throwsFilter(() => parseBbox('x', '--aoi'), "--aoi 'x': expected 4 numbers west,south,east,north, got 1");
  });
});

describe('parseDatetime', () => {
  it('canonicalises instants and intervals to UTC with open ends as ..', () => {
    assert.equal(parseDatetime('2024-06-01T16:20:00Z'), '2024-06-01T16:20:00Z');
    assert.equal(parseDatetime('2024-06-01t16:20:00z'), '2024-06-01T16:20:00Z');
    assert.equal(parseDatetime('2024-06-01T10:00:00+02:00/..'), '2024-06-01T08:00:00Z/..');
    assert.equal(parseDatetime('../2024-06-01T10:00:00.25-01:30'), '../2024-06-01T11:30:00.250Z');
    assert.equal(parseDatetime('/2024-06-01T00:00:00Z'), '../2024-06-01T00:00:00Z');
    assert.equal(parseDatetime('2024-06-01T00:00:00Z/'), '2024-06-01T00:00:00Z/..');
  });

  it('reads a plain date as that whole UTC day, alone or at either end', () => {
    assert.equal(parseDatetime('2024-06-01'), '2024-06-01T00:00:00Z/2024-06-01T23:59:59.999Z');
    assert.equal(parseDatetime('2024-06-01/2024-06-07'), '2024-06-01T00:00:00Z/2024-06-07T23:59:59.999Z');
    assert.equal(parseDatetime('../2024-02-29'), '../2024-02-29T23:59:59.999Z');
    assert.deepEqual(datetimeRangeMs('2024-06-01'), [Date.UTC(2024, 5, 1), Date.UTC(2024, 5, 2) - 1]);
    assert.deepEqual(datetimeRangeMs('2024-06-01T00:00:00Z/..'), [Date.UTC(2024, 5, 1), Infinity]);
    assert.deepEqual(datetimeRangeMs('2024-06-01T00:00:00Z'), [Date.UTC(2024, 5, 1), Date.UTC(2024, 5, 1)]);
  });

  it('rejects malformed and impossible times, reversed intervals and a fully open one', () => {
    throwsFilter(() => parseDatetime('2024-02-30'), `--datetime '2024-02-30': "2024-02-30" is not a calendar date`);
    throwsFilter(() => parseDatetime('2023-02-29/..'), `--datetime '2023-02-29/..': start "2023-02-29" is not a calendar date`);
    throwsFilter(
      () => parseDatetime('2024-06-01T10:00:00'),
      `--datetime '2024-06-01T10:00:00': "2024-06-01T10:00:00" is not an RFC 3339 date-time with Z or an offset (2024-06-01T16:20:00Z) or a date (2024-06-01)`,
    );
    throwsFilter(
      () => parseDatetime('../June'),
      `--datetime '../June': end "June" is not an RFC 3339 date-time with Z or an offset (2024-06-01T16:20:00Z) or a date (2024-06-01)`,
    );
    throwsFilter(() => parseDatetime('2024-06-01T24:00:00Z'), `--datetime '2024-06-01T24:00:00Z': "2024-06-01T24:00:00Z" is not a valid date-time`);
    throwsFilter(() => parseDatetime('2024-06-07/2024-06-01'), "--datetime '2024-06-07/2024-06-01': start 2024-06-07T00:00:00Z is after end 2024-06-01T23:59:59.999Z");
    throwsFilter(() => parseDatetime('../..'), "--datetime '../..': both ends are open; leave out the flag to match every time");
    throwsFilter(() => parseDatetime('a/b/c'), "--datetime 'a/b/c': expected an instant or an interval START/END");
    throwsFilter(() => parseDatetime(''), "--datetime '': expected an instant or an interval START/END");
  });
});

describe('parseCql2Json, parseCollections, parseLimit', () => {
  it('parses a CQL2-JSON object and rejects other JSON', () => {
    assert.deepEqual(parseCql2Json('{"op":"<","args":[{"property":"eo:cloud_cover"},20]}'), { op: '<', args: [{ property: 'eo:cloud_cover' }, 20] });
    assert.throws(() => parseCql2Json('{"op":'), (err: unknown) => err instanceof FilterError && /^--filter '\{"op":': not JSON \(/.test(err.message));
    const shape = 'expected a CQL2-JSON object with "op" and "args", e.g. {"op":"<","args":[{"property":"eo:cloud_cover"},20]}';
    throwsFilter(() => parseCql2Json('[1,2]'), `--filter '[1,2]': ${shape}`);
    throwsFilter(() => parseCql2Json('{"args":[]}'), `--filter '{"args":[]}': ${shape}`);
  });

  it('parses collection lists and limits', () => {
    assert.deepEqual(parseCollections('lake-erie, lake-ontario,lake-erie'), ['lake-erie', 'lake-ontario']);
    throwsFilter(() => parseCollections('a,,b'), "--collections 'a,,b': expected comma-separated collection ids, got an empty one");
    throwsFilter(() => parseCollections(''), "--collections '': expected comma-separated collection ids, got an empty one");
    assert.equal(parseLimit('25'), 25);
    for (const bad of ['0', '-1', '2.5', '1e3', 'ten', '99999999999999999999']) throwsFilter(() => parseLimit(bad), `--limit '${bad}': expected a positive integer`);
  });
});

describe('matchesFilters', () => {
  it('matches collections, and everything when no filter is given', () => {
    assert.equal(matchesFilters(item(), {}), true);
    assert.equal(matchesFilters(item(), { collections: ['lake-erie', 'x'] }), true);
    assert.equal(matchesFilters(item(), { collections: ['x'] }), false);
    assert.equal(matchesFilters(item({ collection: undefined }), { collections: ['lake-erie'] }), false);
  });

  it('intersects bboxes, touching edges included, across the antimeridian, from the geometry when there is no bbox', () => {
    assert.equal(matchesFilters(item(), { bbox: [-82.6, 41.4, -80, 43] }), true);
    assert.equal(matchesFilters(item(), { bbox: [-82.5, 41.5, -80, 43] }), true, 'corner touches');
    assert.equal(matchesFilters(item(), { bbox: [-82.4, 41, -80, 43] }), false);
    assert.equal(matchesFilters(item(), { bbox: [-83, 41.6, -82, 42] }), false);
    const fiji = item({ bbox: [177, -19, -178, -16] });
    assert.equal(matchesFilters(fiji, { bbox: [179, -18, 180, -17] }), true);
    assert.equal(matchesFilters(fiji, { bbox: [-179, -18, -178.5, -17] }), true);
    assert.equal(matchesFilters(fiji, { bbox: [0, -18, 10, -17] }), false);
    assert.equal(matchesFilters(item(), { bbox: [170, 40, -82.9, 42] }), true, 'query box across the antimeridian reaching -82.9');
    const noBbox = item({ bbox: undefined, geometry: { type: 'Point', coordinates: [-82, 42] } });
    assert.equal(matchesFilters(noBbox, { bbox: [-83, 41, -81, 43] }), true);
    assert.equal(matchesFilters(item({ bbox: undefined, geometry: null }), { bbox: [-180, -90, 180, 90] }), false);
    assert.equal(matchesFilters(item({ bbox: [-83, 41, 0, -82.5, 41.5, 100] }), { bbox: [-82.6, 41.4, -80, 43] }), true, '3D bbox');
  });

  it('overlaps datetime intervals with datetime or start/end_datetime, closed at both ends', () => {
    assert.equal(matchesFilters(item(), { datetime: '2024-06-01' }), true);
    assert.equal(matchesFilters(item(), { datetime: '2024-06-01T16:00:00Z' }), true);
    assert.equal(matchesFilters(item(), { datetime: '2024-06-01T16:00:00Z/..' }), true);
    assert.equal(matchesFilters(item(), { datetime: '../2024-06-01T16:00:00Z' }), true);
    assert.equal(matchesFilters(item(), { datetime: '2024-06-01T16:00:01Z/..' }), false);
    assert.equal(matchesFilters(item(), { datetime: '2024-06-02' }), false);
    const span = item({ properties: { datetime: null, start_datetime: '2024-06-01T00:00:00Z', end_datetime: '2024-06-10T00:00:00Z' } });
    assert.equal(matchesFilters(span, { datetime: '2024-06-05' }), true);
    assert.equal(matchesFilters(span, { datetime: '2024-06-10T00:00:00Z/..' }), true);
    assert.equal(matchesFilters(span, { datetime: '2024-06-11/..' }), false);
    assert.equal(matchesFilters(item({ properties: { datetime: null } }), { datetime: '2024-06-01/..' }), false);
  });

  it('ANDs every filter, CQL2 included', () => {
    const all = compileFilters({ collections: ['lake-erie'], bbox: [-84, 40, -82, 42], datetime: '2024-06-01', filter: { op: '=', args: [{ property: 'id' }, 'a'] } });
    assert.equal(all(item()), true);
    assert.equal(all(item({ id: 'b' })), false);
    assert.equal(all(item({ collection: 'other' })), false);
  });
});
