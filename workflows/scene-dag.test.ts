import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachLimited, settleAll } from './scene-dag';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('forEachLimited keeps at most `limit` calls in flight and visits every item once', async () => {
  let inFlight = 0;
  let peak = 0;
  const seen: number[] = [];
  await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await tick(5 + (i % 3));
    seen.push(i);
    inFlight--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
});

test('after a failure no new item starts, and the call settles only when in-flight calls have', async () => {
  const started: number[] = [];
  let slowDone = false;
  await assert.rejects(
    forEachLimited([1, 2, 3, 4, 5, 6], 2, async (i) => {
      started.push(i);
      if (i === 1) throw new Error('bad tile 1');
      if (i === 2) {
        await tick(30);
        slowDone = true;
      }
    }),
    /bad tile 1/,
  );
  assert.deepEqual(started, [1, 2], 'nothing started after the failure');
  assert.ok(slowDone, 'the in-flight call finished before the rejection');
});

test('settleAll returns every value in order, and on a failure settles only when the others have', async () => {
  assert.deepEqual(await settleAll([tick(5).then(() => 'a'), Promise.resolve(2)] as const), ['a', 2]);
  let slowDone = false;
  await assert.rejects(
    settleAll([
      Promise.reject(new Error('assembly failed')),
      tick(30).then(() => {
        slowDone = true;
      }),
    ]),
    /assembly failed/,
  );
  assert.ok(slowDone, 'the slow activity finished before the rejection');
});
