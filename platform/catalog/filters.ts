/**
 * CLI filter strings → SceneFilters, and the matching of one STAC item against SceneFilters for sources that
 * cannot filter themselves (static catalogs, single items). Parsers throw FilterError with the flag, the value
 * as given and the problem, so the CLI prints it and exits 2.
 */
import type { Bbox, SceneFilters } from './scene-types';
import { compileCql2, type ItemPredicate } from './cql2';
import { FilterError } from './errors';
import { bboxesIntersect } from './geometry';
import { isObject, itemBbox, itemTimeRangeMs, type StacItem } from './stac';

export { FilterError } from './errors';

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;
/** What an open end of a STAC API interval looks like (`''` is allowed by OGC API Features too). */
const OPEN = '..';

/**
 * Parses `west,south,east,north` in degrees (WGS 84). West may exceed east: the box then crosses the
 * antimeridian, as in STAC.
 * @param flag for messages. @default '--bbox'
 * @throws FilterError unless there are 4 finite numbers, longitudes in -180..180, latitudes in -90..90 and
 *   south <= north.
 */
export function parseBbox(text: string, flag = '--bbox'): Bbox {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 4) throw new FilterError(flag, text, `expected 4 numbers west,south,east,north, got ${parts.length}`);
  const names = ['west', 'south', 'east', 'north'];
  const nums = parts.map((p, i) => {
    if (!NUMBER_RE.test(p)) throw new FilterError(flag, text, `${names[i]} "${p}" is not a number`);
    const n = Number(p);
    if (!Number.isFinite(n)) throw new FilterError(flag, text, `${names[i]} "${p}" is not a finite number`);
    return n;
  });
  nums.forEach((n, i) => {
    const limit = i % 2 === 0 ? 180 : 90;
    if (n < -limit || n > limit) throw new FilterError(flag, text, `${names[i]} ${n} is outside -${limit}..${limit}`);
  });
  const [w, s, e, n] = nums;
  if (s > n) throw new FilterError(flag, text, `south ${s} is greater than north ${n}`);
  return [w, s, e, n];
}

/**
 * Parses a STAC API `datetime`: an interval `A/B` (either end `..` or empty for open) or a single instant.
 * Each end is an RFC 3339 date-time with `Z` or an offset, or a plain date `YYYY-MM-DD` meaning that UTC day
 * (from its first to its last millisecond; a plain date alone is that day's interval).
 * @param flag for messages. @default '--datetime'
 * @returns the canonical form: UTC, millisecond precision (`2024-06-01T00:00:00Z/..`), which every STAC API
 *   accepts.
 * @throws FilterError for a malformed or impossible time, both ends open, or a start after its end.
 */
export function parseDatetime(text: string, flag = '--datetime'): string {
  const value = text.trim();
  const slashes = value.split('/');
  if (slashes.length > 2) throw new FilterError(flag, text, 'expected an instant or an interval START/END');
  if (slashes.length === 1) {
    if (value === '' || value === OPEN) throw new FilterError(flag, text, 'expected an instant or an interval START/END');
    const start = parseEnd(value, 'start', flag, text, '');
    if (!DATE_RE.test(value)) return formatMs(start);
    return `${formatMs(start)}/${formatMs(parseEnd(value, 'end', flag, text, ''))}`;
  }
  const [a, b] = slashes.map((s) => s.trim());
  const openA = a === '' || a === OPEN;
  const openB = b === '' || b === OPEN;
  if (openA && openB) throw new FilterError(flag, text, 'both ends are open; leave out the flag to match every time');
  const start = openA ? undefined : parseEnd(a, 'start', flag, text);
  const end = openB ? undefined : parseEnd(b, 'end', flag, text);
  if (start !== undefined && end !== undefined && start > end) {
    throw new FilterError(flag, text, `start ${formatMs(start)} is after end ${formatMs(end)}`);
  }
  return `${start === undefined ? OPEN : formatMs(start)}/${end === undefined ? OPEN : formatMs(end)}`;
}

/**
 * The interval of a `datetime` filter in ms since the epoch, open ends as ±Infinity (an instant is `[t, t]`).
 * @throws FilterError as parseDatetime.
 */
export function datetimeRangeMs(datetime: string, flag = '--datetime'): [number, number] {
  const canonical = parseDatetime(datetime, flag);
  const [a, b = a] = canonical.split('/');
  return [a === OPEN ? -Infinity : Date.parse(a), b === OPEN ? Infinity : Date.parse(b)];
}

/**
 * Parses a CQL2-JSON filter. Only the shape is checked here (a JSON object with a string `op`); operators are
 * checked when the filter is compiled for a static source, because a STAC API may support more of CQL2.
 * @param flag for messages. @default '--filter'
 * @throws FilterError for text that is not JSON or not an operation.
 */
export function parseCql2Json(text: string, flag = '--filter'): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FilterError(flag, text, `not JSON (${(err as Error).message})`);
  }
  if (!isObject(parsed) || typeof parsed.op !== 'string') {
    throw new FilterError(flag, text, 'expected a CQL2-JSON object with "op" and "args", e.g. {"op":"<","args":[{"property":"eo:cloud_cover"},20]}');
  }
  return parsed;
}

/**
 * Parses comma-separated collection ids (blanks around commas are dropped; repeats are kept once).
 * @param flag for messages. @default '--collections'
 * @throws FilterError for an empty list or an empty id.
 */
export function parseCollections(text: string, flag = '--collections'): string[] {
  const ids = text.split(',').map((s) => s.trim());
  if (ids.some((id) => id === '')) throw new FilterError(flag, text, 'expected comma-separated collection ids, got an empty one');
  return [...new Set(ids)];
}

/**
 * Parses the total number of scenes to list.
 * @param flag for messages. @default '--limit'
 * @throws FilterError unless a positive integer.
 */
export function parseLimit(text: string, flag = '--limit'): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new FilterError(flag, text, 'expected a positive integer');
  return n;
}

/**
 * Compiles the filters into one predicate over STAC items (for listing many items with the same filters):
 * - collections: the item's `collection` is one of them;
 * - bbox: the item's bbox (or its geometry's extent) intersects it, antimeridian-aware;
 * - datetime: the item's `datetime`, or its `start_datetime`..`end_datetime`, overlaps the interval (closed);
 * - filter: the CQL2-JSON expression is true (see cql2.ts).
 * An item without the field a filter needs (no bbox, no time) does not match that filter.
 * `limit` and `asset` are not per-item and are ignored here.
 * @throws FilterError for a malformed datetime or an unsupported CQL2 operator.
 */
export function compileFilters(filters: SceneFilters): ItemPredicate {
  const tests: ItemPredicate[] = [];
  if (filters.collections) {
    const wanted = new Set(filters.collections);
    tests.push((item) => item.collection !== undefined && wanted.has(item.collection));
  }
  if (filters.bbox) {
    const box = filters.bbox;
    tests.push((item) => {
      const b = itemBbox(item);
      return b !== undefined && bboxesIntersect(b, box);
    });
  }
  if (filters.datetime !== undefined) {
    const [start, end] = datetimeRangeMs(filters.datetime);
    tests.push((item) => {
      const range = itemTimeRangeMs(item);
      return range !== undefined && range[0] <= end && range[1] >= start;
    });
  }
  if (filters.filter !== undefined) tests.push(compileCql2(filters.filter));
  return (item) => tests.every((t) => t(item));
}

/** Whether one item passes the filters (see compileFilters). */
export function matchesFilters(item: StacItem, filters: SceneFilters): boolean {
  return compileFilters(filters)(item);
}

/** Milliseconds since the epoch of one interval end; a plain date is its day's first or last millisecond. */
function parseEnd(value: string, which: 'start' | 'end', flag: string, text: string, label: string = which): number {
  const named = label ? `${label} "${value}"` : `"${value}"`;
  const day = DATE_RE.exec(value);
  if (day) {
    const [, y, m, d] = day.map(Number);
    if (!validDate(y, m, d)) throw new FilterError(flag, text, `${named} is not a calendar date`);
    const ms = Date.UTC(y, m - 1, d);
    return which === 'start' ? ms : ms + 86_400_000 - 1;
  }
  const t = DATETIME_RE.exec(value);
  if (!t) {
    throw new FilterError(flag, text, `${named} is not an RFC 3339 date-time with Z or an offset (2024-06-01T16:20:00Z) or a date (2024-06-01)`);
  }
  const [y, mo, d, h, mi, s] = t.slice(1, 7).map(Number);
  const offH = t[10] === undefined ? 0 : Number(t[10]);
  const offM = t[11] === undefined ? 0 : Number(t[11]);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59 || offH > 23 || offM > 59) {
    throw new FilterError(flag, text, `${named} is not a valid date-time`);
  }
  return Date.parse(value.toUpperCase());
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** RFC 3339 in UTC, without a `.000` that says nothing. */
function formatMs(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
