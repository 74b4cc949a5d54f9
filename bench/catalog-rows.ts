/**
 * The catalog benchmark's rows and what a run records, shared by the measuring side (bench/catalog.ts) and the
 * report (bench/catalog-report.ts).
 */
import type { SelfTime } from './cpu-profile';

export type RowKey = 'ref-1' | 'ref-all' | '1x2' | '2x1' | 'hosts-1x1' | 'hosts-2x1';
export const ALL_ROWS: RowKey[] = ['ref-1', 'ref-all', '1x2', '2x1', 'hosts-1x1', 'hosts-2x1'];
export const ROW_NAMES: Record<RowKey, string> = {
  'ref-1': 'GDAL + numpy, GDAL_NUM_THREADS=1',
  'ref-all': 'GDAL + numpy, GDAL_NUM_THREADS=ALL_CPUS',
  '1x2': 'Tessera, 1 worker × 2 threads',
  '2x1': 'Tessera, 2 workers × 1 thread',
  'hosts-1x1': 'Tessera, 1 host × 1 thread (pinned to 1 core)',
  'hosts-2x1': 'Tessera, 2 hosts × 1 thread (pinned, 1 core each)',
};

export interface CatalogOptions {
  runs: number;
  rows: RowKey[];
  tesseraRoot: string;
  dynamicConfig?: string;
  label: string;
  profile: boolean;
  reportOnly: boolean;
}

export interface CatalogSample {
  wallS: number;
  /** Workers + client (the reference: the whole script). */
  cpuS: number;
  peakRssMB: number;
  workerCpuS?: number;
  clientCpuS?: number;
  serverCpuS?: number;
  /** Busy ÷ wall per pool thread, every worker's threads in order. */
  threadBusy?: number[];
  poolTasks?: number;
  /** Workers' threads: seconds waiting runnable for a CPU (others' load), summed over threads and workers. */
  runQueueS?: number;
  loadBefore: string;
  waterPixels: Record<string, number>;
  /** The reference's own split of its time (read, compute, write, stats, table), summed over scenes. */
  stagesMs?: Record<string, number>;
}

export interface HistoryStats {
  workflows: number;
  events: number;
  activities: Record<string, number>;
  /**
   * Per activity type, in seconds: the wait from scheduled to started (a slot or the server's matching was the
   * bottleneck) and the run from started to closed (the work itself), as total, median and max over its attempts.
   */
  timing: Record<string, { waitS: Spread; runS: Spread }>;
  /** Wall time with at least one tile activity (processTile, processTiles, processSceneInline) running, over all scenes (the union of their intervals): the tile phase. */
  tilePhaseS: number;
}

export interface Spread {
  total: number;
  median: number;
  max: number;
}

export function spread(xs: number[]): Spread {
  return { total: xs.reduce((a, b) => a + b, 0), median: xs.length ? median(xs) : 0, max: xs.length ? Math.max(...xs) : 0 };
}


/** The middle value; of an even count, the mean of the two middle ones (with 2 runs, not the slower one). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Everything one `--catalog` invocation measured: what bench/results.json keeps under catalog.<label>. */
export interface CatalogRecord {
  startedAt: string;
  options: CatalogOptions;
  dynamicConfig: string;
  scenes: Array<{ id: string; sizePx: number; bytes: number }>;
  inputMB: number;
  loadBefore: string;
  loadAfter: string;
  rows: RowKey[];
  samples: Partial<Record<RowKey, CatalogSample[]>>;
  histories: Partial<Record<RowKey, HistoryStats>>;
  profile?: Array<{ file: string; totalMs: number; top: SelfTime[] }>;
  profileError?: string;
  hostsSkip?: string;
}
