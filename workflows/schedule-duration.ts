/**
 * Durations as people type them on the command line (`--every 10s`, `--window 1h30m`) and as they are shown back.
 * Pure (no Node APIs): the CLI parses with it, and the schedule and sensor workflows format with it.
 */

/** A duration that does not parse, or that is out of the range a flag accepts. Bad input: never retried. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
  readonly retryable = false;
  constructor(
    readonly flag: string,
    readonly value: string,
    problem: string,
  ) {
    super(`${flag}: "${value}" ${problem}`);
  }
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/**
 * Parses `500ms`, `10s`, `5m`, `1h30m`, `2d`, `1w` (parts in any order, each a number and a unit; no spaces).
 * @param opts.minMs smallest accepted value. @default 1000 (schedules and sensors tick in whole seconds)
 * @param opts.maxMs largest accepted value. @default 366 days
 * @returns milliseconds, a whole number.
 * @throws DurationError for an empty string, an unknown unit, leftover text, or a value outside [minMs, maxMs].
 */
export function parseDurationMs(text: string, flag: string, opts: { minMs?: number; maxMs?: number } = {}): number {
  const value = text.trim().toLowerCase();
  if (value === '') throw new DurationError(flag, text, 'is empty; expected e.g. 10s, 5m, 1h30m, 1d');
  let total = 0;
  let end = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(value); m; m = PART.exec(value)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    end = PART.lastIndex;
  }
  if (end !== value.length) throw new DurationError(flag, text, 'is not a duration; expected e.g. 10s, 5m, 1h30m, 1d (units ms, s, m, h, d, w)');
  const ms = Math.round(total);
  const minMs = opts.minMs ?? 1000;
  const maxMs = opts.maxMs ?? 366 * UNIT_MS.d;
  if (ms < minMs) throw new DurationError(flag, text, `is shorter than the minimum ${formatDurationMs(minMs)}`);
  if (ms > maxMs) throw new DurationError(flag, text, `is longer than the maximum ${formatDurationMs(maxMs)}`);
  return ms;
}

/** `1h30m`, `10s`, `2d`, `1w2d`, `250ms`: the largest units first, zero parts left out. */
export function formatDurationMs(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let left = Math.round(ms);
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit];
    const n = Math.floor(left / size);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      left -= n * size;
    }
  }
  return parts.join('');
}
