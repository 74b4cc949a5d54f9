/**
 * processTiles runs a batch of a scene's tiles through processTile: results in the order asked, finished tiles
 * recorded in every heartbeat, a retry that skips what an earlier attempt's heartbeat recorded, and a cancelled
 * batch that ends as a cancellation (not as its tiles' errors).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import type { ScenePlan, TileInput, TileResult } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { createProcessTiles, type TileBatchProgress } from './process-tiles';

const deps = { logger: pino({ level: 'silent' }) } as unknown as ActivityDeps;
const plan = { sceneId: 'batch' } as ScenePlan;
const tiles = [
  { col: 0, row: 0 },
  { col: 1, row: 0 },
  { col: 2, row: 0 },
  { col: 3, row: 0 },
];
const result = (col: number, row: number): TileResult => ({ col, row, validPixels: 10 * col + row, waterPixels: col, bloomPixels: 0 });

/** A processTile stand-in that records the tiles it ran and takes `ms` per tile (the later ones a little shorter). */
function fakeTile(ran: string[], ms = 5) {
  return async ({ col, row }: TileInput): Promise<TileResult> => {
    ran.push(`${col},${row}`);
    await new Promise((r) => setTimeout(r, ms * (4 - col)));
    return result(col, row);
  };
}

test('returns every tile result in the order asked, and each heartbeat lists the finished tiles', async () => {
  const ran: string[] = [];
  const env = new MockActivityEnvironment();
  const beats: TileBatchProgress[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d as TileBatchProgress));
  const out = await env.run(createProcessTiles(deps, fakeTile(ran)), { plan, tiles });
  assert.deepEqual(out, tiles.map((t) => result(t.col, t.row)));
  assert.deepEqual([...ran].sort(), ['0,0', '1,0', '2,0', '3,0']);
  assert.equal(beats.length, 4, 'one heartbeat per finished tile');
  assert.deepEqual(beats.map((b) => b.finished.length), [1, 2, 3, 4]);
  assert.deepEqual([...beats[3].finished].sort((a, b) => a.col - b.col), out);
});

test('a retry skips the tiles the last heartbeat of an earlier attempt recorded and returns their recorded results', async () => {
  const ran: string[] = [];
  const recorded: TileBatchProgress = { finished: [result(0, 0), result(2, 0), { col: 9, row: 9, validPixels: 1, waterPixels: 0, bloomPixels: 0 }] };
  const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: recorded });
  const out = await env.run(createProcessTiles(deps, fakeTile(ran)), { plan, tiles });
  assert.deepEqual([...ran].sort(), ['1,0', '3,0'], 'only the tiles not yet recorded ran');
  assert.deepEqual(out, tiles.map((t) => result(t.col, t.row)), 'a recorded tile of another batch (9,9) is ignored');
});

test('a tile failure fails the batch once the running tiles settled, and no new tile starts after it', async () => {
  const ran: string[] = [];
  const failing = async (t: TileInput): Promise<TileResult> => {
    if (t.col === 0) throw new Error('block 3 lies past the end of the file');
    return fakeTile(ran)(t);
  };
  // The SDK logs an activity's failure; the test asserts it instead.
  const quiet = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  await assert.rejects(quiet.run(createProcessTiles(deps, failing), { plan, tiles }), /past the end of the file/);
  assert.deepEqual(ran, ['1,0'], 'the second lane finished its tile; nothing started after the failure');
});

test('a cancelled batch rejects with the cancellation, whatever its tiles threw on the way out', async () => {
  const env = new MockActivityEnvironment();
  const started: string[] = [];
  const slow = async ({ col, row }: TileInput): Promise<TileResult> => {
    started.push(`${col},${row}`);
    // As the thread pool does: a cancelled task rejects with an error of its own.
    await new Promise((_, reject) => env.context.cancellationSignal.addEventListener('abort', () => reject(new Error('task cancelled'))));
    return result(col, row);
  };
  const run = env.run(createProcessTiles(deps, slow), { plan, tiles });
  await new Promise((r) => setTimeout(r, 20));
  env.cancel();
  await assert.rejects(run, (err: unknown) => err instanceof CancelledFailure);
  assert.deepEqual(started, ['0,0', '1,0'], 'two tiles at a time, none started after the cancellation');
});
