/**
 * Five-field cron expressions, read the way Temporal's scheduler reads them (temporal `service/worker/scheduler`,
 * `parseCronString`): `minute hour day-of-month month day-of-week`, UTC, each field `*`, a value, a range `a-b`, a
 * step `*\/n`, `a-b/n` or `a/n` (a to the field's end), or a comma list of those; months by number or name (`jan`,
 * `january`), weekdays 0-7 (0 and 7 are Sunday) or by name (`mon`, `monday`); `@hourly`, `@daily`, `@midnight`,
 * `@weekly`, `@monthly`, `@yearly`, `@annually`.
 *
 * One difference from Vixie cron, and it is Temporal's: a time matches when EVERY field matches, so `0 9 1 * MON`
 * fires only on a 1st that is a Monday (Vixie cron fires on every 1st and every Monday).
 *
 * Pure (no Node APIs): the CLI checks an expression with it before creating a schedule, and the scheduled workflow
 * finds the fire time before its own with `previousFireMs`, so the windows of consecutive actions tile time.
 */

/** A cron expression that does not parse, or that never fires. Bad input: never retried. */
export class CronError extends Error {
  override readonly name = 'CronError';
  readonly retryable = false;
  constructor(
    readonly expression: string,
    problem: string,
  ) {
    super(`--cron: "${expression}" ${problem}`);
  }
}

/** A parsed expression: the matching values of each field, ascending. JSON-safe. */
export interface Cron {
  expression: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: number[];
}

const PREDEFINED: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: { list: string[]; minPrefix: number; first: number };
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: { list: MONTHS, minPrefix: 3, first: 1 } },
  { name: 'day of week', min: 0, max: 7, names: { list: WEEKDAYS, minPrefix: 2, first: 0 } },
];

/** How far back or ahead a fire time is looked for; an expression that fires less often is refused. */
const SEARCH_YEARS = 5;
const MINUTE_MS = 60_000;

/**
 * Parses an expression (see the module doc).
 * @throws CronError naming the field and the part that is wrong: not 5 fields, `@every` (use `--every`), a value
 *   out of range, an unknown name, a range that ends before it starts, a step below 1, or `L`/`W`/`#`/`?`.
 */
export function parseCron(text: string): Cron {
  const expression = text.trim().replace(/\s+/g, ' ');
  if (expression === '') throw new CronError(text, 'is empty; expected 5 fields: minute hour day-of-month month day-of-week');
  if (expression.startsWith('@every')) throw new CronError(text, 'is an interval; use --every DURATION instead');
  const expanded = PREDEFINED[expression.toLowerCase()] ?? expression;
  if (expanded.startsWith('@')) throw new CronError(text, `is not one of ${Object.keys(PREDEFINED).join(', ')}`);
  const parts = expanded.split(' ');
  if (parts.length !== 5) {
    throw new CronError(text, `has ${parts.length} field${parts.length === 1 ? '' : 's'}; expected 5: minute hour day-of-month month day-of-week (UTC)`);
  }
  const values = parts.map((p, i) => parseField(text, p, FIELDS[i]));
  // Sunday is 0 and 7.
  const dow = [...new Set(values[4].map((d) => (d === 7 ? 0 : d)))].sort((a, b) => a - b);
  return { expression, minutes: values[0], hours: values[1], daysOfMonth: values[2], months: values[3], daysOfWeek: dow };
}

function parseField(text: string, field: string, spec: FieldSpec): number[] {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const bad = (problem: string) => new CronError(text, `${spec.name} "${part}": ${problem}`);
    if (part === '') throw bad('empty list entry');
    if (/[LW#?]/i.test(part) && !spec.names) throw bad('L, W, # and ? are not supported');
    const [rangePart, stepPart, extra] = part.split('/');
    if (extra !== undefined) throw bad('more than one "/"');
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1) throw bad('the step after "/" must be a whole number of at least 1');
      step = Number(stepPart);
    }
    let start = spec.min;
    let end = spec.max;
    if (rangePart !== '*') {
      const bounds = rangePart.split('-');
      if (bounds.length > 2) throw bad('more than one "-"');
      start = value(bounds[0], spec, bad);
      if (bounds.length === 2) {
        end = value(bounds[1], spec, bad);
        if (end < start) throw bad(`the range ends (${end}) before it starts (${start})`);
      } else if (stepPart === undefined) {
        end = start;
      }
    }
    for (let v = start; v <= end; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function value(token: string, spec: FieldSpec, bad: (problem: string) => CronError): number {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < spec.min || n > spec.max) throw bad(`${n} is outside ${spec.min}-${spec.max}`);
    return n;
  }
  if (spec.names && token.length >= spec.names.minPrefix) {
    const lower = token.toLowerCase();
    const i = spec.names.list.findIndex((name) => name.startsWith(lower));
    if (i >= 0) return i + spec.names.first;
  }
  throw bad(spec.names ? `"${token}" is neither a number ${spec.min}-${spec.max} nor a ${spec.name} name` : `"${token}" is not a number ${spec.min}-${spec.max}`);
}

/** Whether a minute (ms since the epoch, whole minute, UTC) matches every field. */
export function cronMatches(cron: Cron, ms: number): boolean {
  const d = new Date(ms);
  return (
    cron.months.includes(d.getUTCMonth() + 1) &&
    cron.daysOfMonth.includes(d.getUTCDate()) &&
    cron.daysOfWeek.includes(d.getUTCDay()) &&
    cron.hours.includes(d.getUTCHours()) &&
    cron.minutes.includes(d.getUTCMinutes())
  );
}

/**
 * The latest fire time strictly before `beforeMs` (ms since the epoch, UTC).
 * @throws CronError when the expression does not fire in the SEARCH_YEARS before.
 */
export function previousFireMs(cron: Cron, beforeMs: number): number {
  let t = Math.floor((beforeMs - 1) / MINUTE_MS) * MINUTE_MS;
  const limit = beforeMs - SEARCH_YEARS * 366 * 86_400_000;
  while (t >= limit) {
    const d = new Date(t);
    const y = d.getUTCFullYear();
    const mo = d.getUTCMonth();
    const day = d.getUTCDate();
    const h = d.getUTCHours();
    // Step back over whole months, days and hours that cannot match, landing on their last minute.
    if (!cron.months.includes(mo + 1)) t = Date.UTC(y, mo, 1) - MINUTE_MS;
    else if (!cron.daysOfMonth.includes(day) || !cron.daysOfWeek.includes(d.getUTCDay())) t = Date.UTC(y, mo, day) - MINUTE_MS;
    else if (!cron.hours.includes(h)) t = Date.UTC(y, mo, day, h) - MINUTE_MS;
    else if (!cron.minutes.includes(d.getUTCMinutes())) t -= MINUTE_MS;
    else return t;
  }
  throw new CronError(cron.expression, `does not fire in the ${SEARCH_YEARS} years before ${new Date(beforeMs).toISOString()}`);
}

/**
 * The earliest fire time strictly after `afterMs`.
 * @throws CronError when the expression does not fire in the SEARCH_YEARS after (e.g. `0 0 30 2 *`).
 */
export function nextFireMs(cron: Cron, afterMs: number): number {
  let t = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const limit = afterMs + SEARCH_YEARS * 366 * 86_400_000;
  while (t <= limit) {
    const d = new Date(t);
    const y = d.getUTCFullYear();
    const mo = d.getUTCMonth();
    const day = d.getUTCDate();
    const h = d.getUTCHours();
    if (!cron.months.includes(mo + 1)) t = Date.UTC(y, mo + 1, 1);
    else if (!cron.daysOfMonth.includes(day) || !cron.daysOfWeek.includes(d.getUTCDay())) t = Date.UTC(y, mo, day + 1);
    else if (!cron.hours.includes(h)) t = Date.UTC(y, mo, day, h + 1);
    else if (!cron.minutes.includes(d.getUTCMinutes())) t += MINUTE_MS;
    else return t;
  }
  throw new CronError(cron.expression, `does not fire in the ${SEARCH_YEARS} years after ${new Date(afterMs).toISOString()}`);
}
