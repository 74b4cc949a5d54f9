/**
 * `tessera run` with the same input and parameters is idempotent: started again while the first is running it
 * attaches to the same workflow run; started after completion it returns the recorded result at once. The history
 * shows each activity completed once per unit of work (one plan, one per tile, one COG per product, ...), and
 * that count does not move when the run is asked for again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { tessera } from '../support/cli';
import {
  COG_PRODUCTS,
  completedByType,
  fetchHistory,
  manifestUri,
  readStatus,
  type SceneRig,
  startRun,
  startSceneRig,
  TILES,
  waitForFirstTile,
} from './scene-run';

/** A rerun of a completed scene only describes the workflow and reads its result. */
const ATTACH_COMPLETED_WITHIN_MS = 10_000;

/** One completion per unit of work for the default products (ndwi, water, ndci, rgb). */
const EXPECTED_COMPLETIONS: Record<string, number> = {
  planScene: 1,
  processTile: TILES,
  assembleCog: COG_PRODUCTS.length,
  writeTileStats: 1,
  renderPreviews: 1,
  publishScene: 1,
  cleanupWork: 1,
};

describe('idempotent tessera run', { timeout: 240_000 }, () => {
  let rig: SceneRig | undefined;
  before(async () => {
    rig = await startSceneRig('idempotency');
  });
  after(async () => {
    await rig?.close();
  });

  test('a second run attaches to the running one; a third after completion returns the same result at once', async (t) => {
    const { stack, prefix, input, env } = rig!;
    const out = `${prefix}/out`;
    const runArgs = ['run', input, '--out', out];
    const first = await startRun(env, input, out);
    await waitForFirstTile(env, first.workflowId);

    // Second start while the first runs: same workflow, same run.
    const second = await startRun(env, input, out);
    assert.deepEqual({ workflowId: second.workflowId, runId: second.runId }, { workflowId: first.workflowId, runId: first.runId });
    assert.equal((await readStatus(env, first.workflowId))?.status, 'RUNNING', 'the first run was still running when the second attached');

    // Waiting on it gives the run's result once it completes.
    const waited = await tessera([...runArgs, '--wait', '--json'], env, 180_000);
    assert.equal(waited.code, 0, waited.stderr);
    const result = JSON.parse(waited.stdout) as { workflowId: string; runId: string; status: string; outputs: { manifest: string } };
    assert.equal(result.status, 'completed');
    assert.deepEqual({ workflowId: result.workflowId, runId: result.runId }, { workflowId: first.workflowId, runId: first.runId });
    assert.equal(result.outputs.manifest, manifestUri(out));

    const history = await fetchHistory(stack, first.workflowId);
    assert.deepEqual(completedByType(history), EXPECTED_COMPLETIONS, 'each activity completed once per unit of work');
    const manifestBefore = await stack.store.get(manifestUri(out));

    // Third, after completion: the same result at once, and nothing ran again.
    const t0 = Date.now();
    const third = await tessera([...runArgs, '--wait', '--json'], env, 60_000);
    const thirdMs = Date.now() - t0;
    t.diagnostic(`rerun of the completed scene answered in ${thirdMs} ms`);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(JSON.parse(third.stdout), result, 'same result as the original run');
    assert.ok(thirdMs < ATTACH_COMPLETED_WITHIN_MS, `returned after ${thirdMs} ms`);

    const historyAfter = await fetchHistory(stack, first.workflowId);
    assert.equal(historyAfter.length, history.length, 'no event was added to the run');
    assert.deepEqual(completedByType(historyAfter), EXPECTED_COMPLETIONS);
    assert.deepEqual(await stack.store.get(manifestUri(out)), manifestBefore, 'the manifest was not rewritten');

    // One execution of this workflow id in all.
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const client = new Client({ connection, namespace: stack.namespace });
      const runs: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId = '${first.workflowId}'` })) runs.push(wf.runId);
      assert.deepEqual(runs, [first.runId], 'one execution for the workflow id');
    } finally {
      await connection.close();
    }
  });
});
