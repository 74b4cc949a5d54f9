/**
 * The catalog benchmark's report: from the samples of one run (bench/catalog.ts), the medians, the ratios to the
 * reference, the targets, the histories' timing and the profile, printed as Markdown tables; the plot
 * (docs/img/catalog-throughput.png); and the record with its summaries in bench/results.json under
 * catalog.<label>. `--report-only` redoes all of this from bench/results.json, measuring nothing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { throughputPng, type ThroughputSeries } from './catalog-chart';
import { median, ROW_NAMES, type CatalogRecord, type CatalogSample, type HistoryStats, type RowKey } from './catalog-rows';

function log(msg: string): void {
  process.stderr.write(`[bench catalog] ${msg}\n`);
}

export function fmt(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

interface RowSummary {
  wallS: number;
  wallMin: number;
  wallMax: number;
  cpuS: number;
  peakRssMB: number;
  scenesPerHour: number;
  inputMBps: number;
  serverCpuS?: number;
  serverShare?: number;
  threadBusy?: number[];
  runQueueS?: number;
}

function summarize(samples: CatalogSample[], scenes: number, inputMB: number): RowSummary {
  const w = samples.map((s) => s.wallS);
  const wallS = median(w);
  const pick = <T>(f: (s: CatalogSample) => T | undefined) => samples.map(f).filter((v): v is T => v !== undefined);
  const server = pick((s) => s.serverCpuS);
  const shares = pick((s) => (s.serverCpuS !== undefined && s.workerCpuS ? s.serverCpuS / s.workerCpuS : undefined));
  const busy = pick((s) => s.threadBusy);
  const waited = pick((s) => s.runQueueS);
  return {
    wallS,
    wallMin: Math.min(...w),
    wallMax: Math.max(...w),
    cpuS: median(samples.map((s) => s.cpuS)),
    peakRssMB: Math.max(...samples.map((s) => s.peakRssMB)),
    scenesPerHour: (scenes / wallS) * 3600,
    inputMBps: inputMB / wallS,
    serverCpuS: server.length ? median(server) : undefined,
    serverShare: shares.length ? median(shares) : undefined,
    threadBusy: busy.length ? busy[0].map((_, i) => median(busy.map((b) => b[i]))) : undefined,
    runQueueS: waited.length ? median(waited) : undefined,
  };
}

export async function reportCatalog(root: string, record: CatalogRecord): Promise<void> {
  const { samples, histories, rows, options: opts, inputMB, loadBefore, loadAfter, startedAt, profile, hostsSkip } = record;
  const sceneCount = record.scenes.length;
  // Same computation on every side: water pixels per scene.
  const counted = Object.entries(samples).map(([k, s]) => [k, JSON.stringify(s![s!.length - 1].waterPixels)] as const);
  if (new Set(counted.map(([, v]) => v)).size > 1) throw new Error(`water pixels differ between rows: ${counted.map(([k, v]) => `${k} ${v.slice(0, 200)}`).join('\n')}`);

  const summaries: Partial<Record<RowKey, RowSummary>> = {};
  for (const [k, s] of Object.entries(samples) as Array<[RowKey, CatalogSample[]]>) summaries[k] = summarize(s, sceneCount, inputMB);
  const refs = (['ref-1', 'ref-all'] as const).filter((k) => summaries[k]).sort((a, b) => summaries[a]!.wallS - summaries[b]!.wallS);
  const ref = refs.length ? summaries[refs[0]] : undefined;

  // Each round of runs was measured back to back, so the ratio within a round shares its load; the median of
  // those ratios moves less with the load of others than a ratio of medians.
  const refKey = refs[0];
  const paired = (k: RowKey): number | undefined => {
    const a = samples[k];
    const b = refKey ? samples[refKey] : undefined;
    if (!a || !b || a.length !== b.length) return undefined;
    return median(a.map((s, i) => s.wallS / b[i].wallS));
  };
  const lines: string[] = [];
  lines.push(`catalog: ${sceneCount} scenes (24 × 1024² + 4 × 4096², 31 bands, float32 LZW p3), ${fmt(inputMB, 0)} MB; runs ${opts.runs}; load before ${loadBefore}, after ${loadAfter}; ${startedAt}; label ${opts.label}`);
  lines.push(`reference = ${refs.length ? ROW_NAMES[refs[0]] : 'none'}; Tessera build ${opts.tesseraRoot}; server dynamic config "${record.dynamicConfig}"`);
  lines.push('');
  lines.push('| row | wall s (median) | min–max | scenes/h | input MB/s | CPU s | server CPU s | server ÷ worker CPU | threads busy | workers waited for a CPU s | peak RSS MB | ÷ reference | ÷ reference, same round (median) |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const key of rows) {
    const s = summaries[key];
    if (!s) continue;
    lines.push(
      `| ${ROW_NAMES[key]} | ${fmt(s.wallS)} | ${fmt(s.wallMin)}–${fmt(s.wallMax)} | ${fmt(s.scenesPerHour, 0)} | ${fmt(s.inputMBps, 1)} | ${fmt(s.cpuS, 1)} | ${fmt(s.serverCpuS, 1)} | ${s.serverShare === undefined ? '-' : `${fmt(s.serverShare * 100, 1)} %`} | ${s.threadBusy ? s.threadBusy.map((b) => `${fmt(b * 100, 0)} %`).join(', ') : '-'} | ${fmt(s.runQueueS, 0)} | ${fmt(s.peakRssMB, 0)} | ${ref ? fmt(s.wallS / ref.wallS) : '-'} | ${fmt(paired(key))} |`,
    );
  }
  const targets: Array<[string, string, boolean | undefined]> = [];
  const t12 = summaries['1x2'];
  const h1 = summaries['hosts-1x1'];
  const h2 = summaries['hosts-2x1'];
  const t21 = summaries['2x1'];
  if (ref && t12) targets.push(['catalog, 1 worker × 2 threads ÷ reference <= 0.6', `${fmt(t12.wallS / ref.wallS)} (same round: ${fmt(paired('1x2'))})`, t12.wallS / ref.wallS <= 0.6]);
  if (ref && t21) targets.push(['catalog, 2 workers × 1 thread ÷ reference (no target)', fmt(t21.wallS / ref.wallS), undefined]);
  if (h1 && h2) {
    const rounds = samples['hosts-1x1']!.map((s, i) => s.wallS / (samples['hosts-2x1']![i]?.wallS ?? NaN));
    targets.push(['2 pinned hosts × 1 thread over 1 pinned host × 1 thread >= 1.8x', `${fmt(h1.wallS / h2.wallS)}x (same round: ${fmt(median(rounds))}x)`, h1.wallS / h2.wallS >= 1.8]);
  }
  if (t12?.threadBusy) {
    const mean = t12.threadBusy.reduce((a, b) => a + b, 0) / t12.threadBusy.length;
    targets.push(['1 worker × 2 threads: threads busy (busy ÷ wall, whole run) >= 90 %', `${fmt(mean * 100, 0)} %`, mean >= 0.9]);
  }
  const h12 = histories['1x2'];
  const last12 = samples['1x2']?.[samples['1x2']!.length - 1];
  if (h12 && last12?.threadBusy && h12.tilePhaseS > 0) {
    // Not a ratio: the pool also encodes assembleCog's tiles, partly outside the tile phase, so busy ÷ tile phase
    // can pass 100 %. Busy time per thread next to the tile phase's wall says whether the threads idled in it.
    const busyS = last12.threadBusy.map((b) => b * last12.wallS);
    targets.push([
      '1 worker × 2 threads, last run: busy time per thread vs the tile phase (wall with a tile activity running) (>= 90 % busy in it)',
      `busy ${busyS.map((b) => fmt(b, 1)).join(' s, ')} s; tile phase ${fmt(h12.tilePhaseS, 1)} s of ${fmt(last12.wallS, 1)} s wall`,
      undefined,
    ]);
  }
  if (t12?.serverShare !== undefined) targets.push(['1 worker × 2 threads: Temporal server CPU ÷ worker CPU <= 5 %', `${fmt(t12.serverShare * 100, 1)} %`, t12.serverShare <= 0.05]);
  if (h2?.serverShare !== undefined) targets.push(['2 pinned hosts: Temporal server CPU ÷ worker CPU (no target)', `${fmt(h2.serverShare * 100, 1)} %`, undefined]);
  lines.push('');
  lines.push('| target | measured | met |');
  lines.push('|---|---|---|');
  for (const [t, m, ok] of targets) lines.push(`| ${t} | ${m} | ${ok === undefined ? '-' : ok ? 'yes' : 'NO'} |`);
  lines.push('');
  for (const [k, h] of Object.entries(histories) as Array<[RowKey, HistoryStats]>) {
    const acts = Object.values(h.activities).reduce((a, b) => a + b, 0);
    lines.push(`history ${k}: ${h.workflows} workflows, ${h.events} events (${fmt(h.events / sceneCount, 1)} per scene), ${acts} activities ${JSON.stringify(h.activities)}`);
    lines.push(`  tile phase (wall with a tile activity running, any scene): ${fmt(h.tilePhaseS, 1)} s`);
    for (const [type, t] of Object.entries(h.timing)) {
      lines.push(`  ${type.padEnd(20)} wait scheduled→started: total ${fmt(t.waitS.total, 1)} s, median ${fmt(t.waitS.median, 3)} s, max ${fmt(t.waitS.max, 2)} s; run: total ${fmt(t.runS.total, 1)} s, median ${fmt(t.runS.median, 3)} s, max ${fmt(t.runS.max, 2)} s`);
    }
  }
  if (hostsSkip) lines.push(`note: hosts rows skipped: ${hostsSkip}`);
  if (profile) {
    for (const p of profile) {
      lines.push(`profile ${p.file} (${p.totalMs} ms sampled), top self time:`);
      for (const t of p.top) lines.push(`  ${String(t.ms).padStart(6)} ms ${String(t.percent).padStart(5)} %  ${t.fn}`);
    }
  }
  console.log(lines.join('\n'));

  await writePlot(root, summaries, opts.runs, loadBefore, loadAfter, opts.label);

  const resultsPath = join(root, 'bench', 'results.json');
  const previous = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
  const catalogResults = (previous.catalog as Record<string, unknown> | undefined) ?? {};
  catalogResults[opts.label] = { ...record, summaries, pairedRatios: Object.fromEntries(rows.map((key) => [key, paired(key)])), targets };
  writeFileSync(resultsPath, JSON.stringify({ ...previous, catalog: catalogResults }, null, 2));
  log(`wrote ${resultsPath} (catalog.${opts.label})`);
}

/** `--report-only`: the report of bench/results.json's catalog.<label> again (after a change to the report). */
export async function reportFromResults(root: string, label: string): Promise<void> {
  const results = JSON.parse(readFileSync(join(root, 'bench', 'results.json'), 'utf8')) as { catalog?: Record<string, CatalogRecord> };
  const record = results.catalog?.[label];
  if (!record) throw new Error(`bench/results.json has no catalog.${label}`);
  await reportCatalog(root, { ...record, rows: record.rows ?? (Object.keys(ROW_NAMES) as RowKey[]).filter((k) => record.samples[k]) });
}

/** docs/img/catalog-throughput.png: scenes per hour at 1 and 2 worker threads, one line per way of adding a thread. */
async function writePlot(root: string, summaries: Partial<Record<RowKey, RowSummary>>, runs: number, loadBefore: string, loadAfter: string, label: string): Promise<void> {
  const point = (k: RowKey, threads: number) => (summaries[k] ? [{ threads, scenesPerHour: summaries[k]!.scenesPerHour }] : []);
  // The 1-thread point of both Tessera lines is the pinned single host: the only 1-thread row measured.
  const series: ThroughputSeries[] = [
    { name: '1 worker × N threads', color: '#1f77b4', points: [...point('hosts-1x1', 1), ...point('1x2', 2)] },
    { name: 'N pinned hosts × 1 thread', color: '#d62728', points: [...point('hosts-1x1', 1), ...point('hosts-2x1', 2)] },
    { name: '2 workers × 1 thread (unpinned)', color: '#9467bd', points: point('2x1', 2) },
    { name: 'GDAL + numpy (1 thread, ALL_CPUS)', color: '#2ca02c', points: [...point('ref-1', 1), ...point('ref-all', 2)], dashed: true },
  ].filter((s) => s.points.length > 0);
  const png = await throughputPng(
    'Catalog throughput: 24 × 1024² + 4 × 4096² scenes, 31 bands',
    `median of ${runs} run${runs === 1 ? '' : 's'} on a 2-core machine, load ${loadBefore} → ${loadAfter}; ${label}`,
    series,
  );
  mkdirSync(join(root, 'docs', 'img'), { recursive: true });
  const pngPath = join(root, 'docs', 'img', 'catalog-throughput.png');
  writeFileSync(pngPath, png);
  log(`wrote ${pngPath}`);
}

