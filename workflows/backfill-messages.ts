/**
 * What the CLI and the backfill workflow share about progress: the query, and how an ETA is estimated and shown,
 * so `tessera status` and the workflow's "Current Details" in the Web UI say the same thing.
 */
import { defineQuery } from '@temporalio/workflow';
import type { BackfillCounts, BackfillProgress } from './backfill-types';

/**
 * Read-only progress of a backfill: counts, stage and the most recent failures. Queries add no history events
 * and are answered for closed runs too: `temporal workflow query --name backfillProgress` or `tessera status`.
 */
export const backfillProgressQuery = defineQuery<BackfillProgress>('backfillProgress');

/** Scenes that need no more work: done, skipped or failed. */
export function scenesFinished(counts: BackfillCounts): number {
  return counts.done + counts.skipped + counts.failed;
}

/**
 * Time left at the rate scenes have finished since the backfill started (listing included), or null before the
 * first scene finished. Milliseconds.
 */
export function backfillEtaMs(p: Pick<BackfillProgress, 'done' | 'skipped' | 'failed' | 'total' | 'startedAtMs'>, nowMs: number): number | null {
  const finished = scenesFinished({ ...p, listed: p.total, running: 0 });
  const elapsedMs = nowMs - p.startedAtMs;
  if (finished === 0 || elapsedMs <= 0) return null;
  return Math.max(0, Math.round(((p.total - finished) * elapsedMs) / finished));
}

/** `4m12s`, `1h03m`, `9s`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The workflow's "Current Details" in the Web UI: counts as a table, the ETA (or the time taken), recent failures. */
export function progressMarkdown(p: BackfillProgress, nowMs: number): string {
  const finished = scenesFinished(p);
  const eta = backfillEtaMs(p, nowMs);
  const lines = [
    `**${p.stage}**: ${finished} of ${p.total} scenes finished (run ${p.run})`,
    '',
    '| done | skipped | failed | running |',
    '|---:|---:|---:|---:|',
    `| ${p.done} | ${p.skipped} | ${p.failed} | ${p.running} |`,
    '',
    p.stage === 'done' ? `took ${formatDuration(nowMs - p.startedAtMs)}` : `ETA ${eta === null ? '–' : formatDuration(eta)}`,
  ];
  if (p.recentFailures.length > 0) {
    lines.push('', '**Recent failures**', ...p.recentFailures.slice(-5).map((f) => `- \`${f.scene.id}\`: ${f.reason}`));
  }
  return lines.join('\n');
}
