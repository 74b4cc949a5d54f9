/**
 * A worker process dies (SIGKILL) in the middle of a run. Its tile is noticed through the missed heartbeats
 * (heartbeatTimeout 20 s, not the 10 min startToClose), retried on the surviving worker, and the outputs are
 * byte-for-byte those of an undisturbed run of the same scene.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  activityTypes,
  cleanRunHashes,
  cliStatus,
  fetchHistory,
  logTail,
  outputHashes,
  type SceneRig,
  startRun,
  startSceneRig,
  waitForEnd,
  waitForFirstTile,
  waitForTileOnWorker,
} from './scene-run';

/** From the kill to a completed run; a tile lost with its worker must not wait for startToClose (10 min). */
const RECOVERY_BUDGET_MS = 90_000;

describe('a worker killed mid-run', { timeout: 300_000 }, () => {
  let rig: SceneRig | undefined;
  before(async () => {
    rig = await startSceneRig('killed-worker');
  });
  after(async () => {
    await rig?.close();
  });

  test('the run completes on the other worker within 90 s of the kill, with the outputs of a clean run', async (t) => {
    const { stack, dir, prefix, input, env, workers } = rig!;
    const expected = await cleanRunHashes(rig!);

    const out = `${prefix}/killed`;
    const run = await startRun(env, input, out);
    await waitForFirstTile(env, run.workflowId);
    const [victim, survivor] = workers;
    await waitForTileOnWorker(stack, run.workflowId, victim.pid!);
    const killedAt = Date.now();
    victim.kill('SIGKILL');

    const end = await waitForEnd(env, run.workflowId, RECOVERY_BUDGET_MS + 60_000);
    const recoveryMs = Date.now() - killedAt;
    t.diagnostic(`completed ${(recoveryMs / 1000).toFixed(1)} s after the kill`);
    assert.equal(end.status, 'COMPLETED', `${JSON.stringify(end)}\nsurvivor log:\n${await logTail(join(dir, 'worker-b.log'))}`);
    assert.ok(recoveryMs < RECOVERY_BUDGET_MS, `completed ${Math.round(recoveryMs / 1000)} s after the kill (budget ${RECOVERY_BUDGET_MS / 1000} s)`);
    assert.equal(survivor.exitCode, null, 'the surviving worker is still running');
    assert.equal((await cliStatus(env, run.workflowId))?.status, 'COMPLETED', 'tessera status --json agrees');
    assert.deepEqual(await outputHashes(stack, out), expected, 'COG, Parquet and preview sha256 equal those of the clean run');

    // The killed worker's tile was retried (attempt >= 2) on the survivor, and everything started after the
    // kill ran there.
    const events = await fetchHistory(stack, run.workflowId);
    const types = activityTypes(events);
    const survivorId = `${survivor.pid}@`;
    const retried = events.filter(
      (ev) => (ev.activityTaskStartedEventAttributes?.attempt ?? 1) >= 2 && types.get(String(ev.activityTaskStartedEventAttributes?.scheduledEventId)) === 'processTile',
    );
    // The victim was killed while the server showed it holding a tile, so that tile is normally retried on the
    // survivor; if the victim still managed to report it in the last milliseconds, there is nothing to retry.
    if (retried.length === 0) t.diagnostic('the killed worker reported its last tile before it died; no retry needed');
    for (const ev of retried) {
      assert.ok(ev.activityTaskStartedEventAttributes?.identity?.startsWith(survivorId), `retry ran on the survivor (${ev.activityTaskStartedEventAttributes?.identity})`);
    }
    for (const ev of events) {
      const started = ev.activityTaskStartedEventAttributes;
      if (started && eventTimeMs(ev) > killedAt + 1_000) {
        assert.ok(started.identity?.startsWith(survivorId), `activity started after the kill on ${started.identity}, not the survivor ${survivorId}`);
      }
    }
  });
});

function eventTimeMs(ev: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }): number {
  const t = ev.eventTime;
  if (!t) return 0;
  return Number(String(t.seconds ?? 0)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}
