import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChartAxisError, dateTicks, linearTicks } from './ticks';

const days = (ticksMs: number[]): string[] => ticksMs.map((t) => new Date(t).toISOString().slice(0, 10));

test('linearTicks picks 1, 2, 2.5 or 5 x 10^k steps that enclose the range', () => {
  const cases: Array<[number, number, number, number[], number]> = [
    [0, 43, 8, [0, 10, 20, 30, 40, 50], 0],
    [0, 12900, 8, [0, 2000, 4000, 6000, 8000, 10000, 12000, 14000], 0],
    [0, 0.019, 8, [0, 0.005, 0.01, 0.015, 0.02], 3],
    [0, 9, 5, [0, 2.5, 5, 7.5, 10], 1],
    [-3, 7, 6, [-5, -2.5, 0, 2.5, 5, 7.5], 1],
    // A flat series still gets an axis.
    [0, 0, 8, [0, 0.2, 0.4, 0.6, 0.8, 1], 1],
    [50, 50, 4, [45, 50, 55], 0],
  ];
  for (const [lo, hi, max, ticks, decimals] of cases) {
    const t = linearTicks(lo, hi, max);
    assert.deepEqual(t.ticks, ticks, `[${lo}, ${hi}] max ${max}`);
    assert.equal(t.decimals, decimals, `[${lo}, ${hi}] decimals`);
    assert.ok(t.ticks.length <= max && t.min <= lo && t.max >= hi);
  }
  assert.throws(() => linearTicks(0, NaN, 5), ChartAxisError);
  assert.throws(() => linearTicks(2, 1, 5), ChartAxisError);
  assert.throws(() => linearTicks(0, 1, 2), ChartAxisError);
});

test('dateTicks: half-months for half a year, days for a week across New Year, quarters for three years', () => {
  const season = dateTicks(Date.UTC(2024, 2, 28), Date.UTC(2024, 8, 25), 12);
  assert.deepEqual(season.step, { unit: 'day', count: 14 });
  // Counted from the 1st of each month: the 29th would crowd the next 1st, so it is skipped.
  assert.deepEqual(days(season.ticksMs), ['2024-04-01', '2024-04-15', '2024-05-01', '2024-05-15', '2024-06-01', '2024-06-15',
    '2024-07-01', '2024-07-15', '2024-08-01', '2024-08-15', '2024-09-01', '2024-09-15']);
  assert.deepEqual(season.labels.slice(0, 2), [{ main: '1 Apr', year: '2024' }, { main: '15 Apr', year: null }]);

  const newYear = dateTicks(Date.UTC(2024, 11, 29, 12), Date.UTC(2025, 0, 2, 12), 12);
  assert.deepEqual(days(newYear.ticksMs), ['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02']);
  // The year is written under the first tick and where it changes.
  assert.deepEqual(newYear.labels.map((l) => l.year), ['2024', null, '2025', null]);

  const weeks = dateTicks(Date.UTC(2024, 4, 30), Date.UTC(2024, 6, 20), 8);
  assert.deepEqual(weeks.step, { unit: 'day', count: 7 });
  assert.deepEqual(days(weeks.ticksMs), ['2024-06-01', '2024-06-08', '2024-06-15', '2024-06-22', '2024-07-01', '2024-07-08', '2024-07-15']);

  const years = dateTicks(Date.UTC(2021, 11, 20), Date.UTC(2024, 11, 20), 12);
  assert.deepEqual(years.step, { unit: 'month', count: 3 });
  assert.equal(years.ticksMs.length, 12);
  assert.deepEqual(years.labels.slice(0, 5).map((l) => `${l.main}/${l.year}`), ['Jan/2022', 'Apr/null', 'Jul/null', 'Oct/null', 'Jan/2023']);

  const century = dateTicks(Date.UTC(1900, 0, 1), Date.UTC(2024, 0, 1), 4);
  assert.deepEqual(century.labels, [{ main: '1900', year: null }, { main: '1950', year: null }, { main: '2000', year: null }]);

  assert.throws(() => dateTicks(2, 1, 5), ChartAxisError);
});
