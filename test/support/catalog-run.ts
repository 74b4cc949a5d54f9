/**
 * What the catalog (backfill) tests on the shared dev stack have in common: a rig with its own task queue, output
 * prefix, temporary folder and `tessera worker` processes (stack environment as in pipeline.test.ts); `tessera
 * backfill` as a user calls it; and a count of what actually ran, read back from the workflow histories: the
 * backfill's runs (following continue-as-new), the child scene runs they started, and every activity each child
 * executed with its type, decoded input, attempt and worker.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../../platform/config';
import { createStoreRouter, type StoreRouter } from '../../platform/storage/open-store';
import type { ObjectStore } from '../../platform/storage/object-store';
import { stopProcess, tessera, type CliResult } from './cli';
import { ensureDevStack, repoRoot, stackEnv, type DevStack } from './dev-stack';

const run = promisify(execFile);
const MAIN = join(__dirname, '..', '..', 'cli', 'main.js');

/** Unique name for a task queue, key prefix or backfill id. */
export function uniqueName(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export interface CatalogRig {
  stack: DevStack;
  /** Task queue of this rig's workers and CLI calls; also the last path segment of `prefix`. */
  name: string;
  /** `s3://<bucket>/<name>`: everything the rig writes to MinIO lives below it. */
  prefix: string;
  /** Temporary folder (fixtures, downloads, worker logs); removed by `close()`. */
  dir: string;
  /** Environment of CLI and worker processes: the stack's endpoints and the rig's task queue. */
  env: NodeJS.ProcessEnv;
  /** The test process's own store client (s3://, file://, http(s)://). */
  store: StoreRouter;
  workers: ChildProcess[];
  /** Log file of each worker, in the order of `workers`. */
  workerLogs: string[];
  /** Starts one more `tessera worker` (threads per worker as the rig was made with). */
  addWorker(): ChildProcess;
  /** Stops the workers, deletes everything under `prefix` and removes `dir`. Safe to call twice. */
  close(): Promise<void>;
}

export interface CatalogRigOptions {
  /** Worker processes to start. @default 2 */
  workers?: number;
  /** TESSERA_THREADS of each worker. @default 1 */
  threads?: number;
  /** More environment for workers and the CLI. */
  env?: NodeJS.ProcessEnv;
}

export async function startCatalogRig(label: string, opts: CatalogRigOptions = {}): Promise<CatalogRig> {
  const stack = await ensureDevStack();
  const name = uniqueName(label);
  const env = stackEnv(stack, name, { threads: opts.threads, env: opts.env });
  const store = createStoreRouter(loadConfig(env));
  const dir = await mkdtemp(join(tmpdir(), `tessera-${label}-`));
  const prefix = `s3://${stack.bucket}/${name}`;
  const workers: ChildProcess[] = [];
  const workerLogs: string[] = [];
  const addWorker = (): ChildProcess => {
    const log = join(dir, `worker-${workers.length}.log`);
    const fd = openSync(log, 'a');
    try {
      const child = spawn(process.execPath, [MAIN, 'worker'], { env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', fd, fd] });
      workers.push(child);
      workerLogs.push(log);
      return child;
    } finally {
      closeSync(fd);
    }
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all(workers.map((w) => stopProcess(w, 'SIGKILL')));
    await store.deletePrefix(`${prefix}/`).catch(() => undefined);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < (opts.workers ?? 2); i++) addWorker();
  return { stack, name, prefix, dir, env, store, workers, workerLogs, addWorker, close };
}

/** Last lines of the rig's worker logs, for assertion messages. */
export async function workerLogTail(rig: Pick<CatalogRig, 'workerLogs'>, lines = 10): Promise<string> {
  const parts: string[] = [];
  for (const path of rig.workerLogs) {
    const text = await readFile(path, 'utf8').catch(() => '');
    parts.push(`--- ${path}\n${text.trim().split('\n').slice(-lines).join('\n')}`);
  }
  return parts.join('\n');
}

/** `tessera backfill ARGS` with the rig's environment. */
export function backfillCli(rig: Pick<CatalogRig, 'env'>, args: string[], timeoutMs = 600_000): Promise<CliResult> {
  return tessera(['backfill', ...args], rig.env, timeoutMs);
}

/** The JSON a `--json` command printed on stdout; fails the test with stdout and stderr when it is not JSON. */
export function parseJsonOutput<T>(r: CliResult, what: string): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    assert.fail(`${what}: stdout is not JSON (exit ${r.code})\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`);
  }
}

/** The `temporal` CLI of the stack, against its server and namespace; returns stdout. */
export async function temporalCli(stack: DevStack, args: string[]): Promise<string> {
  const { stdout } = await run(stack.temporalBin, [...args, '--address', stack.temporalAddress, '--namespace', stack.namespace], { maxBuffer: 1 << 26 });
  return stdout;
}

/** `temporal workflow count --query Q` as a number. */
export async function temporalCount(stack: DevStack, query: string): Promise<number> {
  const out = await temporalCli(stack, ['workflow', 'count', '--query', query, '-o', 'json']);
  const parsed = JSON.parse(out) as { count?: number | string };
  return Number(parsed.count ?? 0);
}

/** Runs `fn` with a client of the stack's namespace; closes the connection afterwards. */
export async function withClient<T>(stack: DevStack, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    return await fn(new Client({ connection, namespace: stack.namespace }));
  } finally {
    await connection.close();
  }
}

export type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
type Payload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };

/** A JSON payload's value (the default data converter's `json/plain`), `null` payloads as null. */
export function decodePayload(p: Payload | null | undefined): unknown {
  if (!p) return undefined;
  const encoding = p.metadata?.encoding ? new TextDecoder().decode(p.metadata.encoding) : '';
  if (encoding === 'binary/null') return null;
  if (encoding !== 'json/plain' || !p.data) return undefined;
  return JSON.parse(new TextDecoder().decode(p.data));
}

export async function fetchHistory(client: Client, workflowId: string, runId?: string): Promise<HistoryEvent[]> {
  return (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
}

/** One run of a workflow and its history. */
export interface RunHistory {
  workflowId: string;
  runId: string;
  events: HistoryEvent[];
}

/**
 * Every run of one execution chain, first to last: starts at `runId` (or the first run of the latest chain when
 * absent) and follows continue-as-new to the run that closed (or still runs).
 */
export async function runChain(client: Client, workflowId: string, runId?: string): Promise<RunHistory[]> {
  let current = runId ?? (await firstRunOfLatestChain(client, workflowId));
  const runs: RunHistory[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    const events = await fetchHistory(client, workflowId, current);
    runs.push({ workflowId, runId: current, events });
    const next = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    current = next;
  }
  throw new Error(`${workflowId}: continue-as-new chain longer than 10,000 runs`);
}

/** The latest run, walked back along `continuedExecutionRunId` to the run that started the chain. */
async function firstRunOfLatestChain(client: Client, workflowId: string): Promise<string> {
  let runId = (await client.workflow.getHandle(workflowId).describe()).runId;
  for (let guard = 0; guard < 10_000; guard++) {
    const first = (await fetchHistory(client, workflowId, runId))[0];
    const prev = first?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!prev) return runId;
    runId = prev;
  }
  throw new Error(`${workflowId}: continue-as-new chain longer than 10,000 runs`);
}

/** A child a run started: ids, and how it ended as the parent's history records it. */
export interface ChildRun {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: 'completed' | 'failed' | 'canceled' | 'timed-out' | 'terminated' | 'running' | 'start-failed';
}

/** The children started by every run in `runs`, in start order. */
export function childRuns(runs: RunHistory[]): ChildRun[] {
  const out: ChildRun[] = [];
  for (const { events } of runs) {
    const byInitiated = new Map<string, ChildRun>();
    for (const ev of events) {
      const started = ev.childWorkflowExecutionStartedEventAttributes;
      if (started) {
        const child: ChildRun = {
          workflowId: started.workflowExecution?.workflowId ?? '',
          runId: started.workflowExecution?.runId ?? '',
          workflowType: started.workflowType?.name ?? '',
          status: 'running',
        };
        byInitiated.set(String(started.initiatedEventId), child);
        out.push(child);
      }
      const ended = (
        [
          ['completed', ev.childWorkflowExecutionCompletedEventAttributes],
          ['failed', ev.childWorkflowExecutionFailedEventAttributes],
          ['canceled', ev.childWorkflowExecutionCanceledEventAttributes],
          ['timed-out', ev.childWorkflowExecutionTimedOutEventAttributes],
          ['terminated', ev.childWorkflowExecutionTerminatedEventAttributes],
        ] as const
      ).find(([, a]) => a);
      if (ended) {
        const child = byInitiated.get(String((ended[1] as { initiatedEventId?: unknown }).initiatedEventId));
        if (child) child.status = ended[0];
      }
      if (ev.startChildWorkflowExecutionFailedEventAttributes) {
        const a = ev.startChildWorkflowExecutionFailedEventAttributes;
        out.push({ workflowId: a.workflowId ?? '', runId: '', workflowType: a.workflowType?.name ?? '', status: 'start-failed' });
      }
    }
  }
  return out;
}

/** One activity a workflow run scheduled, and what became of it. */
export interface ActivityRun {
  type: string;
  activityId: string;
  /** The activity's first argument as scheduled. */
  input: unknown;
  /** The one-line summary the workflow gave it (user metadata), if any. */
  summary?: string;
  /** Attempt of the last start the history records (attempts before it were retried without history events). */
  attempt: number;
  /** Worker identity of that last start (`<pid>@<host>`). */
  identity?: string;
  /** Whether the history records a start at all (an activity still pending has none). */
  started: boolean;
  outcome: 'completed' | 'failed' | 'timed-out' | 'canceled' | 'pending';
}

/** Every activity of one run's history, in scheduling order. */
export function activityRuns(events: HistoryEvent[]): ActivityRun[] {
  const byScheduled = new Map<string, ActivityRun>();
  const out: ActivityRun[] = [];
  for (const ev of events) {
    const sched = ev.activityTaskScheduledEventAttributes;
    if (sched && ev.eventId != null) {
      const summary = decodePayload(ev.userMetadata?.summary as Payload | undefined);
      const a: ActivityRun = {
        type: sched.activityType?.name ?? '?',
        activityId: sched.activityId ?? '',
        input: decodePayload(sched.input?.payloads?.[0] as Payload | undefined),
        summary: typeof summary === 'string' ? summary : undefined,
        attempt: 0,
        started: false,
        outcome: 'pending',
      };
      byScheduled.set(String(ev.eventId), a);
      out.push(a);
      continue;
    }
    const started = ev.activityTaskStartedEventAttributes;
    if (started) {
      const a = byScheduled.get(String(started.scheduledEventId));
      if (a) {
        a.started = true;
        a.attempt = started.attempt ?? 1;
        a.identity = started.identity ?? undefined;
      }
      continue;
    }
    const ends = [
      ['completed', ev.activityTaskCompletedEventAttributes],
      ['failed', ev.activityTaskFailedEventAttributes],
      ['timed-out', ev.activityTaskTimedOutEventAttributes],
      ['canceled', ev.activityTaskCanceledEventAttributes],
    ] as const;
    for (const [outcome, attrs] of ends) {
      if (!attrs) continue;
      const a = byScheduled.get(String((attrs as { scheduledEventId?: unknown }).scheduledEventId));
      if (a) a.outcome = outcome;
    }
  }
  return out;
}

/** Activities per type. */
export function countByType(runs: readonly ActivityRun[], outcome?: ActivityRun['outcome']): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of runs) if (!outcome || a.outcome === outcome) counts[a.type] = (counts[a.type] ?? 0) + 1;
  return counts;
}

/**
 * Activity types that compute tiles: one tile (`processTile`), a batch of a scene's tiles (`processTiles`), or every
 * tile of a small scene with all its stages (`processSceneInline`, which a backfill uses for scenes of up to four tiles).
 */
export const TILE_ACTIVITY_TYPES: readonly string[] = ['processTile', 'processTiles', 'processSceneInline'];

export function isTileActivity(a: Pick<ActivityRun, 'type'>): boolean {
  return TILE_ACTIVITY_TYPES.includes(a.type);
}

/** The tiles a tile activity computes (`col,row` each) and the products its plan computes, from its decoded input. */
export function tilesOf(a: ActivityRun): { tiles: string[]; products: string[] } {
  const input = a.input as {
    col?: number;
    row?: number;
    tiles?: Array<{ col: number; row: number }>;
    plan: { products: string[]; tilesAcross: number; tilesDown: number };
  };
  const grid = () => Array.from({ length: input.plan.tilesAcross * input.plan.tilesDown }, (_, i) => `${i % input.plan.tilesAcross},${Math.floor(i / input.plan.tilesAcross)}`);
  const tiles =
    a.type === 'processTiles' ? (input.tiles ?? []).map((t) => `${t.col},${t.row}`) : a.type === 'processSceneInline' ? grid() : [`${input.col},${input.row}`];
  return { tiles, products: [...input.plan.products] };
}

/** Every tile computed by the tile activities among `runs` (a tile in two activities is listed twice). */
export function tilesComputed(runs: readonly ActivityRun[]): string[] {
  return runs.filter(isTileActivity).flatMap((a) => tilesOf(a).tiles);
}

/** What one scene run of a backfill executed. */
export interface SceneActivities {
  child: ChildRun;
  activities: ActivityRun[];
  /** The run's result (processScene's SceneResult) when it completed. */
  result?: unknown;
  /** Failure message (innermost cause) when it failed. */
  failure?: string;
}

/** The backfill's runs (one execution chain) and, for each child scene run, every activity it scheduled. */
export interface BackfillExecution {
  runs: RunHistory[];
  children: ChildRun[];
  scenes: SceneActivities[];
}

/**
 * Reads what one backfill execution did: its chain of runs from `runId` (default: the latest execution), the
 * children those runs started and each child's activities.
 */
export async function readBackfillExecution(client: Client, backfillId: string, runId?: string): Promise<BackfillExecution> {
  const runs = await runChain(client, backfillId, runId);
  const children = childRuns(runs);
  const scenes: SceneActivities[] = [];
  for (const child of children) {
    if (!child.runId) {
      scenes.push({ child, activities: [] });
      continue;
    }
    const events = await fetchHistory(client, child.workflowId, child.runId);
    const last = events.at(-1);
    const completed = last?.workflowExecutionCompletedEventAttributes;
    const failed = last?.workflowExecutionFailedEventAttributes;
    scenes.push({
      child,
      activities: activityRuns(events),
      result: completed ? decodePayload(completed.result?.payloads?.[0] as Payload | undefined) : undefined,
      failure: failed ? innermostMessage(failed.failure) : undefined,
    });
  }
  return { runs, children, scenes };
}

function innermostMessage(f: { message?: string | null; cause?: unknown } | null | undefined): string {
  let e = f;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? '';
}

/** Every activity of every scene run in `exec`, flattened. */
export function allActivities(exec: BackfillExecution): ActivityRun[] {
  return exec.scenes.flatMap((s) => s.activities);
}

/** The scene id of a backfill child (`<backfillId>/<sceneId>`). */
export function sceneIdOf(child: Pick<ChildRun, 'workflowId'>): string {
  return child.workflowId.slice(child.workflowId.lastIndexOf('/') + 1);
}

/** Copies every object under `uri` (a prefix ending in `/`) to `localDir`, keeping the relative paths. */
export async function downloadPrefix(store: ObjectStore, uri: string, localDir: string): Promise<string[]> {
  const base = uri.endsWith('/') ? uri : `${uri}/`;
  const files: string[] = [];
  for await (const obj of store.list(base)) {
    const path = join(localDir, obj.uri.slice(base.length));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await store.get(obj.uri));
    files.push(path);
  }
  return files;
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: field 3 (state) is fields[0], so utime (14) is fields[11] and stime (15) fields[12].
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pid of the shared stack's Temporal dev server, as `infra/dev-stack.sh status` prints it. */
export async function temporalServerPid(): Promise<number> {
  const { stdout } = await run('bash', [join(repoRoot(), 'infra', 'dev-stack.sh'), 'status'], { cwd: repoRoot() });
  const m = /^temporal\s+up\b.*\bpid (\d+)/m.exec(stdout);
  if (!m) throw new Error(`infra/dev-stack.sh status shows no running Temporal pid:\n${stdout}`);
  return Number(m[1]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a test asks a backfill to select, to compute the expected scenes from the fixture on its own. */
export interface ExpectedFilters {
  collections?: string[];
  /** [west, south, east, north]; an item matches when its bbox intersects it (edges touching count). */
  bbox?: [number, number, number, number];
  /** Inclusive interval, RFC 3339 ends. */
  datetime?: [string, string];
}

/** The fixture scenes (with their collection) a search with `f` must return, by id, sorted. */
export function expectedSceneIds(scenes: ReadonlyArray<{ id: string; datetime: string; bbox: readonly number[]; collection: string }>, f: ExpectedFilters): string[] {
  return scenes
    .filter((s) => !f.collections || f.collections.includes(s.collection))
    .filter((s) => !f.bbox || (s.bbox[0] <= f.bbox[2] && f.bbox[0] <= s.bbox[2] && s.bbox[1] <= f.bbox[3] && f.bbox[1] <= s.bbox[3]))
    .filter((s) => !f.datetime || (Date.parse(s.datetime) >= Date.parse(f.datetime[0]) && Date.parse(s.datetime) <= Date.parse(f.datetime[1])))
    .map((s) => s.id)
    .sort();
}

/** `(scene, product) → rows` of the catalog table under a local copy of an output root, read by DuckDB. */
export async function catalogTableRows(localOut: string): Promise<Array<{ scene: string; product: string; rows: number }>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const glob = join(localOut, 'tables', 'catalog').replace(/'/g, "''") + '/**/*.parquet';
    const reader = await con.runAndReadAll(
      `SELECT scene, product, count(*)::INTEGER AS rows FROM read_parquet('${glob}', hive_partitioning = true, hive_types = {'scene': VARCHAR, 'product': VARCHAR}) GROUP BY ALL ORDER BY scene, product`,
    );
    return reader.getRowObjectsJS() as Array<{ scene: string; product: string; rows: number }>;
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

export interface FailingProxyOptions {
  /** Where requests are forwarded: `http://host:port`. */
  target: string;
  /** The first `count` requests whose path matches are answered with `status` instead of being forwarded. */
  failures: { status: number; count: number; pathPattern?: RegExp };
}

export interface FailingProxy {
  url: string;
  /** Every request received: path, and the status answered. */
  requests: Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

/**
 * A forwarding HTTP proxy in front of a real server (a STAC API) that fails its first few matching requests, so a
 * server that answers 500 a few times and then recovers can be put in front of a client.
 */
export async function startFailingProxy(opts: FailingProxyOptions): Promise<FailingProxy> {
  const { createServer } = await import('node:http');
  const requests: FailingProxy['requests'] = [];
  let left = opts.failures.count;
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const record = (status: number) => requests.push({ method: req.method ?? '', path, status });
    if (left > 0 && (!opts.failures.pathPattern || opts.failures.pathPattern.test(path))) {
      left--;
      record(opts.failures.status);
      res.writeHead(opts.failures.status, { 'content-type': 'text/plain' }).end(`injected failure ${opts.failures.status}\n`);
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
      fetch(`${opts.target}${path}`, { method: req.method, headers, body: body === '' ? undefined : body })
        .then(async (upstream) => {
          // The proxy's own URL, not the upstream's, in every link the server writes (paging, self).
          const text = (await upstream.text()).split(opts.target).join(url);
          record(upstream.status);
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(text);
        })
        .catch((err: unknown) => {
          record(502);
          res.writeHead(502).end(String(err));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Raster products of a product list (those written as COGs and catalog rows), from the registry. */
export async function cogProductsOf(products: readonly string[]): Promise<string[]> {
  const { PRODUCTS } = await import('../../workflows/products');
  return products.filter((p) => PRODUCTS[p as keyof typeof PRODUCTS]?.output === 'cog').sort();
}

export interface SceneOutputCheck {
  sceneId: string;
  /** The scene's input GeoTIFF on local disk, for the numpy/GDAL references. */
  inputPath: string;
  /** processScene's result, as the child's history records it. */
  result: unknown;
}

/**
 * Downloads `out` and checks every scene against the oracles (test/support/check-outputs.ts: GDAL COG validation,
 * numpy reference of every product, DuckDB tile tables, sha256 of the manifest), validates each output STAC item
 * with rustac and checks its WGS 84 `bbox` (the raster's extent) and `geometry` (inside the bbox), and reads the
 * catalog table: exactly one row per scene × raster product. Returns the local copy's folder.
 */
export async function checkBackfillOutputs(
  rig: Pick<CatalogRig, 'store' | 'dir'>,
  out: string,
  scenes: SceneOutputCheck[],
  products: readonly string[],
  label: string,
): Promise<string> {
  const { checkSceneOutputs } = await import('./check-outputs');
  const { gdalReadBand } = await import('./gdal-oracle');
  const { rustacValidate } = await import('./rustac');
  const local = join(rig.dir, `download-${label}`);
  await rm(local, { recursive: true, force: true });
  await downloadPrefix(rig.store, `${out}/`, local);
  const toLocal = (uri: string) => {
    assert.ok(uri.startsWith(`${out}/`), `${uri} lies under ${out}`);
    return join(local, uri.slice(out.length + 1));
  };
  const tmp = join(rig.dir, `oracle-${label}`);
  await mkdir(tmp, { recursive: true });
  for (const s of scenes) {
    const result = s.result as import('../../workflows/types').SceneResult;
    assert.ok(result && result.sceneId === s.sceneId, `${s.sceneId}: the scene run's result names it (${JSON.stringify(result)?.slice(0, 200)})`);
    const input = await gdalReadBand(s.inputPath, tmp);
    await checkSceneOutputs({
      result,
      inputPath: s.inputPath,
      localPath: toLocal,
      tableRoot: join(local, 'tables', 'tile_stats'),
      tmpDir: tmp,
      tiles: Math.ceil(input.width / 512) * Math.ceil(input.height / 512),
    });

    const itemPath = toLocal(result.stac);
    const validation = await rustacValidate(itemPath);
    assert.ok(validation.ok, `${s.sceneId}: rustac validate ${result.stac}:\n${validation.output}`);
    const item = JSON.parse(await readFile(itemPath, 'utf8')) as { bbox?: number[]; geometry?: { type: string; coordinates: unknown } };
    assert.equal(input.epsg, 4326, 'the fixture scenes are in EPSG:4326, so their extent is the expected WGS 84 bbox');
    const [x0, sx, , y0, , sy] = input.geotransform;
    const extent = [Math.min(x0, x0 + sx * input.width), Math.min(y0, y0 + sy * input.height), Math.max(x0, x0 + sx * input.width), Math.max(y0, y0 + sy * input.height)];
    assert.ok(Array.isArray(item.bbox) && item.bbox.length === 4, `${s.sceneId}: item bbox ${JSON.stringify(item.bbox)}`);
    item.bbox.forEach((v, i) => assert.ok(Math.abs(v - extent[i]) < 1e-6, `${s.sceneId}: bbox ${JSON.stringify(item.bbox)} is the raster extent ${JSON.stringify(extent)}`));
    assert.ok(item.geometry && (item.geometry.type === 'Polygon' || item.geometry.type === 'MultiPolygon'), `${s.sceneId}: geometry ${item.geometry?.type}`);
    const positions: number[][] = [];
    const walk = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number') positions.push(c as number[]);
      else if (Array.isArray(c)) c.forEach(walk);
    };
    walk(item.geometry.coordinates);
    assert.ok(positions.length >= 4, `${s.sceneId}: geometry has ${positions.length} positions`);
    for (const [lon, lat] of positions) {
      assert.ok(lon >= item.bbox[0] - 1e-9 && lon <= item.bbox[2] + 1e-9 && lat >= item.bbox[1] - 1e-9 && lat <= item.bbox[3] + 1e-9, `${s.sceneId}: geometry position ${lon},${lat} inside the bbox`);
    }
  }

  const rows = await catalogTableRows(local);
  const cogProducts = await cogProductsOf(products);
  const want = scenes.flatMap((s) => cogProducts.map((p) => ({ scene: s.sceneId, product: p, rows: 1 }))).sort((a, b) => (a.scene !== b.scene ? (a.scene < b.scene ? -1 : 1) : a.product < b.product ? -1 : 1));
  assert.deepEqual(rows, want, 'catalog table: one row per scene × product');
  return local;
}
