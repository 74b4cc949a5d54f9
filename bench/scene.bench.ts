/**
 * One scene through the whole bloom pipeline in this process (the code path of `tessera run --local`), with the
 * input reads recorded: every ranged request to the input is logged (offset, length), so the run reports the
 * requests, the bytes, the share of the file that was read and whether any input byte was fetched twice.
 * Stages are bracketed with performance.mark from the DAG's progress reports (plan → tiles → assemble → tables →
 * previews → publish), and each activity's summed time is reported.
 *
 * Input: a generated scene (`tessera generate`), products ndwi, water, ndci, rgb (the CLI default).
 * Run: `node dist/bench/scene.bench.js INPUT OUT_URI [--threads N]`; `node --cpu-prof` on it gives the profile of
 * the main thread (`--cpu-prof` also profiles each worker thread into its own file). Prints one JSON line.
 */
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createActivities } from '../activities';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { createStoreRouter } from '../platform/storage/open-store';
import type { CountingByteSource, ObjectStore } from '../platform/storage/object-store';
import { normalizeUri } from '../platform/storage/uri';
import { codeVersion } from '../workers/code-version';
import { ThreadPool } from '../workers/pool';
import { deriveSceneId, paramsHash, sanitizeSceneId } from '../workflows/run-ids';
import { runSceneDag, type SceneActivities } from '../workflows/scene-dag';
import { DEFAULT_PRODUCTS, type ProcessSceneInput } from '../workflows/types';

interface Range {
  offset: number;
  length: number;
}

/** Wraps a store so every source it hands out logs its ranged reads into `ranges` (keyed by URI). */
function recordingStore(inner: ObjectStore, ranges: Map<string, Range[]>): ObjectStore {
  const source = (uri: string): CountingByteSource => {
    const s = inner.source(uri);
    const log = ranges.get(uri) ?? [];
    ranges.set(uri, log);
    return {
      url: s.url,
      get stats() {
        return s.stats;
      },
      size: s.size?.bind(s),
      close: s.close?.bind(s),
      async fetch(offset, length, opts) {
        const bytes = await s.fetch(offset, length, opts);
        log.push({ offset, length: bytes.byteLength });
        return bytes;
      },
    };
  };
  return {
    source,
    get: (u) => inner.get(u),
    head: (u) => inner.head(u),
    put: (u, b, o) => inner.put(u, b, o),
    createWriter: (u, o) => inner.createWriter(u, o),
    list: (p) => inner.list(p),
    delete: (u) => inner.delete(u),
    deletePrefix: (p) => inner.deletePrefix(p),
  };
}

/** Bytes covered by more than one request: sort by offset and sum the overlaps with everything read before. */
function overlapBytes(ranges: Range[]): number {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  let reach = 0;
  let twice = 0;
  for (const r of sorted) {
    const end = r.offset + r.length;
    if (r.offset < reach) twice += Math.min(end, reach) - r.offset;
    reach = Math.max(reach, end);
  }
  return twice;
}

/** Adds up the time spent in each activity (activities overlap in the tile stage, so the sums exceed wall time there). */
function timedActivities(acts: SceneActivities, totals: Record<string, { calls: number; ms: number }>): SceneActivities {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts) as Array<[string, (arg: unknown) => Promise<unknown>]>) {
    totals[name] = { calls: 0, ms: 0 };
    wrapped[name] = async (arg: unknown) => {
      const t0 = performance.now();
      try {
        return await fn(arg);
      } finally {
        totals[name].calls++;
        totals[name].ms += performance.now() - t0;
      }
    };
  }
  return wrapped as unknown as SceneActivities;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const t = args.indexOf('--threads');
  const threads = t >= 0 ? Number(args.splice(t, 2)[1]) : 2;
  const [inputPath, outUri] = args;
  if (!inputPath || !outUri || !(threads >= 1)) throw new Error('usage: scene.bench.js INPUT OUT_URI [--threads N]');

  const config = loadConfig(process.env);
  const logger = createLogger({ level: 'warn', pretty: false }, { service: 'tessera-bench' }, { destination: pino.destination({ fd: 2, sync: true }) });
  const ranges = new Map<string, Range[]>();
  const store = recordingStore(createStoreRouter(config), ranges);
  const input: ProcessSceneInput = {
    input: normalizeUri(inputPath),
    out: normalizeUri(outUri),
    products: [...DEFAULT_PRODUCTS],
    tileConcurrency: 16,
  };
  input.sceneId = sanitizeSceneId(`${deriveSceneId(input.input)}-${process.pid}`);
  input.paramsHash = paramsHash(input);

  performance.mark('start');
  const pool = new ThreadPool(threads);
  const totals: Record<string, { calls: number; ms: number }> = {};
  const stageMarks: Array<{ stage: string; at: number }> = [];
  let lastStage = '';
  try {
    const acts = timedActivities(createActivities({ store, pool, logger, codeVersion: codeVersion() }), totals);
    await runSceneDag(acts, input, {
      onProgress: (p) => {
        if (p.stage === lastStage) return;
        lastStage = p.stage;
        performance.mark(`stage:${p.stage}`);
        stageMarks.push({ stage: p.stage, at: performance.now() });
      },
    });
  } finally {
    await pool.close();
  }
  performance.mark('end');
  const wallMs = performance.measure('scene', 'start', 'end').duration;

  const stagesMs: Record<string, number> = {};
  for (let i = 0; i < stageMarks.length; i++) {
    const next = i + 1 < stageMarks.length ? stageMarks[i + 1].at : performance.now();
    stagesMs[stageMarks[i].stage] = Math.round(next - stageMarks[i].at);
  }
  const inputRanges = ranges.get(input.input) ?? [];
  const fileBytes = (await stat(inputPath)).size;
  const readBytes = inputRanges.reduce((n, r) => n + r.length, 0);
  const twice = overlapBytes(inputRanges);
  console.log(JSON.stringify({
    bench: 'scene',
    input: inputPath,
    threads,
    wallMs: Math.round(wallMs),
    stagesMs,
    activities: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, { calls: v.calls, ms: Math.round(v.ms) }])),
    inputReads: {
      requests: inputRanges.length,
      bytes: readBytes,
      fileBytes,
      readPercent: Math.round((readBytes / fileBytes) * 1000) / 10,
      bytesFetchedTwice: twice,
      largestRequestBytes: inputRanges.reduce((m, r) => Math.max(m, r.length), 0),
    },
    otherSourcesOpened: [...ranges.keys()].filter((u) => u !== input.input).length,
  }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
