import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prefetchInOrder } from './prefetch';

test('prefetchInOrder yields in order with at most `depth` calls in flight', async () => {
  let inFlight = 0;
  let peak = 0;
  const out: number[] = [];
  for await (const v of prefetchInOrder([5, 1, 4, 2, 3, 0], 3, async (ms) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, ms * 3));
    inFlight--;
    return ms;
  })) {
    out.push(v);
  }
  assert.deepEqual(out, [5, 1, 4, 2, 3, 0]);
  assert.equal(peak, 3);
});

test('a failure ahead of the consumer surfaces in order, without an unhandled rejection', async () => {
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const v of prefetchInOrder([0, 1, 2], 3, async (i) => {
      if (i === 2) throw new Error('part 2 missing');
      await new Promise((r) => setTimeout(r, 20));
      return i;
    })) {
      seen.push(v);
    }
  }, /part 2 missing/);
  assert.deepEqual(seen, [0, 1]);
});
