/**
 * The benchmark suite behind `npm run bench` (bench/run.sh): Tessera end to end and its micro-benchmarks, each
 * side by side with a GDAL/numpy reference run on the same machine in the same invocation. Prints a table and writes
 * bench/results.json.
 *
 * Stages: scenes (generate + gdal_translate variants, cached in bench/.scenes/), reference (GDAL_NUM_THREADS=1 and
 * ALL_CPUS), Tessera --local with 1 and 2 threads, Temporal with one worker of 2 threads and two workers of 1
 * thread (private task queue; skipped when the dev stack is down), input bytes read, micro-benchmarks (decode,
 * kernels, encode, Parquet), and with --profile a CPU profile of the in-process 1-thread run.
 * Options: --size N (2048) --bands 23|31 (31) --runs N (3) --skip-temporal --skip-micro --skip-reference --profile
 * Wall/CPU/peak RSS of one-shot processes come from `/usr/bin/time -v`; of long-lived workers from /proc (CPU
 * delta over the run, VmHWM at the end). The load average is recorded before and after, as others share the machine.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultDynamicConfig, startBenchStack, type BenchStack } from './bench-stack';
import { busyDelta, procCpuS, spawnLocalWorker } from './bench-worker';
import { topSelfTime, type SelfTime } from './cpu-profile';
import { median } from './bench-args';

const ROOT = resolve(__dirname, '..', '..');
const BENCH = join(ROOT, 'bench');
const SCENES = join(BENCH, '.scenes');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const DIST_BENCH = join(ROOT, 'dist', 'bench');
const PY = '/usr/bin/python3';

interface Options {
  size: number;
  bands: number;
  runs: number;
  skipTemporal: boolean;
  skipMicro: boolean;
  skipReference: boolean;
  profile: boolean;
}

/** One measured process run (or one run of a set of worker processes). */
interface Sample {
  wallS: number;
  cpuS: number;
  peakRssMB: number;
  /** Temporal rows: the private server's CPU over the run, and each pool thread's busy time ÷ wall. */
  serverCpuS?: number;
  threadBusy?: number[];
}

interface Row {
  name: string;
  samples: Sample[];
  note?: string;
  /** Water pixels the last run counted: both sides must compute the same products. */
  waterPixels?: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { size: 2048, bands: 31, runs: 3, skipTemporal: false, skipMicro: false, skipReference: false, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--size') o.size = Number(argv[++i]);
    else if (a === '--bands') o.bands = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--skip-temporal') o.skipTemporal = true;
    else if (a === '--skip-micro') o.skipMicro = true;
    else if (a === '--skip-reference') o.skipReference = true;
    else if (a === '--profile') o.profile = true;
    else throw new Error(`bench: unknown option ${a}`);
  }
  if (!(o.size >= 512) || !(o.runs >= 1) || (o.bands !== 23 && o.bands !== 31)) throw new Error('bench: bad --size/--runs/--bands');
  return o;
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Runs a command under `/usr/bin/time -v`; returns its stdout and the measured sample. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): { stdout: string; sample: Sample } {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-3000)}`);
  const field = (re: RegExp) => {
    const m = r.stderr.match(re);
    if (!m) throw new Error(`no ${re} in /usr/bin/time output`);
    return m[1];
  };
  const wall = field(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/).split(':').map(Number).reduce((a, v) => a * 60 + v, 0);
  const cpu = Number(field(/User time \(seconds\): ([\d.]+)/)) + Number(field(/System time \(seconds\): ([\d.]+)/));
  const rss = Number(field(/Maximum resident set size \(kbytes\): (\d+)/)) / 1024;
  return { stdout: r.stdout, sample: { wallS: wall, cpuS: cpu, peakRssMB: rss } };
}

// --- scenes ------------------------------------------------------------------------------------

function ensureScene(size: number, bands: number): string {
  mkdirSync(SCENES, { recursive: true });
  const path = join(SCENES, `scene-${size}-b${bands}.tif`);
  if (!existsSync(path)) {
    log(`generating ${size}x${size}x${bands} scene (once; cached in bench/.scenes/)`);
    run('node', [CLI, 'generate', '--out', path, '--size', String(size), '--bands', String(bands), '--seed', '1']);
  }
  return path;
}

/** The compression variants of the micro-benchmark scene, made with gdal_translate (cached). */
function ensureVariants(scene: string): string[] {
  const base = scene.replace(/\.tif$/, '');
  const tiled = ['-q', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=512', '-co', 'BLOCKYSIZE=512', '-co', 'INTERLEAVE=PIXEL', '-co', 'NUM_THREADS=ALL_CPUS'];
  const variants: Array<[string, string[]]> = [
    [`${base}.deflate-p3.tif`, ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3']],
    [`${base}.zstd-p3.tif`, ['-co', 'COMPRESS=ZSTD', '-co', 'PREDICTOR=3']],
    // Reflectance scaled to 0..10000 (0 = nodata), as uint16 products ship.
    [`${base}.u16-deflate-p2.tif`, ['-ot', 'UInt16', '-scale', '0', '1', '0', '10000', '-a_nodata', '0', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2']],
  ];
  for (const [path, co] of variants) {
    if (!existsSync(path)) {
      log(`gdal_translate ${path}`);
      run('gdal_translate', [...tiled, ...co, scene, path]);
    }
  }
  return [scene, ...variants.map(([p]) => p)];
}

// --- end to end --------------------------------------------------------------------------------

function referenceRows(scene: string, opts: Options, work: string): Row[] {
  const rows: Row[] = [];
  for (const threads of ['1', 'ALL_CPUS']) {
    const samples: Sample[] = [];
    let stages: unknown;
    let waterPixels: number | undefined;
    for (let i = 0; i < opts.runs; i++) {
      const out = join(work, `ref-${threads}-${i}`);
      const { stdout, sample } = timed(PY, [join(BENCH, 'reference', 'hab_gdal_numpy.py'), scene, out, '--threads', threads]);
      const result = JSON.parse(stdout) as { stagesMs: unknown; waterPixels: number };
      stages = result.stagesMs;
      waterPixels = result.waterPixels;
      samples.push(sample);
      rmSync(out, { recursive: true, force: true });
    }
    rows.push({ name: `reference GDAL+numpy GDAL_NUM_THREADS=${threads}`, samples, note: `last run stages ms ${JSON.stringify(stages)}`, waterPixels });
  }
  return rows;
}

function localRow(scene: string, threads: number, opts: Options, work: string): Row {
  const samples: Sample[] = [];
  let waterPixels: number | undefined;
  for (let i = 0; i < opts.runs; i++) {
    const out = join(work, `local-${threads}-${i}`);
    const { stdout, sample } = timed('node', [CLI, 'run', scene, '--local', '--json', '--threads', String(threads), '--out', `file://${out}`, '--scene-id', `bench-local-${threads}-${i}`]);
    waterPixels = (JSON.parse(stdout) as { summary?: { waterPixels?: number } }).summary?.waterPixels;
    samples.push(sample);
    rmSync(out, { recursive: true, force: true });
  }
  return { name: `tessera --local --threads ${threads}`, samples, waterPixels };
}

/**
 * Starts `count` workers on a private Temporal server (bench/bench-stack.ts, the dynamic config of
 * infra/dev-stack.sh), runs the scene `runs` times through Temporal, stops them. Also records the server's CPU and
 * the pool threads' busy time per run.
 */
async function temporalRow(scene: string, count: number, threads: number, opts: Options, work: string, stack: BenchStack): Promise<Row> {
  const queue = `bench-${randomBytes(4).toString('hex')}`;
  const env = { ...stack.env, TESSERA_TASK_QUEUE: queue, LOG_LEVEL: 'warn' };
  const workers = Array.from({ length: count }, (_, i) => spawnLocalWorker(CLI, `worker-${i + 1}`, threads, { ...env, LOG_LEVEL: 'info' }, true, join(work, `${queue}-worker-${i + 1}.log`)));
  try {
    await Promise.all(workers.map((w) => w.started));
    const samples: Sample[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const cpu0 = workers.map((w) => w.cpuS());
      const stats0 = await Promise.all(workers.map((w) => w.poolStats()));
      const server0 = procCpuS(stack.temporalPid);
      const out = join(work, `temporal-${count}x${threads}-${i}`);
      const { sample } = timed('node', [CLI, 'run', scene, '--wait', '--json', '--out', `file://${out}`, '--scene-id', `bench-${queue}-${i}`], env, 600_000); // a server that goes away mid-run would otherwise leave the client waiting forever
      const serverCpuS = procCpuS(stack.temporalPid) - server0;
      const stats1 = await Promise.all(workers.map((w) => w.poolStats()));
      const workerCpu = workers.reduce((n, w, k) => n + w.cpuS() - cpu0[k], 0);
      const rss = Math.max(...workers.map((w) => w.peakRssMB()));
      const threadBusy = workers.flatMap((_, k) => busyDelta(stats0[k], stats1[k])?.busyMs.map((ms) => Math.round((ms / 1000 / sample.wallS) * 100) / 100) ?? []);
      samples.push({ wallS: sample.wallS, cpuS: workerCpu + sample.cpuS, peakRssMB: rss, serverCpuS, threadBusy });
      rmSync(out, { recursive: true, force: true });
    }
    return {
      name: `tessera temporal ${count} worker(s) x --threads ${threads}`,
      samples,
      note: `peak RSS = largest worker (VmHWM); CPU = workers + client; server CPU and thread busy (busy ÷ wall) per run: ${samples.map((s) => `${fmt(s.serverCpuS)} s / ${JSON.stringify(s.threadBusy)}`).join('; ')}; queue ${queue}`,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

// --- micro-benchmarks --------------------------------------------------------------------------

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function micro(scene: string, work: string): Record<string, Array<Record<string, unknown>>> {
  const files = ensureVariants(scene);
  // Each file is timed by both sides back to back, so a spell of load on this shared machine falls on one
  // pair of numbers rather than on every Tessera number or every GDAL number.
  log('micro: decode (tessera and GDAL, file by file)');
  const decode = files.flatMap((f) => [
    ...jsonLines(run('node', [join(DIST_BENCH, 'decode.bench.js'), f])),
    ...jsonLines(run(PY, [join(BENCH, 'reference', 'gdal_decode.py'), f])),
  ]);
  log('micro: kernels');
  const kernels = jsonLines(run('node', [join(DIST_BENCH, 'kernels.bench.js'), scene]));
  log('micro: encode');
  const out = join(work, 'encode-input');
  run('node', [CLI, 'run', scene, '--local', '--json', '--threads', '2', '--products', 'ndwi', '--out', `file://${out}`, '--scene-id', 'bench-encode-input']);
  const ndwi = readdirSync(join(out, 'scenes', 'bench-encode-input', 'cog')).find((f) => f.startsWith('ndwi'))!;
  const raw = join(work, 'ndwi.raw.tif');
  run('gdal_translate', ['-q', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=512', '-co', 'BLOCKYSIZE=512', '-co', 'COMPRESS=NONE', join(out, 'scenes', 'bench-encode-input', 'cog', ndwi), raw]);
  const encode = jsonLines(run('node', [join(DIST_BENCH, 'encode.bench.js'), raw]));
  log('micro: parquet (200,000 rows)');
  const parquet = jsonLines(run('node', [join(DIST_BENCH, 'parquet.bench.js'), '200000']));
  return { decode, kernels, encode, parquet };
}

function profileRun(scene: string, work: string): Array<{ file: string; totalMs: number; top: SelfTime[] }> {
  const dir = join(work, 'cpu-prof');
  mkdirSync(dir, { recursive: true });
  run('node', ['--cpu-prof', '--cpu-prof-dir', dir, join(DIST_BENCH, 'scene.bench.js'), scene, `file://${join(work, 'profiled')}`, '--threads', '1']);
  // The main thread's profile and one per worker thread; the worker thread holds the compute.
  return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => ({ file: f, ...topSelfTime(join(dir, f), 12) }));
}

// --- report ------------------------------------------------------------------------------------

function summarize(row: Row): { wallS: number; wallMin: number; wallMax: number; cpuS: number; peakRssMB: number } {
  const w = row.samples.map((s) => s.wallS);
  return { wallS: median(w), wallMin: Math.min(...w), wallMax: Math.max(...w), cpuS: median(row.samples.map((s) => s.cpuS)), peakRssMB: Math.max(...row.samples.map((s) => s.peakRssMB)) };
}

function fmt(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

async function main(): Promise<void> {
  if (process.argv.includes('--catalog')) {
    const { catalogBench, parseCatalogOptions } = await import('./catalog');
    return catalogBench(parseCatalogOptions(process.argv.slice(2), ROOT), ROOT);
  }
  const opts = parseOptions(process.argv.slice(2));
  const work = join(tmpdir(), `tessera-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const loadBefore = loadavg();
  const startedAt = new Date().toISOString();
  const scene = ensureScene(opts.size, opts.bands);
  const inputMB = statSync(scene).size / 1e6;
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    if (!opts.skipReference) {
      log('reference GDAL+numpy');
      rows.push(...referenceRows(scene, opts, work));
    }
    log('tessera --local');
    const local1 = localRow(scene, 1, opts, work);
    const local2 = localRow(scene, 2, opts, work);
    rows.push(local1, local2);
    // A comparison of two different computations would mean nothing: same bands, same definitions, same counts.
    const counted = rows.map((r) => r.waterPixels).filter((n) => n !== undefined);
    if (new Set(counted).size > 1) throw new Error(`water pixel counts differ: ${rows.map((r) => `${r.name} ${r.waterPixels}`).join('; ')}`);
    notes.push(`water pixels counted by every row: ${counted[0]}`);
    if (!opts.skipTemporal) {
      log('tessera through Temporal (a private dev stack of the benchmark\'s own)');
      const stack = await startBenchStack(ROOT, defaultDynamicConfig(ROOT));
      try {
        rows.push(await temporalRow(scene, 1, 2, opts, work, stack));
        rows.push(await temporalRow(scene, 2, 1, opts, work, stack));
      } finally {
        await stack.down();
      }
      notes.push(`Temporal rows: private dev server with dynamic config "${defaultDynamicConfig(ROOT)}"`);
    }
    log('input bytes read');
    const reads = JSON.parse(run('node', [join(DIST_BENCH, 'scene.bench.js'), scene, `file://${join(work, 'reads')}`, '--threads', '2']).trim().split('\n').pop()!) as Record<string, unknown>;
    const microResults = opts.skipMicro ? undefined : micro(ensureScene(2048, 31), work);
    const profile = opts.profile ? (log('cpu profile of the in-process 1-thread run'), profileRun(scene, work)) : undefined;
    const loadAfter = loadavg();

    // Table.
    const refs = rows.filter((r) => r.name.startsWith('reference'));
    const ref = refs.length ? refs.map((r) => ({ r, s: summarize(r) })).sort((a, b) => a.s.wallS - b.s.wallS)[0] : undefined;
    const lines: string[] = [];
    lines.push(`scene ${opts.size}x${opts.size}x${opts.bands} float32 LZW p3, ${inputMB.toFixed(1)} MB; runs ${opts.runs}; loadavg before ${loadBefore}, after ${loadAfter}; ${new Date().toISOString()}`);
    lines.push(`reference = ${ref ? ref.r.name : 'none'}`);
    lines.push('| stage | wall s (median) | min–max | CPU s | peak RSS MB | input MB/s | wall / reference |');
    lines.push('|---|---|---|---|---|---|---|');
    const summaries: Record<string, ReturnType<typeof summarize>> = {};
    for (const row of rows) {
      const s = summarize(row);
      summaries[row.name] = s;
      lines.push(`| ${row.name} | ${fmt(s.wallS)} | ${fmt(s.wallMin)}–${fmt(s.wallMax)} | ${fmt(s.cpuS)} | ${fmt(s.peakRssMB, 0)} | ${fmt(inputMB / s.wallS, 1)} | ${ref ? fmt(s.wallS / ref.s.wallS) : '-'} |`);
    }
    const l1 = summaries['tessera --local --threads 1'];
    const l2 = summaries['tessera --local --threads 2'];
    const t2 = summaries['tessera temporal 1 worker(s) x --threads 2'];
    const targets: Array<[string, string, boolean | undefined]> = [];
    if (ref) targets.push(['in-process 1 thread wall <= 1.0x reference', fmt(l1.wallS / ref.s.wallS), l1.wallS <= ref.s.wallS]);
    if (ref && t2) targets.push(['Temporal 2 threads <= 0.6x reference', fmt(t2.wallS / ref.s.wallS), t2.wallS <= 0.6 * ref.s.wallS]);
    if (t2) targets.push(['orchestration overhead (c)-(b) <= 10%', `${fmt(t2.wallS - l2.wallS)} s = ${fmt(((t2.wallS - l2.wallS) / l2.wallS) * 100, 1)} %`, t2.wallS - l2.wallS <= 0.1 * l2.wallS]);
    targets.push(['2 threads >= 1.8x 1 thread throughput', `${fmt(l1.wallS / l2.wallS)}x`, l1.wallS / l2.wallS >= 1.8]);
    const inputReads = reads.inputReads as { requests: number; bytes: number; bytesFetchedTwice: number; readPercent: number };
    targets.push(['no input byte fetched twice', `${inputReads.bytesFetchedTwice} bytes twice; ${inputReads.requests} requests, ${(inputReads.bytes / 1e6).toFixed(1)} MB (${inputReads.readPercent} % of file)`, inputReads.bytesFetchedTwice === 0]);
    if (opts.size >= 8192) {
      const rss = Math.max(l1.peakRssMB, l2.peakRssMB, ...(t2 ? [t2.peakRssMB] : []));
      targets.push([`worker peak RSS <= 1 GB at ${opts.size}²`, `${fmt(rss, 0)} MB (largest of local/worker runs)`, rss <= 1024]);
    }
    if (microResults) {
      const dec = microResults.decode;
      for (const [label, suffix] of [['LZW p3', 'b31.tif'], ['DEFLATE p3', 'deflate-p3.tif'], ['ZSTD p3', 'zstd-p3.tif'], ['uint16 DEFLATE p2', 'u16-deflate-p2.tif']] as const) {
        const ours = dec.find((d) => d.bench === 'decode' && String(d.file).endsWith(suffix));
        const gdal = dec.find((d) => d.bench === 'gdal-decode' && String(d.file).endsWith(suffix));
        if (!ours || !gdal) continue;
        const speed = Number(gdal.msPerBlock) / Number(ours.msPerBlock);
        const isTarget = label === 'LZW p3' || label === 'DEFLATE p3';
        targets.push([`decode ${label} per core ${isTarget ? '>= 1.0x GDAL' : '(no target)'}`, `${fmt(speed)}x (${ours.msPerBlock} vs ${gdal.msPerBlock} ms/block)`, isTarget ? speed >= 1 : undefined]);
        // What a bloom tile job decodes: only its roles' bands (GDAL decodes a pixel-interleaved block whole).
        if (ours.msPerBlockJobBands) {
          const jobSpeed = Number(gdal.msPerBlock) / Number(ours.msPerBlockJobBands);
          targets.push([`decode ${label}, the ${(ours.jobBands as number[]).length} bands a tile job reads (no target)`, `${fmt(jobSpeed)}x (${ours.msPerBlockJobBands} vs ${gdal.msPerBlock} ms/block)`, undefined]);
        }
      }
    }
    lines.push('');
    lines.push('| target | measured | met |');
    lines.push('|---|---|---|');
    for (const [t, m, ok] of targets) lines.push(`| ${t} | ${m} | ${ok === undefined ? '-' : ok ? 'yes' : 'NO'} |`);
    if (microResults) {
      lines.push('');
      lines.push('micro-benchmarks (JSON lines):');
      for (const [k, v] of Object.entries(microResults)) for (const line of v) lines.push(`  ${k}: ${JSON.stringify(line)}`);
    }
    lines.push('');
    lines.push(`input reads: ${JSON.stringify(reads.inputReads)}; stages ms ${JSON.stringify(reads.stagesMs)}`);
    if (profile) {
      for (const p of profile) {
        lines.push(`profile ${p.file} (${p.totalMs} ms sampled), top self time:`);
        for (const t of p.top) lines.push(`  ${String(t.ms).padStart(6)} ms ${String(t.percent).padStart(5)} %  ${t.fn}`);
      }
    }
    for (const n of notes) lines.push(`note: ${n}`);
    console.log(lines.join('\n'));
    // One file for every benchmark: the catalog's runs under `catalog`, this suite's under `scenes.<size>`, so a
    // run at 8192² does not drop the last one at 2048².
    const resultsPath = join(BENCH, 'results.json');
    const previous = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as { catalog?: unknown; scenes?: Record<string, unknown> }) : {};
    const result = { startedAt, options: opts, scene, inputMB, loadBefore, loadAfter, rows, summaries, targets, inputReads: reads, micro: microResults, profile, notes };
    writeFileSync(resultsPath, JSON.stringify({ catalog: previous.catalog, scenes: { ...previous.scenes, [String(opts.size)]: result } }, null, 2));
    log(`wrote bench/results.json (scenes.${opts.size})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
