import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronError, cronMatches, nextFireMs, parseCron, previousFireMs } from './schedule-cron';

const at = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString();

describe('parseCron', () => {
  it('expands values, ranges, steps, lists and names', () => {
    const c = parseCron('*/15 9-17/4 1,15 jan-MAR mon-fri');
    assert.deepEqual(c.minutes, [0, 15, 30, 45]);
    assert.deepEqual(c.hours, [9, 13, 17]);
    assert.deepEqual(c.daysOfMonth, [1, 15]);
    assert.deepEqual(c.months, [1, 2, 3]);
    assert.deepEqual(c.daysOfWeek, [1, 2, 3, 4, 5]);
  });

  it('reads 7 as Sunday, `a/n` as a to the end, and the @ names', () => {
    assert.deepEqual(parseCron('0 0 * * 5-7').daysOfWeek, [0, 5, 6]);
    assert.deepEqual(parseCron('50/5 * * * *').minutes, [50, 55]);
    assert.equal(parseCron('@daily').expression, '@daily');
    assert.deepEqual(parseCron('@hourly').minutes, [0]);
    assert.deepEqual(parseCron('@weekly').daysOfWeek, [0]);
  });

  it('refuses what Temporal would not take, naming the field', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /is empty/],
      ['* * * *', /has 4 fields; expected 5/],
      ['0 0 * * * 2030', /has 6 fields/],
      ['60 * * * *', /minute "60": 60 is outside 0-59/],
      ['* 24 * * *', /hour "24"/],
      ['* * 0 * *', /day of month "0"/],
      ['* * * 13 *', /month "13"/],
      ['* * * foo *', /month "foo": "foo" is neither a number/],
      ['* * * * 8', /day of week "8"/],
      ['5-1 * * * *', /ends \(1\) before it starts \(5\)/],
      ['*/0 * * * *', /step after "\/" must be a whole number of at least 1/],
      ['* * L * *', /L, W, # and \? are not supported/],
      ['@every 5m', /use --every/],
      ['@sometimes', /is not one of/],
    ];
    for (const [expr, message] of cases) {
      assert.throws(() => parseCron(expr), (err: unknown) => err instanceof CronError && message.test(err.message), expr);
    }
  });
});

describe('fire times', () => {
  it('previousFireMs is strictly before, nextFireMs strictly after', () => {
    const c = parseCron('*/10 * * * *');
    assert.equal(iso(previousFireMs(c, at('2026-03-01T12:20:00Z'))), '2026-03-01T12:10:00.000Z');
    assert.equal(iso(previousFireMs(c, at('2026-03-01T12:20:00.001Z'))), '2026-03-01T12:20:00.000Z');
    assert.equal(iso(nextFireMs(c, at('2026-03-01T12:20:00Z'))), '2026-03-01T12:30:00.000Z');
  });

  it('jumps over months, days and hours, across a year end', () => {
    const c = parseCron('30 6 * * *');
    assert.equal(iso(previousFireMs(c, at('2026-01-01T06:00:00Z'))), '2025-12-31T06:30:00.000Z');
    const monthly = parseCron('0 0 1 * *');
    assert.equal(iso(previousFireMs(monthly, at('2026-03-15T00:00:00Z'))), '2026-03-01T00:00:00.000Z');
    assert.equal(iso(nextFireMs(monthly, at('2026-12-15T00:00:00Z'))), '2027-01-01T00:00:00.000Z');
  });

  it('day of month AND day of week must both match, as in Temporal', () => {
    const c = parseCron('0 9 13 * fri');
    const next = nextFireMs(c, at('2026-01-01T00:00:00Z'));
    assert.equal(iso(next), '2026-02-13T09:00:00.000Z'); // the first Friday the 13th of 2026
    assert.ok(cronMatches(c, next));
    assert.ok(!cronMatches(c, at('2026-01-16T09:00:00Z')), 'a Friday that is not the 13th');
  });

  it('an expression that never fires is refused', () => {
    assert.throws(() => nextFireMs(parseCron('0 0 30 2 *'), at('2026-01-01T00:00:00Z')), /does not fire in the 5 years after/);
  });

  it('consecutive previous fires of a weekday cron tile the week', () => {
    const c = parseCron('0 9 * * mon-fri');
    const monday = at('2026-03-02T09:00:00Z');
    assert.equal(iso(previousFireMs(c, monday)), '2026-02-27T09:00:00.000Z', 'Friday before');
  });
});
