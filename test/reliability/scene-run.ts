/**
 * What the reliability tests share: a scene big enough to give nine tiles and a run of several seconds on one
 * thread per worker, `tessera worker` processes with their logs kept in a file, `tessera run` / `tessera status`
 * as a user calls them, the output hashes a manifest records, and a run's history.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { readStatus as readRunStatus } from '../../cli/commands/status';
import { loadConfig } from '../../platform/config';
import { generateScene } from '../../raster/synthetic/scene';
import type { SceneProgress } from '../../workflows/types';
import { stopProcess, tessera } from '../support/cli';
import { sleep, startPrivateStack, type PrivateStack } from './private-stack';

const MAIN = join(__dirname, '..', '..', 'cli', 'main.js');

/** The scene id every reliability run uses (from the input file name). */
export const SCENE_ID = 'REL';
/** 1536 px at 512 px tiles: 3 x 3 tiles. */
export const TILES = 9;
/** COG products of the default product set (ndwi, water, ndci; rgb is a preview only). */
export const COG_PRODUCTS = ['ndci', 'ndwi', 'water'];

export interface StatusJson {
  workflowId: string;
  runId: string;
  status: string;
  progress: SceneProgress | null;
  failure: string | null;
}

/** Generates the test scene into `dir` and uploads it to the stack's bucket under `<prefix>/input/`. */
export async function prepareScene(stack: PrivateStack, dir: string, prefix: string): Promise<string> {
  const scene = await generateScene({ outPath: join(dir, `${SCENE_ID}.tif`), sizePx: 1536, bands: 23, seed: 7 });
  const input = `${prefix}/input/${SCENE_ID}.tif`;
  await stack.store.put(input, new Uint8Array(await readFile(scene.cogPath)));
  return input;
}

/** Unique name for a task queue or key prefix. */
export function uniqueName(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Starts `tessera worker` with one thread (one activity slot), its stdout and stderr appended to `logPath`.
 * TESSERA_TASK_QUEUE and the endpoints come from `env`.
 */
export function spawnWorker(env: NodeJS.ProcessEnv, logPath: string): ChildProcess {
  const fd = openSync(logPath, 'a');
  try {
    return spawn(process.execPath, [MAIN, 'worker'], { env: { ...env, TESSERA_THREADS: '1', LOG_LEVEL: 'info' }, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

export async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => stopProcess(w, 'SIGKILL')));
}

/** `tessera run INPUT --out OUT --json` (no --wait): returns the ids it printed. */
export async function startRun(env: NodeJS.ProcessEnv, input: string, out: string): Promise<{ workflowId: string; runId: string }> {
  const r = await tessera(['run', input, '--out', out, '--json'], env, 60_000);
  assert.equal(r.code, 0, `tessera run failed:\n${r.stderr}`);
  const started = JSON.parse(r.stdout) as { workflowId: string; runId: string; status: string };
  assert.equal(started.status, 'started');
  return started;
}

/** `tessera status ID --json` as a user runs it, or undefined when the command fails (e.g. Temporal is down). */
export async function cliStatus(env: NodeJS.ProcessEnv, workflowId: string): Promise<StatusJson | undefined> {
  const r = await tessera(['status', workflowId, '--json'], env, 30_000);
  try {
    return JSON.parse(r.stdout) as StatusJson;
  } catch {
    return undefined;
  }
}

/**
 * What `tessera status ID --json` prints, from the command's own code in this process: a CLI process takes a
 * second or more to start on a busy machine, long enough to miss the middle of a run.
 */
export async function readStatus(env: NodeJS.ProcessEnv, workflowId: string): Promise<StatusJson | undefined> {
  try {
    return await readRunStatus(loadConfig(env), workflowId);
  } catch {
    return undefined;
  }
}

/** Polls the status until `done(status)` holds; fails with the last status seen after `timeoutMs`. */
export async function waitForStatus(
  env: NodeJS.ProcessEnv,
  workflowId: string,
  what: string,
  done: (s: StatusJson) => boolean,
  timeoutMs: number,
): Promise<StatusJson> {
  const deadline = Date.now() + timeoutMs;
  let last: StatusJson | undefined;
  for (;;) {
    const s = await readStatus(env, workflowId);
    if (s) {
      last = s;
      if (done(s)) return s;
    }
    if (Date.now() > deadline) assert.fail(`${workflowId}: no ${what} within ${timeoutMs / 1000} s; last status: ${JSON.stringify(last)}`);
    await sleep(200);
  }
}

/** Waits until the run has finished at least one tile and is still running. */
export function waitForFirstTile(env: NodeJS.ProcessEnv, workflowId: string): Promise<StatusJson> {
  return waitForStatus(env, workflowId, 'finished tile', (s) => s.status !== 'RUNNING' || (s.progress?.tilesDone ?? 0) >= 1, 120_000).then((s) => {
    assert.equal(s.status, 'RUNNING', `the run was still running when its first tile was done: ${JSON.stringify(s)}`);
    assert.ok((s.progress?.tilesDone ?? 0) < TILES, `tiles left to do: ${JSON.stringify(s.progress)}`);
    return s;
  });
}

/** Waits until the run is no longer RUNNING; status failures (a server being down) are polled through. */
export function waitForEnd(env: NodeJS.ProcessEnv, workflowId: string, timeoutMs: number): Promise<StatusJson> {
  return waitForStatus(env, workflowId, 'end', (s) => s.status !== 'RUNNING', timeoutMs);
}

export interface ManifestEntry {
  uri: string;
  sizeBytes: number;
  sha256: string;
  role: string;
}

export const manifestUri = (out: string) => `${out}/scenes/${SCENE_ID}/manifest.json`;

/**
 * sha256 of every data output (COGs, Parquet tables, previews) the manifest records, keyed by the path below the
 * output root, so runs to different roots compare. The STAC item and the manifest hold timestamps and URIs and are
 * left out.
 */
export async function outputHashes(stack: PrivateStack, out: string): Promise<Record<string, string>> {
  const manifest = JSON.parse(new TextDecoder().decode(await stack.store.get(manifestUri(out)))) as { outputs: ManifestEntry[] };
  const hashes: Record<string, string> = {};
  for (const o of manifest.outputs) {
    if (o.role === 'stac' || o.role === 'manifest') continue;
    assert.ok(o.uri.startsWith(`${out}/`), `${o.uri} lies under ${out}`);
    hashes[o.uri.slice(out.length + 1)] = o.sha256;
  }
  const roles = new Set(manifest.outputs.map((o) => o.role));
  for (const role of ['cog', 'table', 'preview']) assert.ok(roles.has(role), `the manifest lists a ${role}`);
  return hashes;
}

export type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** Every event of the workflow's current run. */
export async function fetchHistory(stack: PrivateStack, workflowId: string): Promise<HistoryEvent[]> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection, namespace: stack.namespace });
    return (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  } finally {
    await connection.close();
  }
}

/** Activity type of each scheduled event, by its event id, to name started/completed events. */
export function activityTypes(events: HistoryEvent[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const ev of events) {
    const name = ev.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name && ev.eventId != null) types.set(String(ev.eventId), name);
  }
  return types;
}

/** Completed activities per activity type. */
export function completedByType(events: HistoryEvent[]): Record<string, number> {
  const types = activityTypes(events);
  const counts: Record<string, number> = {};
  for (const ev of events) {
    const done = ev.activityTaskCompletedEventAttributes;
    if (!done) continue;
    const type = types.get(String(done.scheduledEventId)) ?? '?';
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/** Last lines of a worker log, for assertion messages. */
export async function logTail(path: string, lines = 15): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-lines).join('\n');
}

/**
 * Waits until the server records a processTile attempt running on the worker process `pid` (pending activity in
 * state STARTED with that worker's identity), so a kill at that moment is sure to lose a tile in flight.
 */
export async function waitForTileOnWorker(stack: PrivateStack, workflowId: string, pid: number, timeoutMs = 120_000): Promise<void> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection, namespace: stack.namespace });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { raw } = await client.workflow.getHandle(workflowId).describe();
      const held = (raw.pendingActivities ?? []).some(
        (a) => a.activityType?.name === 'processTile' && Number(a.state) === 2 /* STARTED */ && (a.lastWorkerIdentity ?? '').startsWith(`${pid}@`),
      );
      if (held) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`worker ${pid} never held a running tile of ${workflowId}`);
  } finally {
    await connection.close();
  }
}

/** A private stack, a scene uploaded to it and two workers on a task queue of their own. */
export interface SceneRig {
  stack: PrivateStack;
  dir: string;
  /** `s3://<bucket>/<unique name>`: everything the test writes lives below it. */
  prefix: string;
  /** URI of the uploaded scene. */
  input: string;
  /** Environment for CLI and worker processes: this stack's endpoints and the private task queue. */
  env: NodeJS.ProcessEnv;
  workers: ChildProcess[];
  /** Stops the workers and the stack and deletes the temporary folder. */
  close(): Promise<void>;
}

export async function startSceneRig(label: string): Promise<SceneRig> {
  const stack = await startPrivateStack();
  const dir = await mkdtemp(join(tmpdir(), `tessera-${label}-`));
  const workers: ChildProcess[] = [];
  const close = async () => {
    await stopWorkers(workers);
    await stack.down();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const name = uniqueName(label);
    const env = { ...stack.env, TESSERA_TASK_QUEUE: name };
    const prefix = `s3://${stack.bucket}/${name}`;
    const input = await prepareScene(stack, dir, prefix);
    workers.push(spawnWorker(env, join(dir, 'worker-a.log')), spawnWorker(env, join(dir, 'worker-b.log')));
    return { stack, dir, prefix, input, env, workers, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Runs the rig's scene undisturbed to `<prefix>/clean` and returns its output hashes: the expected result of a faulted run. */
export async function cleanRunHashes(rig: Pick<SceneRig, 'stack' | 'env' | 'input' | 'prefix'>): Promise<Record<string, string>> {
  const clean = await startRun(rig.env, rig.input, `${rig.prefix}/clean`);
  const end = await waitForEnd(rig.env, clean.workflowId, 180_000);
  assert.equal(end.status, 'COMPLETED', `clean run: ${JSON.stringify(end)}`);
  return outputHashes(rig.stack, `${rig.prefix}/clean`);
}
