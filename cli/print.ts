/** The only place that writes human-readable output. Library code returns data; commands hand it here. */
import type { DryRunReport } from '../workflows/backfill-types';
import type { BackfillRecord } from '../workflows/backfill';
import { backfillEtaMs, formatDuration, scenesFinished } from '../workflows/backfill-messages';
import type { BackfillFailure, BackfillProgress } from '../workflows/backfill-types';
import type { SceneProgress, SceneResult } from '../workflows/types';

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function json(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printSceneResult(result: SceneResult, extra: { workflowId?: string; runId?: string; uiUrl?: string } = {}): void {
  out(`scene ${result.sceneId}: ${result.status}`);
  if (result.summary.bloomFraction !== null) out(`  bloom fraction: ${(100 * result.summary.bloomFraction).toFixed(2)}% of ${result.summary.waterPixels} water pixels`);
  // Every label in one 14-character column, so the URIs line up.
  for (const [product, uri] of Object.entries(result.cogs)) out(`  ${`cog ${product}`.padEnd(14)} ${uri}`);
  for (const uri of result.parquet) out(`  table          ${uri}`);
  for (const [name, uri] of Object.entries(result.previews)) out(`  ${`preview ${name}`.padEnd(14)} ${uri}`);
  const maps = mapOutputs(result);
  for (const v of maps.vectors) out(`  ${`vector ${v.name}`.padEnd(14)} ${v.uri}${v.polygons === null ? '' : ` (${v.polygons} polygon${v.polygons === 1 ? '' : 's'})`}`);
  for (const c of maps.reprojected) out(`  ${`copy ${c.product}`.padEnd(14)} ${c.uri}${c.epsg === null ? '' : ` (EPSG:${c.epsg})`}`);
  if (maps.quicklook) out(`  quick look     ${maps.quicklook}`);
  out(`  stac item      ${result.stac}`);
  out(`  manifest       ${result.manifest}`);
  if (extra.workflowId) out(`  workflow       ${extra.workflowId}${extra.runId ? ` (run ${extra.runId})` : ''}`);
  if (extra.uiUrl) out(`  temporal ui    ${extra.uiUrl}`);
}

/** Machine-readable result of `run --wait --json` / `run --local --json`. */
export function sceneResultJson(result: SceneResult, extra: { workflowId?: string; runId?: string; uiUrl?: string } = {}) {
  return {
    runId: extra.runId ?? null,
    workflowId: extra.workflowId ?? null,
    status: result.status,
    sceneId: result.sceneId,
    summary: result.summary,
    partitions: result.partitions,
    outputs: { cogs: result.cogs, parquet: result.parquet, previews: result.previews, ...mapOutputs(result), stac: result.stac, manifest: result.manifest },
    uiUrl: extra.uiUrl ?? null,
  };
}

/** The map outputs among a result's files: polygon files, reprojected copies and the quick-look page. */
function mapOutputs(result: SceneResult) {
  return {
    vectors: result.outputs
      .filter((o) => o.role === 'vector')
      .map((o) => ({ name: o.vector?.name ?? null, format: o.vector?.format ?? null, polygons: o.vector?.polygons ?? null, product: o.product ?? null, uri: o.uri })),
    reprojected: result.outputs.filter((o) => o.role === 'reprojected').map((o) => ({ product: o.product ?? null, epsg: o.proj?.epsg ?? null, uri: o.uri })),
    quicklook: result.outputs.find((o) => o.role === 'quicklook')?.uri ?? null,
  };
}

export function progressLine(p: SceneProgress): string {
  const width = 30;
  const frac = p.tilesTotal > 0 ? p.tilesDone / p.tilesTotal : 0;
  const filled = Math.round(frac * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  const products = Object.entries(p.products).map(([k, v]) => `${k}:${v}`).join(' ');
  return `[${bar}] ${p.tilesDone}/${p.tilesTotal} tiles  stage=${p.stage}  ${products}`;
}

/** `tessera report`: what was read, the series as a table (one line per day), and where the files went. */
export function printReport(r: import('./commands/report').ReportResult): void {
  const left = [
    r.scenes.undated > 0 ? `${r.scenes.undated} without datetime` : '',
    r.aoi !== null ? `${r.scenes.outsideAoi} outside the AOI` : '',
  ].filter(Boolean);
  out(`${r.table}: ${r.scenes.read} ${r.product} scenes, ${r.scenes.used} in the series${left.length ? ` (left out: ${left.join(', ')})` : ''}`);
  if (r.aoi !== null) out(`aoi ${r.aoi}`);
  const num = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
  out(['date'.padEnd(10), ...['scenes', 'water km²', 'bloom km²', 'bloom %', 'valid km²'].map((h) => h.padStart(10))].join(' '));
  for (const d of r.rows) {
    out([
      d.date,
      String(d.scenes).padStart(10),
      num(d.waterKm2, 2).padStart(10),
      num(d.bloomKm2, 2).padStart(10),
      (d.bloomFraction === null ? '-' : `${(100 * d.bloomFraction).toFixed(2)}%`).padStart(10),
      num(d.validKm2, 2).padStart(10),
    ].join(' '));
  }
  out(`csv ${r.csv}`);
  out(`png ${r.png}`);
}

/** `[#####.....] 120/2000 done, 3 skipped, 1 failed, 8 running, ETA 4m12s` */
export function backfillProgressLine(p: BackfillProgress, nowMs: number): string {
  if (p.stage === 'listing') return `listing ${p.source} …`;
  const width = 30;
  const frac = p.total > 0 ? scenesFinished(p) / p.total : p.stage === 'done' ? 1 : 0;
  const filled = Math.round(frac * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const eta = backfillEtaMs(p, nowMs);
  const tail = p.stage === 'done' ? 'finished' : `ETA ${eta === null ? '–' : formatDuration(eta)}`;
  return `[${bar}] ${p.done}/${p.total} done, ${p.skipped} skipped, ${p.failed} failed, ${p.running} running, ${tail}`;
}

/** One line per recorded failure: the scene and the root cause. */
export function failureLines(failures: readonly BackfillFailure[], indent = '  '): string[] {
  return failures.map((f) => `${indent}${f.scene.id}: ${f.reason}`);
}

export function printBackfillStarted(s: { workflowId: string; runId: string; uiUrl: string }): void {
  out(`started backfill ${s.workflowId} (run ${s.runId})`);
  out(`  watch:   tessera watch ${s.workflowId}`);
  out(`  cancel:  tessera cancel ${s.workflowId}`);
  out(`  scenes:  temporal workflow list --query 'TesseraBackfill="${s.workflowId}"'`);
  out(`  ui:      ${s.uiUrl}`);
}

export function printBackfillResult(r: BackfillRecord, extra: { uiUrl?: string } = {}): void {
  const c = r.counts;
  out(`backfill ${r.backfillId}: ${scenes(c.listed)}, ${c.done} done, ${c.skipped} skipped, ${c.failed} failed`);
  out(`  took           ${formatDuration(r.completedAtMs - r.startedAtMs)} in ${r.runs} workflow run${r.runs === 1 ? '' : 's'}`);
  out(`  result         ${r.resultUri}`);
  if (extra.uiUrl) out(`  temporal ui    ${extra.uiUrl}`);
  if (r.failures.length > 0) {
    out(`  failed scenes${c.failed > r.failures.length ? ` (first ${r.failures.length} of ${c.failed})` : ''}:`);
    for (const line of failureLines(r.failures, '    ')) out(line);
    out(`  rerun them:    tessera backfill --rerun-failed ${r.backfillId}`);
  }
}

/** `--dry-run`: one line per partition (scene, variant, would run / skip, why), then the totals. */
export function printDryRun(r: DryRunReport): void {
  const sceneWidth = Math.min(40, Math.max(5, ...r.scenes.map((s) => s.sceneId.length)));
  const variantWidth = Math.max(7, ...r.scenes.flatMap((s) => s.partitions.map((p) => p.variant.length)));
  out(`backfill ${r.backfillId} (dry run): ${r.request.source} → ${r.request.out}`);
  for (const s of r.scenes) {
    if (s.error !== undefined) {
      out(`${s.sceneId.padEnd(sceneWidth)}  ${'-'.padEnd(variantWidth)}  cannot plan: ${s.error}`);
      continue;
    }
    for (const p of s.partitions) {
      out(`${s.sceneId.padEnd(sceneWidth)}  ${p.variant.padEnd(variantWidth)}  ${p.action === 'skipped' ? 'would skip' : 'would run '}  ${p.reason}`);
    }
  }
  const t = r.totals;
  out(
    `${scenes(t.scenes)}${t.failed ? ` (${t.failed} cannot be planned)` : ''}: ${t.partitionsToRun} partitions to run, ${t.partitionsToSkip} to skip; ` +
      `input ${formatBytes(t.inputBytes)}, ${(t.pixels / 1e6).toFixed(1)} Mpx`,
  );
}

function scenes(n: number): string {
  return `${n} scene${n === 1 ? '' : 's'}`;
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

// --- tessera schedule / tessera sensor --------------------------------------------------------------------------

import { formatDurationMs } from '../workflows/schedule-duration';

type ScheduleView = import('./commands/schedule').ScheduleView;
type ScheduleRow = import('./commands/schedule').ScheduleRow;
type SensorRow = import('./commands/sensor').SensorRow;
type SensorStatus = import('../workflows/sensor-types').SensorStatus;

export function printScheduleCreated(v: ScheduleView): void {
  out(`created schedule ${v.name} (${v.scheduleId})${v.paused ? ', paused' : ''}`);
  printScheduleDescription(v);
}

export function printScheduleAction(a: { schedule: string; action: string; from?: string; to?: string }): void {
  const what: Record<string, string> = {
    pause: 'paused',
    unpause: 'unpaused',
    trigger: 'triggered (the action runs now, after any running one)',
    delete: 'deleted (running actions go on)',
    backfill: `backfilling ${a.from} – ${a.to}: the actions of that range run one after another`,
  };
  out(`schedule ${a.schedule}: ${what[a.action] ?? a.action}`);
}

export function printScheduleList(rows: readonly ScheduleRow[]): void {
  if (rows.length === 0) {
    out('no schedules (create one with tessera schedule create)');
    return;
  }
  const w = Math.max(4, ...rows.map((r) => r.name.length));
  out(`${'NAME'.padEnd(w)}  ${'STATE'.padEnd(7)}  ${'CADENCE'.padEnd(24)}  ${'NEXT ACTION'.padEnd(24)}  SOURCE`);
  for (const r of rows) {
    out(`${r.name.padEnd(w)}  ${(r.paused ? 'paused' : 'active').padEnd(7)}  ${r.cadence.padEnd(24)}  ${(r.nextActionAt ?? '-').padEnd(24)}  ${r.source ?? '-'}`);
  }
}

export function printScheduleDescription(v: ScheduleView): void {
  out(`schedule ${v.name}: ${v.paused ? 'PAUSED' : 'active'}${v.note ? ` (${v.note})` : ''}`);
  out(`  cadence        ${v.cadence}, window ${v.window}, overlap ${v.overlap}`);
  out(`  source         ${v.source}`);
  const filters = Object.entries(v.filters ?? {});
  if (filters.length > 0) out(`  filters        ${filters.map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`).join(' ')}`);
  out(`  products       ${v.products.join(', ')}`);
  out(`  out            ${v.out}`);
  for (const a of v.alerts) out(`  alert          ${a.name}: ${a.metric} > ${a.threshold} (hysteresis ${a.hysteresis}) → ${a.webhook}`);
  out(`  task queue     ${v.taskQueue}`);
  out(`  actions        ${v.actions.total} taken, ${v.actions.running.length} running${v.actions.missedCatchup ? `, ${v.actions.missedCatchup} missed (catchup window)` : ''}`);
  out(`  next           ${v.nextActionTimes.slice(0, 3).join(', ') || '-'}`);
  for (const r of v.recent) {
    const c = r.counts;
    const counts = c ? `: ${c.listed} scenes, ${c.done} done, ${c.skipped} skipped, ${c.failed} failed` : '';
    const alerts = r.alerts ? `; alerts ${r.alerts.crossings} (${r.alerts.delivered} delivered, ${r.alerts.failed} failed)` : '';
    out(`  action         ${r.scheduledAt} ${r.status}${r.window ? ` [${r.window.start}, ${r.window.end})` : ''}${counts}${alerts}  ${r.workflowId}`);
  }
}

export function printSensorStarted(s: { sensor: string; workflowId: string; runId: string; uiUrl: string }): void {
  out(`started sensor ${s.sensor} (${s.workflowId}, run ${s.runId})`);
  out(`  status:  tessera sensor status ${s.sensor}`);
  out(`  stop:    tessera sensor stop ${s.sensor}`);
  out(`  scenes:  temporal workflow list --query 'TesseraSceneSensor="${s.sensor}"'`);
  out(`  ui:      ${s.uiUrl}`);
}

export function printSensorList(rows: readonly SensorRow[]): void {
  if (rows.length === 0) {
    out('no sensors (start one with tessera sensor start)');
    return;
  }
  const w = Math.max(4, ...rows.map((r) => r.name.length));
  out(`${'NAME'.padEnd(w)}  ${'STATUS'.padEnd(10)}  ${'EVERY'.padEnd(7)}  ${'STARTED'.padEnd(24)}  SOURCE`);
  for (const r of rows) out(`${r.name.padEnd(w)}  ${r.status.padEnd(10)}  ${(r.every ?? '-').padEnd(7)}  ${r.startedAt.padEnd(24)}  ${r.source ?? '-'}`);
}

export function printSensorStatus(s: SensorStatus, extra: { workflowStatus: string; uiUrl?: string }): void {
  const c = s.counts;
  out(`sensor ${s.name}: ${extra.workflowStatus}, ${s.stage}${s.stopping && s.stage !== 'stopped' ? ' (stopping)' : ''} (run ${s.run}, since ${s.startedAt})`);
  out(`  source         ${s.source}, every ${formatDurationMs(s.everyMs)}`);
  out(`  cursor         ${s.cursor.datetime ?? '(none yet)'}, ${s.cursor.recentIds} recent ids`);
  const p = s.lastPoll;
  const poll = !p ? 'none yet' : p.ok === undefined ? `${p.startedAt} (running)` : p.ok ? `${p.endedAt} ok: ${p.found} new of ${p.listed} listed${p.truncated ? ' (more to come)' : ''}` : `${p.endedAt} FAILED: ${p.error}`;
  out(`  last poll      ${poll}`);
  if (s.consecutivePollFailures > 0) out(`  failing        ${s.consecutivePollFailures} polls in a row; next at ${s.nextPollAt ?? '-'}`);
  else if (s.nextPollAt) out(`  next poll      ${s.nextPollAt}`);
  out(`  polls          ${c.polls} (${c.pollsFailed} failed)`);
  out(`  scenes         ${c.started} started, ${c.completed} completed, ${c.failed} failed, ${s.running} running, ${s.queued} queued${c.duplicates ? `, ${c.duplicates} already started before` : ''}`);
  for (const sc of s.recentScenes.slice(-10)) out(`    ${sc.state.padEnd(15)} ${sc.sceneId}${sc.datetime ? ` (${sc.datetime})` : ''}${sc.error ? `: ${sc.error}` : ''}`);
  if (s.alerts) {
    const d = s.alerts.deliveries;
    out(`  alerts         ${d.delivered} delivered, ${d.failed} failed, ${d.pending} pending`);
    for (const r of s.alerts.rules) {
      out(`    rule ${r.name}: ${r.metric} > ${r.threshold} (hysteresis ${r.hysteresis}): ${r.armed ? 'armed' : 'fired, re-arms below threshold - hysteresis'}, ${r.crossings} crossings${r.lastValue !== undefined ? `, last ${r.lastValue} (${r.lastScene})` : ''}`);
    }
    for (const x of s.alerts.recent.slice(-10)) {
      out(`    ${x.state.padEnd(9)} ${x.rule} #${x.crossing} ${x.scene} → ${x.webhook}${x.status ? ` ${x.status}` : ''}${x.attempt ? ` (attempt ${x.attempt})` : ''}${x.error ? `: ${x.error}` : ''}`);
    }
    if (s.alerts.lastError) out(`    evaluation failed: ${s.alerts.lastError}`);
  }
  for (const f of s.pollFailures.slice(-3)) out(`  poll failure   ${f.startedAt}: ${f.error}`);
  if (extra.uiUrl) out(`  temporal ui    ${extra.uiUrl}`);
}

// --- tessera indices list ---------------------------------------------------------------------------------------

type IndexRow = import('./commands/indices').IndexRow;

/** One line per product: name, source, then the bands it would use (or why not) with a sensor, else its inputs. */
export function printIndexList(rows: readonly IndexRow[], sensorName?: string): void {
  const w = Math.max(4, ...rows.map((r) => r.name.length));
  const bandText = (b: Record<string, { index: number; wavelengthNm: number }>) =>
    Object.entries(b).map(([role, x]) => `${role}=band ${x.index + 1} (${x.wavelengthNm} nm)`).join(', ');
  if (sensorName !== undefined) {
    const n = rows.filter((r) => r.computable).length;
    out(`${n} of ${rows.length} products computable on ${sensorName}`);
  }
  for (const r of rows) {
    const head = `${r.name.padEnd(w)}  ${r.source.padEnd(10)}`;
    if (r.computable === undefined) out(`${head}  ${r.inputs.join(', ') || '-'}  ${r.formula ?? r.description}`);
    else if (r.computable) out(`${head}  ${bandText(r.bands ?? {})}${r.constants ? `  [${Object.entries(r.constants).map(([k, v]) => `${k}=${v}`).join(', ')}]` : ''}`);
    else out(`${head}  cannot: ${r.reason}`);
  }
}
