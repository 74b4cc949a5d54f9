/**
 * What a person sees of a scene run in the Temporal Web UI: a tiny scene is run the way users run one (`tessera
 * generate`, a `tessera worker` process, `tessera run --wait`) on the dev stack, then headless Chromium opens the
 * UI. The workflows list filtered by the TesseraScene search attribute finds the run; its page shows it completed,
 * with the attribute and the summary `tessera run` set. Screenshots land in .out/test-artifacts/.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import { launchBrowser, saveScreenshot, withPage } from '../support/browser';
import { startWorker, stopProcess, tessera } from '../support/cli';
import { ensureDevStack, type DevStack } from '../support/dev-stack';
import { listWorkflows, openWorkflow, searchAttributes, userMetadata, workflowIdsForQuery, workflowStatus, type UiTarget } from '../support/temporal-ui';

/** `tessera run` sets staticSummary to `<sceneId>: <products, comma-separated>` (cli/commands/run.ts). */
const EXPECTED_SUMMARY = 'ui-lake: ndwi, water, ndci, rgb';
const RUN_TIMEOUT_MS = 45_000;

describe('Temporal Web UI shows a scene run', () => {
  const id = `ui-test-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  let stack: DevStack;
  let ui: UiTarget;
  let env: NodeJS.ProcessEnv;
  let dir: string | undefined;
  let out: string | undefined;
  let worker: ChildProcess | undefined;
  let browser: Browser | undefined;
  let run: { workflowId: string; runId: string; status: string };

  before(async () => {
    stack = await ensureDevStack();
    ui = { uiUrl: stack.uiUrl, namespace: stack.namespace };
    // A task queue of its own, so no other worker on the shared stack picks this run up.
    env = { ...process.env, ...stack.env, TESSERA_TASK_QUEUE: id, TESSERA_THREADS: '1', LOG_LEVEL: 'warn' };
    dir = await mkdtemp(join(tmpdir(), 'tessera-ui-'));
    const scene = join(dir, 'ui-lake.tif');
    const generated = await tessera(['generate', '--out', scene, '--size', '256', '--bands', '23', '--seed', '3'], env);
    assert.equal(generated.code, 0, generated.stderr);
    worker = startWorker(env);
    // The worker's log is the only clue when the run times out (a worker that fails every task retries quietly).
    const workerLog: string[] = [];
    let partial = '';
    worker.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      workerLog.push(...lines.filter((l) => l.trim()).map(logMessage));
      workerLog.splice(0, workerLog.length - 5);
    });
    browser = await launchBrowser();
    out = `s3://${stack.bucket}/${id}`;
    const result = await tessera(['run', scene, '--out', out, '--wait', '--json'], env, RUN_TIMEOUT_MS);
    assert.equal(result.code, 0, `tessera run: ${result.stderr}\nworker log, last lines:\n${workerLog.join('\n')}`);
    run = JSON.parse(result.stdout) as typeof run;
    assert.equal(run.status, 'completed');
  });

  after(async () => {
    if (worker) await stopProcess(worker);
    await browser?.close();
    if (out) {
      const store = createStoreRouter(loadConfig(env), { s3: { credentials: { accessKeyId: stack.accessKeyId, secretAccessKey: stack.secretAccessKey } } });
      await store.deletePrefix(`${out}/`);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the list filtered by TesseraScene shows the run, and a scene that does not exist shows none', async () => {
    await withPage(
      async (page) => {
        // Every earlier run of this scene matches too (other outputs, other workflow ids); newest first.
        const ids = await workflowIdsForQuery(page, ui, 'TesseraScene="ui-lake"');
        assert.ok(ids.includes(run.workflowId), `${run.workflowId} not among ${ids.join(', ')}`);

        const rows = await listWorkflows(page, ui, `TesseraScene="ui-lake" AND WorkflowId="${run.workflowId}"`);
        assert.deepEqual(rows, [{ workflowId: run.workflowId, runId: run.runId, status: 'Completed', type: 'processScene' }]);
        await saveScreenshot(page, 'temporal-ui-list');

        assert.deepEqual(await workflowIdsForQuery(page, ui, `TesseraScene="no-such-scene-${id}"`), []);
      },
      { browser },
    );
  });

  test('the run page shows Completed, the TesseraScene attribute and the summary', async () => {
    await withPage(
      async (page) => {
        assert.equal(await openWorkflow(page, ui, run.workflowId), run.runId);
        assert.equal(await workflowStatus(page), 'Completed');

        const attributes = await searchAttributes(page);
        assert.equal(attributes.TesseraScene, 'ui-lake');
        assert.equal(attributes.TesseraStage, 'done');
        await saveScreenshot(page, 'temporal-ui-search-attributes');

        const { summary, details } = await userMetadata(page);
        assert.equal(summary, EXPECTED_SUMMARY);
        assert.equal(details, undefined, 'tessera run sets no staticDetails');
        await saveScreenshot(page, 'temporal-ui-summary');
      },
      { browser },
    );
  });
});

/** A pino line's message, without the task payloads (kilobytes of base64) that error lines carry. */
function logMessage(line: string): string {
  try {
    const { level, msg } = JSON.parse(line) as { level?: number; msg?: string };
    return `${level ?? '?'} ${msg ?? line}`.slice(0, 500);
  } catch {
    return line.slice(0, 500);
  }
}
