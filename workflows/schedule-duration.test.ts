import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DurationError, formatDurationMs, parseDurationMs } from './schedule-duration';

describe('parseDurationMs', () => {
  it('reads units and compound durations', () => {
    assert.equal(parseDurationMs('10s', '--every'), 10_000);
    assert.equal(parseDurationMs('1h30m', '--every'), 5_400_000);
    assert.equal(parseDurationMs('2D', '--window'), 172_800_000);
    assert.equal(parseDurationMs('1w', '--window'), 604_800_000);
    assert.equal(parseDurationMs('1.5s', '--every'), 1500);
    assert.equal(parseDurationMs('500ms', '--every', { minMs: 100 }), 500);
  });

  it('refuses text that is not a duration, and values out of range, with the flag in the message', () => {
    for (const [text, message] of [
      ['', /--every: "" is empty/],
      ['10', /is not a duration/],
      ['10 s', /is not a duration/],
      ['5y', /is not a duration/],
      ['1s2', /is not a duration/],
      ['500ms', /is shorter than the minimum 1s/],
      ['400d', /is longer than the maximum 52w2d/],
    ] as const) {
      assert.throws(() => parseDurationMs(text, '--every'), (err: unknown) => err instanceof DurationError && message.test(err.message), text);
    }
  });

  it('formats largest units first', () => {
    assert.equal(formatDurationMs(5_400_000), '1h30m');
    assert.equal(formatDurationMs(10_000), '10s');
    assert.equal(formatDurationMs(691_200_000), '1w1d');
    assert.equal(formatDurationMs(0), '0s');
  });
});
