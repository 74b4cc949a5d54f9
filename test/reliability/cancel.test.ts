/**
 * `tessera cancel ID` in the middle of the tile stage ends the run as CANCELLED within seconds, and nothing is
 * published: no STAC item, no manifest, and none appears later from an activity still in flight.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cancelCommand } from '../../cli/commands/cancel';
import { loadConfig } from '../../platform/config';
import { tessera } from '../support/cli';
import { sleep } from './private-stack';
import {
  cliStatus,
  completedByType,
  fetchHistory,
  type SceneRig,
  startRun,
  startSceneRig,
  waitForFirstTile,
  waitForStatus,
} from './scene-run';

const CANCELLED_WITHIN_MS = 10_000;

/** Runs `tessera cancel ID` through the command's function, with what it prints captured. */
async function cancelInProcess(env: NodeJS.ProcessEnv, workflowId: string): Promise<{ code: number; stdout: string }> {
  const printed: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await cancelCommand([workflowId], loadConfig(env));
    return { code, stdout: printed.join('') };
  } finally {
    process.stdout.write = write;
  }
}
/** Longer than one tile takes, so an activity that ignored its cancellation would have written by then. */
const SETTLE_MS = 8_000;

describe('cancel mid-run', { timeout: 240_000 }, () => {
  let rig: SceneRig | undefined;
  before(async () => {
    rig = await startSceneRig('cancel');
  });
  after(async () => {
    await rig?.close();
  });

  test('the run ends CANCELLED within 10 s and publishes no STAC item or manifest', async (t) => {
    const { stack, prefix, input, env } = rig!;
    const out = `${prefix}/out`;
    const run = await startRun(env, input, out);
    await waitForFirstTile(env, run.workflowId);

    const t0 = Date.now();
    // `tessera cancel`'s own code, run in this process: a CLI process takes a second or more to start, and the
    // nine tiles of two workers can be done by then (the status is read in-process for the same reason).
    const cancel = await cancelInProcess(env, run.workflowId);
    assert.equal(cancel.code, 0, cancel.stdout);
    assert.match(cancel.stdout, new RegExp(`cancellation requested for ${run.workflowId}`));
    const end = await waitForStatus(env, run.workflowId, 'end', (s) => s.status !== 'RUNNING', CANCELLED_WITHIN_MS + 20_000);
    const cancelMs = Date.now() - t0;
    t.diagnostic(`CANCELLED ${(cancelMs / 1000).toFixed(1)} s after "tessera cancel" was started, at tile ${end.progress?.tilesDone}/${end.progress?.tilesTotal}`);
    assert.equal(end.status, 'CANCELLED');
    assert.ok(cancelMs < CANCELLED_WITHIN_MS, `CANCELLED after ${cancelMs} ms`);
    assert.equal((await cliStatus(env, run.workflowId))?.status, 'CANCELLED', 'tessera status --json agrees');
    // The command as a user runs it, now that there is nothing left to cancel.
    const again = await tessera(['cancel', run.workflowId], env, 30_000);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.trim(), `${run.workflowId} is already CANCELLED; nothing to cancel`);

    // The scene stage never got past the tiles: no publish activity ran.
    const completed = completedByType(await fetchHistory(stack, run.workflowId));
    assert.equal(completed.publishScene ?? 0, 0, `completed activities: ${JSON.stringify(completed)}`);

    await sleep(SETTLE_MS);
    const published: string[] = [];
    for await (const o of stack.store.list(`${out}/scenes/`)) published.push(o.uri);
    assert.deepEqual(published.filter((u) => /\/(item|manifest)\.json$/.test(u)), [], 'no STAC item or manifest');
    assert.deepEqual(published, [], 'nothing at all under scenes/ (the COGs come after the tiles)');
    // The workflow cleans up its intermediates in a non-cancellable scope once the in-flight tiles settled.
    const leftover: string[] = [];
    for await (const o of stack.store.list(`${out}/_work/`)) leftover.push(o.uri);
    if (leftover.length > 0) {
      // Say which activities ran when, to tell a late writer from a missed cleanup.
      const events = await fetchHistory(stack, run.workflowId);
      const lines = events.map((ev) => `${ev.eventId} ${ev.eventType} ${JSON.stringify(ev.activityTaskScheduledEventAttributes?.activityType?.name ?? ev.activityTaskStartedEventAttributes?.identity ?? '')}`);
      assert.fail(`intermediates left under _work/: ${leftover.join(', ')}\n${lines.join('\n')}`);
    }
  });
});
