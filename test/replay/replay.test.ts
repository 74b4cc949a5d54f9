/**
 * Replay safety: every recorded history in test/replay/histories/ must replay without a nondeterminism error
 * against the workflow code of this tree (workflows/index.ts, the bundle the workers run).
 *
 * A failing replay test means the change would break running workflows: a worker with this code that picks up a
 * scene run or a backfill an older worker started would issue other commands than its history records, and the run
 * would hang on a failing workflow task. Do not make it pass by re-recording. Keep the old behaviour for runs that
 * started before the change behind `patched('<change-id>')` (`deprecatePatch('<change-id>')` once none of them can
 * still be open, and drop both after that).
 *
 * Re-record the fixtures (`npm run build && npm run record-histories`, from a build of committed code) only for a
 * deliberate, versioned change of workflow code: once its `patched()` branch keeps the old histories replaying, keep
 * the affected old files beside the new ones as `<name>.pre-<change-id>.json` (every file here is replayed), so both
 * paths stay covered; drop them when no run of the old code can still be open (drained, or past the namespace's
 * retention). Say which in the commit.
 *
 * Strategy: workflow-code changes are versioned with `patched()`, not with Worker Versioning (worker deployments
 * and build ids). Every Tessera worker polls one task queue and is started the same way on the dev server of
 * infra/dev-stack.sh, in the compose and Kubernetes manifests and in the tests; with Worker Versioning each of
 * those starts would carry a deployment version, each rollout would need a step that sets the current version on
 * the server, and a pinned backfill (hours long) would keep its old workers running until it closed. The backfill
 * and the sensor continue as new, and SDK 1.24 marks versioning semantics across continue-as-new experimental.
 * An auto-upgrading workflow needs `patched()` anyway. So one worker build carries the old and the new path,
 * and this test checks that against real histories with nothing but a dev server.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { installQuietRuntime, repoRoot } from '../workflows/env';
import { historyFromJson, type History, type HistoryFixture } from './history-json';

const HISTORIES = join(repoRoot(), 'test', 'replay', 'histories');

/** The fixtures record-histories.ts writes; a missing one means a path of the workflows is no longer covered. */
const EXPECTED = [
  'backfill-run-1',
  'backfill-run-2',
  'backfill-scene-failed',
  'process-scene-batched',
  'process-scene-cancelled',
  'process-scene-inline',
  'process-scene-skipped',
  'process-scene-tiles',
];

function loadFixtures(): { name: string; workflowId: string; runId: string; history: History }[] {
  return readdirSync(HISTORIES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const fixture = JSON.parse(readFileSync(join(HISTORIES, f), 'utf8')) as HistoryFixture;
      return { name: f.replace(/\.json$/, ''), workflowId: fixture.workflowId, runId: fixture.runId, history: historyFromJson(fixture.history) };
    });
}

installQuietRuntime();

describe('replay of recorded histories', { timeout: 60_000 }, () => {
  const fixtures = loadFixtures();

  it('has every expected fixture', () => {
    assert.deepEqual(
      EXPECTED.filter((n) => !fixtures.some((f) => f.name === n)),
      [],
    );
  });

  it('replays every history against workflows/index.ts without a nondeterminism error', async (t) => {
    const results = new Map<string, string | undefined>();
    const byRunId = new Map(fixtures.map((f) => [f.runId, f.name]));
    // One replay worker and one bundle for all histories.
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: require.resolve('../../workflows') },
      fixtures.map((f) => ({ workflowId: f.workflowId, history: f.history })),
    )) {
      results.set(byRunId.get(r.runId) ?? `${r.workflowId} ${r.runId}`, r.error ? `${r.error.name}: ${r.error.message}` : undefined);
    }
    t.diagnostic(`${results.size} histories replayed`);
    assert.deepEqual(
      [...results].filter(([, err]) => err !== undefined),
      [],
      'histories that no longer replay',
    );
    assert.deepEqual([...results.keys()].sort(), fixtures.map((f) => f.name).sort());
  });

  it('detects a change: a processScene history does not replay against a different processScene', async () => {
    // test/workflows/stub-workflows.ts registers a stub under the same workflow type; its commands differ at once.
    const tiles = fixtures.find((f) => f.name === 'process-scene-tiles');
    assert.ok(tiles);
    await assert.rejects(
      Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows/stub-workflows') }, tiles.history, tiles.workflowId),
      (err: Error) => err.name === 'DeterminismViolationError',
    );
  });
});
