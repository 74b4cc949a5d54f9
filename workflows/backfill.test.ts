/**
 * The backfill workflow on a local Temporal dev server: the real `backfill` with stub `processScene` children
 * (test/workflows/stub-workflows.ts) and in-memory listing activities (test/workflows/stub-activities.ts). One server
 * and one workflow bundle for the file, a worker on a fresh task queue per test.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, CancelledFailure, defaultPayloadConverter, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { createBackfillStubs, sceneRefs, type BackfillStubLog } from '../test/workflows/stub-activities';
import { createTestEnv, uniqueTaskQueue, waitFor } from '../test/workflows/env';
import { STUB_FAILURE_TYPE, stubFailureMessage, type ChainLink, type probeChildFailure } from '../test/workflows/stub-workflows';
import type { backfill, BackfillRecord } from './backfill';
import type { BackfillInput, BackfillProgress, BackfillState } from './backfill-types';
import { BACKFILL_INLINE_MAX_TILES } from './backfill-types';
import { SA_BACKFILL, SA_SCENE } from './search-attributes';

type History = temporal.api.history.v1.IHistory;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

before(async () => {
  [env, bundle] = await Promise.all([
    createTestEnv(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../test/workflows/stub-workflows'), logger: new DefaultLogger('WARN') }),
  ]);
});

after(async () => {
  await env?.teardown();
});

interface Run {
  id: string;
  handle: WorkflowHandle<typeof backfill>;
  log: BackfillStubLog;
}

/**
 * Starts a backfill over `ids` on a fresh task queue with a worker of the stub bundle, runs `body` while the worker
 * polls and stops the worker when `body` settles.
 */
async function withBackfill<T>(ids: readonly string[], input: Partial<BackfillInput>, body: (run: Run) => Promise<T>): Promise<T> {
  const { activities, log } = createBackfillStubs(sceneRefs(ids));
  const taskQueue = uniqueTaskQueue('backfill');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  const id = `backfill-test-${randomUUID().slice(0, 8)}`;
  const args: BackfillInput = { source: 'memory://catalog/*.tif', filters: {}, out: `memory://out/${id}`, products: ['ndwi', 'ndci'], ...input };
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof backfill>('backfill', { taskQueue, workflowId: id, args: [args] });
    return body({ id, handle, log });
  });
}

function events(history: History) {
  return history.events ?? [];
}

/** The most children started and not yet closed at any point of a run, read from its history. */
function maxChildrenInFlight(history: History): number {
  let open = 0;
  let max = 0;
  for (const e of events(history)) {
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) max = Math.max(max, ++open);
    if (
      e.childWorkflowExecutionCompletedEventAttributes ||
      e.childWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCanceledEventAttributes ||
      e.childWorkflowExecutionTerminatedEventAttributes ||
      e.childWorkflowExecutionTimedOutEventAttributes ||
      e.startChildWorkflowExecutionFailedEventAttributes
    ) {
      open--;
    }
  }
  return max;
}

function childIdsStarted(history: History): string[] {
  return events(history).flatMap((e) => (e.startChildWorkflowExecutionInitiatedEventAttributes ? [e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? ''] : []));
}

/** The input a run was started with (the first event). */
function runInput(history: History): BackfillInput {
  const payload = events(history)[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  assert.ok(payload, 'the first event carries the input');
  return defaultPayloadConverter.fromPayload<BackfillInput>(payload);
}

function finished(c: { done: number; skipped: number; failed: number }): number {
  return c.done + c.skipped + c.failed;
}

/**
 * Waits until visibility lists `count` executions for `query`, all closed (visibility trails the history by a
 * little, so a closed run may still be listed as running for a moment).
 */
async function listClosed(query: string, count: number) {
  return waitFor(`${count} closed executions for ${query}`, async () => {
    const found = [];
    for await (const info of env.client.workflow.list({ query })) found.push(info);
    return found.length === count && found.every((r) => r.status.name !== 'RUNNING') ? found : undefined;
  });
}

describe('backfill workflow', { timeout: 120_000, concurrency: true }, () => {
  it('never runs more than maxParallel children and starts exactly one child per scene', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `scene-${String(i + 1).padStart(2, '0')}`);
    await withBackfill(ids, { maxParallel: 3 }, async ({ id, handle, log }) => {
      const result = await handle.result();
      assert.deepEqual(result.counts, { listed: 10, done: 10, skipped: 0, failed: 0, running: 0 });
      assert.equal(result.runs, 1);

      // Seen from the children: each ran once, and at most three were between their start and their end at once.
      assert.deepEqual([...log.starts.entries()].sort(), ids.map((s) => [s, 1]));
      assert.ok(log.maxRunning <= 3, `${log.maxRunning} stub scenes ran at once`);

      // Seen from the backfill's history: at most three children started and not yet closed at any point, and the
      // window was used (three were); one start per scene.
      const history = await handle.fetchHistory();
      assert.equal(maxChildrenInFlight(history), 3);
      assert.deepEqual(childIdsStarted(history).sort(), ids.map((s) => `${id}/${s}`));
      // 10 scenes on pages of 4: three pages, each read once, in order.
      assert.deepEqual(log.pagesRead.map((u) => u.split('/').pop()), ['page-00000.json', 'page-00001.json', 'page-00002.json']);

      // Every child is findable by the backfill's search attribute and carries its scene id.
      const children = await listClosed(`TesseraBackfill="${id}" AND WorkflowType="processScene"`, 10);
      assert.deepEqual(children.map((c) => c.typedSearchAttributes.get(SA_SCENE)).sort(), ids);
      assert.ok(children.every((c) => c.typedSearchAttributes.get(SA_BACKFILL) === id));
      assert.equal(log.collections.length, 1);
      assert.equal(log.results.length, 1);
    });
  });

  it('continues as new every scenesPerRun scenes, carrying cursor and counts, with a short history per run', async (t) => {
    const ids = ['a-01', 'a-02', 'same-03', 'a-04', 'bad-05', 'a-06', 'same-07', 'a-08', 'a-09', 'a-10'];
    await withBackfill(ids, { maxParallel: 2, scenesPerRun: 3 }, async ({ id, handle, log }) => {
      const result = await handle.result();
      assert.equal(result.runs, 4);
      assert.deepEqual(result.counts, { listed: 10, done: 7, skipped: 2, failed: 1, running: 0 });
      assert.deepEqual(
        result.failures.map((f) => [f.scene.id, f.reason]),
        [['bad-05', stubFailureMessage('bad-05')]],
      );
      assert.deepEqual([...log.starts.entries()].sort(), [...ids].sort().map((s) => [s, 1]));
      assert.equal(log.listSource.length, 1, 'the source is listed once, by the first run');
      assert.equal(log.results.length, 1);
      assert.equal(log.results[0].result.runs, 4);

      const runs = await listClosed(`WorkflowId="${id}"`, 4);
      const byStart = [...runs].sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
      assert.deepEqual(
        byStart.map((r) => r.status.name),
        ['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED'],
      );
      let scenesSeen = 0;
      for (const [i, info] of byStart.entries()) {
        const history = await env.client.workflow.getHandle(id, info.runId).fetchHistory();
        assert.equal(info.historyLength, events(history).length);
        t.diagnostic(`run ${i + 1}: ${info.historyLength} history events`);
        // 3 scenes of ~7 events plus the listing, a page read, upserts and the close: well under a hundred.
        assert.ok(info.historyLength <= 60, `run ${i + 1} has ${info.historyLength} events`);
        const started = childIdsStarted(history);
        assert.equal(started.length, i < 3 ? 3 : 1);
        // What the run was handed: its number, and the counts of every scene the runs before it finished.
        const state: BackfillState | undefined = runInput(history).state;
        if (i === 0) {
          assert.equal(state, undefined);
        } else {
          assert.ok(state);
          assert.equal(state.run, i + 1);
          assert.equal(finished(state.counts), scenesSeen);
          assert.equal(state.counts.listed, 10);
          assert.equal(state.counts.running, 0);
          assert.equal(state.counts.failed, scenesSeen > 4 ? 1 : 0);
        }
        scenesSeen += started.length;
      }
      assert.equal(scenesSeen, 10);
    });
  });

  it('records failed scenes with their root cause and finishes the others', async () => {
    const ids = ['ok-1', 'bad-1', 'ok-2', 'same-1', 'bad-2', 'ok-3'];
    await withBackfill(ids, { maxParallel: 2 }, async ({ id, handle, log }) => {
      const result: BackfillRecord = await handle.result();
      assert.deepEqual(result.counts, { listed: 6, done: 3, skipped: 1, failed: 2, running: 0 });
      assert.deepEqual(
        result.failures.map((f) => ({ scene: f.scene, reason: f.reason })),
        sceneRefs(['bad-1', 'bad-2']).map((scene) => ({ scene, reason: stubFailureMessage(scene.id) })),
      );
      assert.deepEqual(log.results[0].result.failures, result.failures, 'the written record lists the same failures');

      for (const scene of ids) {
        const child = await env.client.workflow.getHandle(`${id}/${scene}`).describe();
        assert.equal(child.status.name, scene.startsWith('bad') ? 'FAILED' : 'COMPLETED', scene);
      }
      // Every scene run may do a small scene in one activity: the catalog's parallelism is across scenes.
      const started = (await env.client.workflow.getHandle(`${id}/ok-1`).fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
      const childInput = JSON.parse(Buffer.from(started?.input?.payloads?.[0]?.data ?? []).toString('utf8')) as { inlineMaxTiles?: number };
      assert.equal(childInput.inlineMaxTiles, BACKFILL_INLINE_MAX_TILES);
      // The child's own failure, as a client sees it: the stub's non-retryable ApplicationFailure.
      await assert.rejects(env.client.workflow.getHandle(`${id}/bad-1`).result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.ok(err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, STUB_FAILURE_TYPE);
        assert.equal(err.cause.nonRetryable, true);
        assert.equal(err.cause.message, stubFailureMessage('bad-1'));
        return true;
      });
      // The failure as the backfill's history recorded it for each failed child.
      const failed = events(await handle.fetchHistory()).flatMap((e) => (e.childWorkflowExecutionFailedEventAttributes ? [e.childWorkflowExecutionFailedEventAttributes] : []));
      assert.deepEqual(failed.map((f) => f.workflowExecution?.workflowId).sort(), [`${id}/bad-1`, `${id}/bad-2`]);
      for (const f of failed) {
        assert.equal(f.failure?.applicationFailureInfo?.type, STUB_FAILURE_TYPE);
        assert.equal(f.failure?.applicationFailureInfo?.nonRetryable, true);
        assert.equal(f.failure?.message, stubFailureMessage(f.workflowExecution?.workflowId?.split('/').pop() ?? ''));
      }
    });
  });

  it('a failed child reaches its parent as ChildWorkflowFailure → ApplicationFailure, as the child raised it', async () => {
    const { activities } = createBackfillStubs([]);
    const taskQueue = uniqueTaskQueue('probe');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    const parentId = `probe-${randomUUID().slice(0, 8)}`;
    const { chain, rootCause } = await worker.runUntil(
      env.client.workflow.execute<typeof probeChildFailure>('probeChildFailure', {
        taskQueue,
        workflowId: parentId,
        args: [{ input: 'memory://catalog/bad-x.tif', sceneId: 'bad-x', out: 'memory://out/probe', products: ['ndwi'], backfillId: parentId }],
      }),
    );
    assert.deepEqual(
      chain.map((l: ChainLink) => l.name),
      ['ChildWorkflowFailure', 'ApplicationFailure'],
    );
    assert.deepEqual(chain[1], { name: 'ApplicationFailure', message: stubFailureMessage('bad-x'), type: STUB_FAILURE_TYPE, nonRetryable: true });
    // backfill's failureReason takes this root cause.
    assert.equal(rootCause, stubFailureMessage('bad-x'));
  });

  it('cancelling the backfill cancels its running children and ends it CANCELLED', async () => {
    const ids = ['slow-1', 'slow-2', 'slow-3', 'slow-4', 'slow-5'];
    await withBackfill(ids, { maxParallel: 3 }, async ({ id, handle, log }) => {
      await waitFor('three running children', () => (log.starts.size === 3 ? true : undefined));
      const cancelledAt = Date.now();
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
      assert.ok(Date.now() - cancelledAt < 20_000, 'the cancellation did not wait for the children to finish on their own');
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      for (const scene of ['slow-1', 'slow-2', 'slow-3']) {
        assert.equal((await env.client.workflow.getHandle(`${id}/${scene}`).describe()).status.name, 'CANCELLED', scene);
      }
      for (const scene of ['slow-4', 'slow-5']) {
        await assert.rejects(env.client.workflow.getHandle(`${id}/${scene}`).describe(), WorkflowNotFoundError, `${scene} was never started`);
      }
      // The backfill waited for its children to close before it closed.
      const history = events(await handle.fetchHistory());
      const cancelledChildren = history.filter((e) => e.childWorkflowExecutionCanceledEventAttributes).length;
      assert.equal(cancelledChildren, 3);
      assert.ok(history.at(-1)?.workflowExecutionCanceledEventAttributes, 'the last event is the cancellation');
      assert.equal(log.results.length, 0, 'a cancelled backfill writes no result');
      assert.equal(log.collections.length, 0, 'and publishes no collection');
    });
  });

  it('cancelling the backfill once every scene has started still ends it CANCELLED, with nothing published', async () => {
    // All scenes started: the run is past its loop, waiting for the children before it would publish.
    await withBackfill(['slow-1', 'slow-2'], { maxParallel: 3 }, async ({ id, handle, log }) => {
      await waitFor('two running children', () => (log.starts.size === 2 ? true : undefined));
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      for (const scene of ['slow-1', 'slow-2']) {
        assert.equal((await env.client.workflow.getHandle(`${id}/${scene}`).describe()).status.name, 'CANCELLED', scene);
      }
      assert.equal(log.collections.length, 0);
      assert.equal(log.results.length, 0);
    });
  });

  it(
    'cancelling the backfill while a run waits for its last children ends it CANCELLED, not continued as new',
    async () => {
      // scenesPerRun reached: the run has stopped starting and awaits its children before continuing as new.
      const ids = ['slow-1', 'slow-2', 'slow-3', 'slow-4', 'slow-5'];
      await withBackfill(ids, { maxParallel: 2, scenesPerRun: 2 }, async ({ id, handle, log }) => {
        await waitFor('two running children', () => (log.starts.size === 2 ? true : undefined));
        const firstRunId = (await handle.describe()).runId;
        await handle.cancel();
        try {
          await assert.rejects(
            env.client.workflow.getHandle(id, firstRunId, { followRuns: false }).result(),
            (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
          );
          const latest = await env.client.workflow.getHandle(id).describe();
          assert.equal(latest.runId, firstRunId, 'no second run was started');
          assert.equal(latest.status.name, 'CANCELLED');
          assert.equal(log.starts.size, 2, 'no scene past the cancelled run was started');
        } finally {
          // A run that went on instead would hold slow children until the server stops.
          const latest = await env.client.workflow.getHandle(id).describe();
          if (latest.status.name === 'RUNNING') await env.client.workflow.getHandle(id).terminate('the test is over');
        }
      });
    },
  );

  it('answers the progress query during the run with consistent counts', async () => {
    const ids = ['p-1', 'p-2', 'bad-3', 'p-4', 'same-5', 'p-6', 'p-7', 'p-8'];
    await withBackfill(ids, { maxParallel: 2 }, async ({ id, handle }) => {
      const answers: BackfillProgress[] = [];
      let closed = false;
      const result = handle.result().finally(() => {
        closed = true;
      });
      while (!closed) {
        answers.push(await handle.query<BackfillProgress>('backfillProgress'));
        await new Promise((r) => setTimeout(r, 100));
      }
      await result;
      const last = await handle.query<BackfillProgress>('backfillProgress');
      assert.equal(last.stage, 'done');
      assert.deepEqual(
        [last.listed, last.total, last.done, last.skipped, last.failed, last.running],
        [8, 8, 6, 1, 1, 0],
      );
      assert.deepEqual(last.recentFailures.map((f) => f.scene.id), ['bad-3']);

      const running = answers.filter((a) => a.stage === 'running' && a.running > 0);
      assert.ok(running.length >= 3, `${running.length} answers while scenes ran`);
      let before = 0;
      for (const a of [...answers, last]) {
        assert.equal(a.backfillId, id);
        assert.equal(a.run, 1);
        assert.ok(['listing', 'running', 'done'].includes(a.stage));
        if (a.stage !== 'listing') assert.equal(a.total, 8);
        assert.ok(a.running >= 0 && a.running <= 2, `running ${a.running}`);
        assert.ok(finished(a) + a.running <= a.total || a.stage === 'listing', JSON.stringify(a));
        assert.equal(a.recentFailures.length, a.failed);
        assert.ok(finished(a) >= before, 'finished scenes never go down');
        before = finished(a);
      }
    });
  });

  for (const maxParallel of [0, 1001]) {
    it(`fails at once, non-retryably, with maxParallel ${maxParallel}`, async () => {
      await withBackfill(['x-1'], { maxParallel }, async ({ handle, log }) => {
        await assert.rejects(handle.result(), (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError);
          assert.ok(err.cause instanceof ApplicationFailure);
          assert.equal(err.cause.type, 'BackfillInputError');
          assert.equal(err.cause.nonRetryable, true);
          assert.equal(err.cause.message, `maxParallel must be an integer from 1 to 1000 (got ${maxParallel})`);
          return true;
        });
        // Failed in its first workflow task: nothing scheduled, no task retried.
        const history = events(await handle.fetchHistory());
        assert.ok(history.at(-1)?.workflowExecutionFailedEventAttributes);
        assert.ok(history.length <= 5, `${history.length} events`);
        assert.ok(!history.some((e) => e.activityTaskScheduledEventAttributes || e.startChildWorkflowExecutionInitiatedEventAttributes || e.workflowTaskFailedEventAttributes));
        assert.equal(log.listSource.length, 0);
      });
    });
  }
});
