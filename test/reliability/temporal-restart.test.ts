/**
 * The Temporal dev server stops in the middle of a run and starts again on the same SQLite file. The workers
 * reconnect by themselves, the run resumes from its history, and its outputs equal those of an undisturbed run.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sleep } from './private-stack';
import {
  cleanRunHashes,
  cliStatus,
  logTail,
  outputHashes,
  type SceneRig,
  startRun,
  startSceneRig,
  waitForEnd,
  waitForFirstTile,
} from './scene-run';

/** Long enough for worker polls and heartbeats to fail, short next to the 20 s tile heartbeat timeout. */
const DOWNTIME_MS = 10_000;

describe('Temporal server restart mid-run', { timeout: 360_000 }, () => {
  let rig: SceneRig | undefined;
  before(async () => {
    rig = await startSceneRig('temporal-restart');
  });
  after(async () => {
    await rig?.close();
  });

  test('the run resumes after the restart, on the same workers, with the outputs of a clean run', async (t) => {
    const { stack, dir, prefix, input, env, workers } = rig!;
    const expected = await cleanRunHashes(rig!);

    const out = `${prefix}/restart`;
    const run = await startRun(env, input, out);
    const before = await waitForFirstTile(env, run.workflowId);
    await stack.stop('temporal');
    assert.equal(await cliStatus(env, run.workflowId), undefined, 'tessera status fails while the server is down');
    await sleep(DOWNTIME_MS);
    await stack.start();
    const restartedAt = Date.now();

    const end = await waitForEnd(env, run.workflowId, 240_000);
    t.diagnostic(`tiles done before the stop: ${before.progress?.tilesDone}; completed ${Math.round((Date.now() - restartedAt) / 1000)} s after the restart`);
    const logs = `worker a:\n${await logTail(join(dir, 'worker-a.log'))}\nworker b:\n${await logTail(join(dir, 'worker-b.log'))}`;
    for (const [i, w] of workers.entries()) {
      assert.equal(w.exitCode, null, `worker ${'ab'[i]} survived the restart (exit ${w.exitCode}, signal ${w.signalCode})\n${logs}`);
    }
    assert.equal(end.status, 'COMPLETED', `${JSON.stringify(end)}\n${logs}`);
    assert.equal(end.runId, run.runId, 'the same run resumed (no new run was started)');
    assert.equal((await cliStatus(env, run.workflowId))?.status, 'COMPLETED', 'tessera status --json agrees');
    assert.deepEqual(await outputHashes(stack, out), expected, 'COG, Parquet and preview sha256 equal those of the clean run');
  });
});
