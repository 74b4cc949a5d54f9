/**
 * `npm run bench -- --catalog`: a whole catalog (bench/catalog-scenes.ts: 24 × 1024² + 4 × 4096², 31 bands, LZW
 * predictor 3) through `tessera backfill … --wait`, against a GDAL + numpy script looping over the same scenes
 * (bench/reference/catalog_gdal_numpy.py), in one invocation on the same machine.
 *
 * Rows (`--rows`, comma-separated; default all): ref-1 and ref-all (GDAL_NUM_THREADS=1 / ALL_CPUS; the faster is
 * the reference), 1x2 (one worker, 2 threads), 2x1 (two workers, 1 thread each), hosts-1x1 and hosts-2x1 (worker
 * hosts in network namespaces, each worker pinned to its own core with taskset, the server on a host of its own).
 * Every Tessera measurement gets a fresh private Temporal server (bench/bench-stack.ts) and fresh workers that
 * first run a one-scene warm-up backfill; the timed part is the CLI's whole `backfill --wait`, start-up included.
 * Runs are interleaved (run 1 of every row, then run 2, ...) so a spell of load from others falls on all rows.
 *
 * Measured per run: wall, CPU (workers + client; server separately, from /proc/<pid>/stat), the workers' thread
 * busy time (SIGUSR2 → `thread pool stats`, workers/pool.ts), peak RSS (VmHWM), and, after the last run of a row,
 * the Temporal histories of the backfill (events and activities per scene). Every row must count the same water
 * pixels per scene as the reference. Options: --runs N (3) --rows LIST --tessera DIR (the build measured; default
 * this repository) --dynamic-config "K=V …" (the private servers'; default infra/dev-stack.sh's) --label NAME
 * (key in bench/results.json, default "latest") --profile (one extra, untimed 1x2 run with `node --cpu-prof`)
 * --report-only (the tables, plot and summaries again from bench/results.json, measuring nothing).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { netnsUnavailable } from '../test/reliability/hosts-net';
import { defaultDynamicConfig, startBenchStack, startHostsStack, type BenchStack } from './bench-stack';
import { busyDelta, procCpuS, procSchedS, spawnLocalWorker, tailFile, trackWorker, type BenchWorker } from './bench-worker';
import { fmt, reportCatalog, reportFromResults } from './catalog-report';
import { ALL_ROWS, ROW_NAMES, spread, type CatalogOptions, type CatalogSample, type HistoryStats, type RowKey } from './catalog-rows';
import { ensureCatalog, type Catalog } from './catalog-scenes';
import { topSelfTime, type SelfTime } from './cpu-profile';

const PY = '/usr/bin/python3';

/** Workers of each Tessera row: threads, and the core a pinned host's worker runs on. */
const ROW_WORKERS: Record<Exclude<RowKey, 'ref-1' | 'ref-all'>, Array<{ threads: number; cpu?: number }>> = {
  '1x2': [{ threads: 2 }],
  '2x1': [{ threads: 1 }, { threads: 1 }],
  'hosts-1x1': [{ threads: 1, cpu: 0 }],
  'hosts-2x1': [{ threads: 1, cpu: 0 }, { threads: 1, cpu: 1 }],
};

export function parseCatalogOptions(argv: string[], root: string): CatalogOptions {
  const o: CatalogOptions = { runs: 3, rows: [...ALL_ROWS], tesseraRoot: root, label: 'latest', profile: false, reportOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--catalog') continue;
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--rows') o.rows = argv[++i].split(',') as RowKey[];
    else if (a === '--tessera') o.tesseraRoot = argv[++i];
    else if (a === '--dynamic-config') o.dynamicConfig = argv[++i];
    else if (a === '--label') o.label = argv[++i];
    else if (a === '--profile') o.profile = true;
    else if (a === '--report-only') o.reportOnly = true;
    else throw new Error(`bench --catalog: unknown option ${a}`);
  }
  for (const r of o.rows) if (!ALL_ROWS.includes(r)) throw new Error(`bench --catalog: unknown row ${r} (${ALL_ROWS.join(', ')})`);
  if (!(o.runs >= 1)) throw new Error('bench --catalog: bad --runs');
  return o;
}

function log(msg: string): void {
  process.stderr.write(`[bench catalog] ${msg}\n`);
}

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}


/** `/usr/bin/time -v cmd …`: stdout and wall, CPU, peak RSS. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): { stdout: string; wallS: number; cpuS: number; peakRssMB: number } {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-3000)}`);
  const field = (re: RegExp) => {
    const m = r.stderr.match(re);
    if (!m) throw new Error(`no ${re} in /usr/bin/time output`);
    return m[1];
  };
  const wallS = field(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/).split(':').map(Number).reduce((a, v) => a * 60 + v, 0);
  const cpuS = Number(field(/User time \(seconds\): ([\d.]+)/)) + Number(field(/System time \(seconds\): ([\d.]+)/));
  const peakRssMB = Number(field(/Maximum resident set size \(kbytes\): (\d+)/)) / 1024;
  return { stdout: r.stdout, wallS, cpuS, peakRssMB };
}

// --- reference ---------------------------------------------------------------------------------

function referenceRun(catalog: Catalog, threads: '1' | 'ALL_CPUS', work: string): CatalogSample {
  const out = join(work, `ref-${threads}`);
  const loadBefore = loadavg();
  // This machine may set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE; they are unset for the reference only (numpy's
  // element-wise work never calls BLAS, but a mis-set core type would slow whatever does).
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = timed(PY, [join(ROOT_BENCH(), 'reference', 'catalog_gdal_numpy.py'), out, '--threads', threads, ...catalog.scenes.map((s) => s.path)], env, 3_600_000);
  rmSync(out, { recursive: true, force: true });
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { waterPixels: Record<string, number>; stagesMs: Record<string, number> };
  return { wallS: r.wallS, cpuS: r.cpuS, peakRssMB: r.peakRssMB, loadBefore, waterPixels: result.waterPixels, stagesMs: result.stagesMs };
}

let benchRoot = '';
const ROOT_BENCH = () => join(benchRoot, 'bench');

// --- Tessera -----------------------------------------------------------------------------------

interface Running {
  stack: BenchStack;
  workers: BenchWorker[];
  cleanup: Array<() => void | Promise<void>>;
}

async function startRow(key: Exclude<RowKey, 'ref-1' | 'ref-all'>, opts: CatalogOptions, queue: string, profileDir?: string): Promise<Running> {
  const cli = join(opts.tesseraRoot, 'dist', 'cli', 'main.js');
  // A build from before the SIGUSR2 handler would be killed by the signal; it then reports no thread busy time.
  const hasStats = readFileSync(join(opts.tesseraRoot, 'dist', 'workers', 'main.js'), 'utf8').includes('SIGUSR2');
  const dynamicConfig = opts.dynamicConfig ?? defaultDynamicConfig(benchRoot);
  const spec = ROW_WORKERS[key];
  const cleanup: Running['cleanup'] = [];
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  if (key.startsWith('hosts-')) {
    const hosts = spec.map((_, i) => `w${i + 1}`);
    const stack = await startHostsStack(benchRoot, hosts, dynamicConfig);
    cleanup.push(() => stack.down());
    const workers = spec.map((w, i) => {
      const logPath = join(tmpdir(), `tessera-bench-${queue}-w${i + 1}.log`);
      const env = { ...stack.env, TESSERA_TASK_QUEUE: queue, LOG_LEVEL: 'info' };
      const child = stack.net.spawn(hosts[i], 'taskset', ['-c', String(w.cpu ?? i), process.execPath, ...prof, cli, 'worker', '--threads', String(w.threads)], { env, logPath });
      const tail = tailFile(logPath);
      cleanup.push(() => {
        tail.close();
        rmSync(logPath, { force: true });
      });
      return trackWorker(hosts[i], child, tail.subscribe, hasStats);
    });
    cleanup.unshift(() => Promise.all(workers.map((w) => w.stop())).then(() => undefined));
    await started(workers, cleanup);
    return { stack, workers, cleanup };
  }
  const stack = await startBenchStack(benchRoot, dynamicConfig);
  cleanup.push(() => stack.down());
  const workers = spec.map((w, i) => {
    const env: NodeJS.ProcessEnv = { ...stack.env, TESSERA_TASK_QUEUE: queue, LOG_LEVEL: 'info' };
    const logPath = join(tmpdir(), `tessera-bench-${queue}-worker-${i + 1}.log`);
    cleanup.push(() => rmSync(logPath, { force: true }));
    return spawnLocalWorker(cli, `worker-${i + 1}`, w.threads, env, hasStats, logPath, prof);
  });
  cleanup.unshift(() => Promise.all(workers.map((w) => w.stop())).then(() => undefined));
  await started(workers, cleanup);
  return { stack, workers, cleanup };
}

/**
 * Waits for every worker to start. When one does not, the row's stack and the other workers are taken down here:
 * the caller never gets the cleanup steps, and a server left running would keep the benchmark from exiting.
 */
async function started(workers: Array<{ started: Promise<void> }>, cleanup: Running['cleanup']): Promise<void> {
  try {
    await Promise.all(workers.map((w) => w.started));
  } catch (err) {
    for (const step of cleanup) await Promise.resolve(step()).catch(() => undefined);
    throw err;
  }
}

function backfill(opts: CatalogOptions, stack: BenchStack, queue: string, glob: string, out: string, id: string): { wallS: number; cpuS: number; result: { counts: { done: number; failed: number; skipped: number }; failures: unknown[] } } {
  const cli = join(opts.tesseraRoot, 'dist', 'cli', 'main.js');
  const env = { ...stack.env, TESSERA_TASK_QUEUE: queue, LOG_LEVEL: 'warn' };
  const r = timed(process.execPath, [cli, 'backfill', glob, '--out', `file://${out}`, '--wait', '--json', '--id', id], env, 3_600_000);
  return { wallS: r.wallS, cpuS: r.cpuS, result: JSON.parse(r.stdout) };
}

async function tesseraRun(key: Exclude<RowKey, 'ref-1' | 'ref-all'>, run: number, catalog: Catalog, opts: CatalogOptions, work: string, withHistory: boolean): Promise<{ sample: CatalogSample; history?: HistoryStats }> {
  const queue = `bench-${key}-${run}-${process.pid}`;
  const running = await startRow(key, opts, queue);
  try {
    const { stack, workers } = running;
    const warm = backfill(opts, stack, queue, catalog.warmupGlob, join(work, `warm-${key}-${run}`), `warm-${key}-${run}`);
    if (warm.result.counts.failed > 0) throw new Error(`warm-up failed: ${JSON.stringify(warm.result.failures).slice(0, 2000)}`);
    rmSync(join(work, `warm-${key}-${run}`), { recursive: true, force: true });

    const out = join(work, `out-${key}-${run}`);
    const id = `bench-${key}-${run}`;
    const loadBefore = loadavg();
    const stats0 = await Promise.all(workers.map((w) => w.poolStats()));
    const cpu0 = workers.map((w) => w.cpuS());
    const sched0 = workers.map((w) => procSchedS(w.pid));
    const server0 = procCpuS(stack.temporalPid);
    const r = backfill(opts, stack, queue, catalog.glob, out, id);
    const server1 = procCpuS(stack.temporalPid);
    const cpu1 = workers.map((w) => w.cpuS());
    const sched1 = workers.map((w) => procSchedS(w.pid));
    const stats1 = await Promise.all(workers.map((w) => w.poolStats()));
    if (r.result.counts.done !== catalog.scenes.length || r.result.counts.failed > 0) {
      throw new Error(`${key} run ${run}: ${JSON.stringify(r.result.counts)}; failures ${JSON.stringify(r.result.failures).slice(0, 2000)}`);
    }
    const busy = workers.map((_, i) => busyDelta(stats0[i], stats1[i]));
    const threadBusy = busy.every((b) => b) ? busy.flatMap((b) => b!.busyMs.map((ms) => ms / 1000 / r.wallS)) : undefined;
    const waterPixels: Record<string, number> = {};
    for (const s of catalog.scenes) {
      const item = JSON.parse(readFileSync(join(out, 'scenes', s.id, 'item.json'), 'utf8')) as { properties: Record<string, unknown> };
      waterPixels[s.id] = Number(item.properties['tessera:water_pixels']);
    }
    const workerCpuS = cpu1.reduce((n, c, i) => n + c - cpu0[i], 0);
    const history = withHistory ? await historyStats(stack.temporalAddress, id) : undefined;
    rmSync(out, { recursive: true, force: true });
    return {
      sample: {
        wallS: r.wallS,
        cpuS: workerCpuS + r.cpuS,
        workerCpuS,
        clientCpuS: r.cpuS,
        serverCpuS: server1 - server0,
        peakRssMB: Math.max(...workers.map((w) => w.peakRssMB())),
        threadBusy,
        poolTasks: busy.every((b) => b) ? busy.reduce((n, b) => n + b!.tasks, 0) : undefined,
        runQueueS: sched1.reduce((n, s, i) => n + s.runQueueS - sched0[i].runQueueS, 0),
        loadBefore,
        waterPixels,
      },
      history,
    };
  } finally {
    for (const step of running.cleanup) await Promise.resolve(step()).catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }
}

/** Events and activities of the backfill and its children, from the server's histories. */
async function historyStats(address: string, backfillId: string): Promise<HistoryStats> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: 'default' });
    const ids = new Set([backfillId]);
    for await (const wf of client.workflow.list({ query: `TesseraBackfill = "${backfillId}"` })) ids.add(wf.workflowId);
    const stats: HistoryStats = { workflows: ids.size, events: 0, activities: {}, timing: {}, tilePhaseS: 0 };
    const waits: Record<string, number[]> = {};
    const runs: Record<string, number[]> = {};
    const tiles: Array<[number, number]> = [];
    for (const id of ids) {
      const history = await client.workflow.getHandle(id).fetchHistory();
      const scheduled = new Map<string, { type: string; ms: number }>();
      const started = new Map<string, number>();
      for (const e of history.events ?? []) {
        stats.events++;
        const ms = tsToMs(e.eventTime);
        const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
        if (type) {
          stats.activities[type] = (stats.activities[type] ?? 0) + 1;
          scheduled.set(String(e.eventId), { type, ms });
        }
        const st = e.activityTaskStartedEventAttributes;
        if (st) {
          const s = scheduled.get(String(st.scheduledEventId));
          if (s) {
            (waits[s.type] ??= []).push((ms - s.ms) / 1000);
            started.set(String(st.scheduledEventId), ms);
          }
        }
        // Completed, failed or timed out: each names the scheduled event it closes.
        const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
        if (closed) {
          const s = scheduled.get(String(closed.scheduledEventId));
          const t0 = started.get(String(closed.scheduledEventId));
          if (s && t0 !== undefined) {
            (runs[s.type] ??= []).push((ms - t0) / 1000);
            if (TILE_ACTIVITIES.has(s.type)) tiles.push([t0, ms]);
          }
        }
      }
    }
    tiles.sort((a, b) => a[0] - b[0]);
    let end = -Infinity;
    for (const [a, b] of tiles) {
      if (b <= end) continue;
      stats.tilePhaseS += (b - Math.max(a, end)) / 1000;
      end = b;
    }
    for (const type of Object.keys(waits)) stats.timing[type] = { waitS: spread(waits[type]), runS: spread(runs[type] ?? []) };
    return stats;
  } finally {
    await connection.close();
  }
}

/**
 * Activities that compute tiles: one tile, a batch of a large scene's tiles, or a small scene whole (its tiles and
 * then its serial steps, so the tile phase of a catalog of small scenes includes some assembly).
 */
const TILE_ACTIVITIES = new Set(['processTile', 'processTiles', 'processSceneInline']);

/** One extra 1x2 run with `node --cpu-prof` on the worker (main thread and each pool thread get a profile). */
async function profileRun(catalog: Catalog, opts: CatalogOptions, work: string): Promise<Array<{ file: string; totalMs: number; top: SelfTime[] }>> {
  const dir = join(work, 'cpu-prof');
  mkdirSync(dir, { recursive: true });
  const queue = `bench-profile-${process.pid}`;
  const running = await startRow('1x2', opts, queue, dir);
  try {
    backfill(opts, running.stack, queue, catalog.glob, join(work, 'out-profile'), 'bench-profile');
  } finally {
    for (const step of running.cleanup) await Promise.resolve(step()).catch(() => undefined);
  }
  return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => ({ file: f, ...topSelfTime(join(dir, f), 15) }));
}

export async function catalogBench(opts: CatalogOptions, root: string): Promise<void> {
  benchRoot = root;
  if (opts.reportOnly) return reportFromResults(root, opts.label);
  const cli = join(opts.tesseraRoot, 'dist', 'cli', 'main.js');
  const catalog = ensureCatalog(join(root, 'bench', '.scenes'), cli, log);
  const inputMB = catalog.scenes.reduce((n, s) => n + s.bytes, 0) / 1e6;
  const hostsSkip = opts.rows.some((r) => r.startsWith('hosts-')) ? netnsUnavailable() : undefined;
  const rows = opts.rows.filter((r) => !(hostsSkip && r.startsWith('hosts-')));
  const work = mkdtempSync(join(tmpdir(), 'tessera-bench-catalog-'));
  const samples: Partial<Record<RowKey, CatalogSample[]>> = {};
  const histories: Partial<Record<RowKey, HistoryStats>> = {};
  const loadBefore = loadavg();
  const startedAt = new Date().toISOString();
  let profile: Awaited<ReturnType<typeof profileRun>> | undefined;
  let profileError: string | undefined;
  try {
    for (let run = 0; run < opts.runs; run++) {
      for (const key of rows) {
        log(`run ${run + 1}/${opts.runs}: ${ROW_NAMES[key]} (load ${loadavg()})`);
        let sample: CatalogSample;
        if (key === 'ref-1' || key === 'ref-all') sample = referenceRun(catalog, key === 'ref-1' ? '1' : 'ALL_CPUS', work);
        else {
          const r = await tesseraRun(key, run, catalog, opts, work, run === opts.runs - 1);
          sample = r.sample;
          if (r.history) histories[key] = r.history;
        }
        log(`  wall ${fmt(sample.wallS)} s, CPU ${fmt(sample.cpuS)} s${sample.serverCpuS !== undefined ? `, server CPU ${fmt(sample.serverCpuS)} s` : ''}${sample.runQueueS !== undefined ? `, workers waited ${fmt(sample.runQueueS, 1)} s for a CPU` : ''}${sample.threadBusy ? `, threads busy ${sample.threadBusy.map((b) => `${Math.round(b * 100)} %`).join(' ')}` : ''}${sample.stagesMs ? `, stages ms ${JSON.stringify(sample.stagesMs)}` : ''}`);
        (samples[key] ??= []).push(sample);
      }
    }
    if (opts.profile) {
      log('profile: one more 1x2 run with --cpu-prof on the worker');
      // The timed runs are worth keeping when the profile fails.
      try {
        profile = await profileRun(catalog, opts, work);
      } catch (err) {
        profileError = String(err);
        log(`profile failed: ${profileError}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const loadAfter = loadavg();

  await reportCatalog(root, {
    startedAt,
    options: opts,
    dynamicConfig: opts.dynamicConfig ?? defaultDynamicConfig(benchRoot),
    scenes: catalog.scenes.map((s) => ({ id: s.id, sizePx: s.sizePx, bytes: s.bytes })),
    inputMB,
    loadBefore,
    loadAfter,
    rows,
    samples,
    histories,
    profile,
    profileError,
    hostsSkip,
  });
}
