/**
 * Axis ticks for charts: "nice" linear steps (1, 2, 2.5, 5 × 10^k) for values, and calendar steps (days, weeks,
 * months, years, all in UTC) for dates, so tick labels read as round numbers and real dates.
 */
import { RasterError } from '../errors';

/** An axis request that cannot be met: a non-finite bound, max below min, too few ticks wanted. */
export class ChartAxisError extends RasterError {
  override readonly name = 'ChartAxisError';
  constructor(detail: string) {
    super('INVALID_ARGUMENT', 'chart', detail);
  }
}

export interface LinearTicks {
  /** Tick values from `min` to `max` inclusive, evenly spaced by `step`. */
  ticks: number[];
  /** The axis domain: the first and last tick, which enclose the data. */
  min: number;
  max: number;
  step: number;
  /** Digits after the decimal point that show every tick exactly (0 for integer steps). */
  decimals: number;
}

const NICE_STEPS = [1, 2, 2.5, 5];

/**
 * Round ticks covering [lo, hi] with at most `maxTicks` ticks. A zero-width range is widened to [lo, lo + 1]
 * (or around lo when lo is not 0), so a flat series still gets an axis.
 * @throws ChartAxisError for a non-finite bound, hi < lo, or maxTicks < 3.
 */
export function linearTicks(lo: number, hi: number, maxTicks: number): LinearTicks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) throw new ChartAxisError(`value range [${lo}, ${hi}] is not a finite interval`);
  if (!(maxTicks >= 3)) throw new ChartAxisError(`maxTicks ${maxTicks} < 3`);
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = lo === 0 ? [0, 1] : [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / (maxTicks - 1);
  // Terminates: once the step exceeds |lo| and |hi|, the ticks are at most -step, 0, step.
  for (let magnitude = 10 ** Math.floor(Math.log10(raw)); ; magnitude *= 10) {
    for (const m of NICE_STEPS) {
      const step = m * magnitude;
      const min = Math.floor(lo / step + 1e-9) * step;
      const max = Math.ceil(hi / step - 1e-9) * step;
      const count = Math.round((max - min) / step) + 1;
      if (count <= maxTicks) {
        // 2.5 × 10^k needs one digit more than 10^k.
        const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (m === 2.5 ? 1 : 0));
        const ticks = Array.from({ length: count }, (_, i) => round(min + i * step, decimals));
        return { ticks, min: ticks[0], max: ticks[count - 1], step, decimals };
      }
    }
  }
}

function round(v: number, decimals: number): number {
  const r = Number(v.toFixed(Math.min(decimals, 15)));
  return r === 0 ? 0 : r; // no "-0" labels
}

/** Calendar step between date ticks. */
export type DateStep = { unit: 'day' | 'month' | 'year'; count: number };

export interface DateTicks {
  /** Tick instants (UTC midnights) inside [startMs, endMs]. */
  ticksMs: number[];
  step: DateStep;
  /**
   * Labels, one per tick: `main` (`14 Jun`, `Jun`, `2024`) and, where the year changes (and on the first tick),
   * `year` for a second line; null otherwise.
   */
  labels: Array<{ main: string; year: string | null }>;
}

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Finest first. Day steps other than 1 are counted from the 1st of each month (1, 8, 15, 22 for a week) so ticks
// fall on the same dates whatever the data's first day is.
const DATE_STEPS: DateStep[] = [
  { unit: 'day', count: 1 }, { unit: 'day', count: 2 }, { unit: 'day', count: 7 }, { unit: 'day', count: 14 },
  { unit: 'month', count: 1 }, { unit: 'month', count: 2 }, { unit: 'month', count: 3 }, { unit: 'month', count: 6 },
  { unit: 'year', count: 1 }, { unit: 'year', count: 2 }, { unit: 'year', count: 5 }, { unit: 'year', count: 10 },
  { unit: 'year', count: 25 }, { unit: 'year', count: 50 }, { unit: 'year', count: 100 },
];

/**
 * Calendar ticks for [startMs, endMs] (epoch ms, UTC): the finest step of days, weeks, months or years that gives
 * at most `maxTicks` ticks.
 * @throws ChartAxisError for a non-finite bound, end < start, or maxTicks < 2.
 */
export function dateTicks(startMs: number, endMs: number, maxTicks: number): DateTicks {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs < startMs) throw new ChartAxisError(`date range [${startMs}, ${endMs}] is not a finite interval`);
  if (!(maxTicks >= 2)) throw new ChartAxisError(`maxTicks ${maxTicks} < 2`);
  // The coarsest step always fits a chart's span (a century per tick).
  const step = DATE_STEPS.find((s) => ticksFor(startMs, endMs, s, maxTicks).length <= maxTicks) ?? DATE_STEPS[DATE_STEPS.length - 1];
  const ticksMs = ticksFor(startMs, endMs, step, maxTicks);
  let lastYear: number | null = null;
  const labels = ticksMs.map((ms) => {
    const d = new Date(ms);
    const y = d.getUTCFullYear();
    const main = step.unit === 'year' ? String(y) : step.unit === 'month' ? MONTHS[d.getUTCMonth()] : `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
    const year = step.unit !== 'year' && y !== lastYear ? String(y) : null;
    lastYear = y;
    return { main, year };
  });
  return { ticksMs, step, labels };
}

/** Ticks of one step inside [start, end]; stops once more than `limit` are found (that step is too fine anyway). */
function ticksFor(start: number, end: number, step: DateStep, limit: number): number[] {
  const out: number[] = [];
  const s = new Date(start);
  let y = s.getUTCFullYear();
  let m = s.getUTCMonth();
  if (step.unit === 'day') {
    for (let month = Date.UTC(y, m, 1); month <= end && out.length <= limit; month = Date.UTC(y, ++m, 1)) {
      const next = Date.UTC(y, m + 1, 1);
      for (let day = 1; ; day += step.count) {
        const t = Date.UTC(y, m, day);
        // A step that would land within half a step of the next month's 1st is skipped (e.g. the 29th for a week).
        if (t >= next || (step.count > 1 && next - t <= (step.count * DAY_MS) / 2)) break;
        if (t >= start && t <= end) out.push(t);
      }
    }
  } else if (step.unit === 'month') {
    m -= m % step.count;
    for (let t = Date.UTC(y, m, 1); t <= end && out.length <= limit; t = Date.UTC(y, (m += step.count), 1)) {
      if (t >= start) out.push(t);
    }
  } else {
    y -= ((y % step.count) + step.count) % step.count;
    for (let t = Date.UTC(y, 0, 1); t <= end && out.length <= limit; t = Date.UTC((y += step.count), 0, 1)) {
      if (t >= start) out.push(t);
    }
  }
  return out;
}
