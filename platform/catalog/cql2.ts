/**
 * A CQL2-JSON evaluator for static sources (and for STAC APIs that do not implement the Filter extension):
 * the Basic CQL2 operators plus `like`, `in`, `between` and `s_intersects`, over one STAC item.
 * CQL2: https://docs.ogc.org/is/21-065r2/21-065r2.html
 *
 * Logic is three-valued as in SQL: a comparison with a missing property is unknown, `not` of unknown stays
 * unknown, and an item matches only when the whole expression is true. So `not(eo:cloud_cover < 20)` does not
 * match an item without a cloud cover, as on a pgstac-backed API.
 */
import type { Bbox } from './scene-types';
import { FilterError } from './errors';
import { bboxesIntersect, geometryIntersectsBbox } from './geometry';
import { geometryExtent, isObject, itemBbox, type StacItem } from './stac';

/** A compiled filter: true when the item matches. */
export type ItemPredicate = (item: StacItem) => boolean;

export const SUPPORTED_CQL2_OPERATORS = ['and', 'or', 'not', '=', '<>', '<', '<=', '>', '>=', 'isNull', 'in', 'between', 'like', 's_intersects'] as const;

/** A time literal (`{"timestamp"}` / `{"date"}`), so property strings compare as times against it. */
class Instant {
  constructor(readonly ms: number) {}
}

/** A spatial value: the item's own footprint, or a literal (bbox or GeoJSON geometry). */
class Spatial {
  constructor(
    readonly bbox: Bbox | undefined,
    readonly geometry?: unknown,
  ) {}
}

type Value = string | number | boolean | null | Instant | Spatial | Value[];
type Tri = boolean | null;
type Expr = (item: StacItem) => Value;
type Pred = (item: StacItem) => Tri;

/**
 * Compiles a CQL2-JSON expression (as parsed by `parseCql2Json`), checking every operator and literal up front.
 * @param flag the flag the filter came from, for error messages. @default '--filter'
 * @throws FilterError naming an unsupported operator, a wrong argument count or a malformed literal.
 */
export function compileCql2(expr: unknown, flag = '--filter'): ItemPredicate {
  const shown = JSON.stringify(expr) ?? String(expr);
  const fail = (detail: string): never => {
    throw new FilterError(flag, shown, detail);
  };
  const pred = compilePred(expr, fail);
  return (item) => pred(item) === true;
}

type Fail = (detail: string) => never;

function compilePred(node: unknown, fail: Fail): Pred {
  if (typeof node === 'boolean') return () => node;
  if (!isObject(node) || typeof node.op !== 'string') return fail(`expected a CQL2 operation {"op": ..., "args": [...]}, got ${brief(node)}`);
  const op = canonicalOp(node.op, fail);
  const rawArgs = node.args ?? [];
  if (!Array.isArray(rawArgs)) return fail(`"${op}": args must be an array`);
  const arity = (n: number): void => {
    if (rawArgs.length !== n) fail(`"${op}" takes ${n} argument${n === 1 ? '' : 's'}, got ${rawArgs.length}`);
  };
  switch (op) {
    case 'and':
    case 'or': {
      if (rawArgs.length < 1) fail(`"${op}" needs at least one argument`);
      const parts = rawArgs.map((a) => compilePred(a, fail));
      return op === 'and' ? (item) => and(parts.map((p) => p(item))) : (item) => or(parts.map((p) => p(item)));
    }
    case 'not': {
      arity(1);
      const inner = compilePred(rawArgs[0], fail);
      return (item) => {
        const v = inner(item);
        return v === null ? null : !v;
      };
    }
    case '=':
    case '<>':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      arity(2);
      const [a, b] = rawArgs.map((x) => compileExpr(x, fail));
      return (item) => compare(op, a(item), b(item));
    }
    case 'isNull': {
      arity(1);
      const a = compileExpr(rawArgs[0], fail);
      return (item) => a(item) === null;
    }
    case 'in': {
      arity(2);
      const a = compileExpr(rawArgs[0], fail);
      if (!Array.isArray(rawArgs[1])) fail(`"in" takes a value and an array, got ${brief(rawArgs[1])}`);
      const list = (rawArgs[1] as unknown[]).map((x) => compileExpr(x, fail));
      return (item) => {
        const v = a(item);
        if (v === null) return null;
        const hits = list.map((e) => compare('=', v, e(item)));
        return hits.includes(true) ? true : hits.includes(null) ? null : false;
      };
    }
    case 'between': {
      // CQL2 1.0 has three arguments; drafts (and some clients) wrote [value, [low, high]].
      const args = rawArgs.length === 2 && Array.isArray(rawArgs[1]) ? [rawArgs[0], ...(rawArgs[1] as unknown[])] : rawArgs;
      if (args.length !== 3) fail(`"between" takes 3 arguments (value, low, high), got ${rawArgs.length}`);
      const [v, lo, hi] = args.map((x) => compileExpr(x, fail));
      return (item) => {
        const x = v(item);
        return and([compare('>=', x, lo(item)), compare('<=', x, hi(item))]);
      };
    }
    case 'like': {
      arity(2);
      const a = compileExpr(rawArgs[0], fail);
      if (typeof rawArgs[1] !== 'string') fail(`"like" takes a string pattern, got ${brief(rawArgs[1])}`);
      const re = likePattern(rawArgs[1] as string);
      return (item) => {
        const v = a(item);
        return typeof v === 'string' ? re.test(v) : null;
      };
    }
    case 's_intersects': {
      arity(2);
      const [a, b] = rawArgs.map((x) => compileExpr(x, fail));
      return (item) => intersects(a(item), b(item));
    }
  }
}

function canonicalOp(op: string, fail: Fail): (typeof SUPPORTED_CQL2_OPERATORS)[number] {
  const lower = op.toLowerCase();
  const found = SUPPORTED_CQL2_OPERATORS.find((o) => o.toLowerCase() === lower);
  return found ?? fail(`unsupported CQL2 operator "${op}" (supported: ${SUPPORTED_CQL2_OPERATORS.join(', ')})`);
}

function compileExpr(node: unknown, fail: Fail): Expr {
  if (node === null || typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return () => node;
  if (Array.isArray(node)) {
    const parts = node.map((x) => compileExpr(x, fail));
    return (item) => parts.map((p) => p(item));
  }
  if (!isObject(node)) return fail(`unsupported CQL2 value ${brief(node)}`);
  if (typeof node.op === 'string') {
    const pred = compilePred(node, fail);
    return (item) => pred(item);
  }
  if ('property' in node) {
    if (typeof node.property !== 'string' || node.property === '') return fail(`"property" must be a non-empty string, got ${brief(node.property)}`);
    return propertyGetter(node.property);
  }
  if ('timestamp' in node) {
    const ms = typeof node.timestamp === 'string' && /^\d{4}-\d{2}-\d{2}T/i.test(node.timestamp) ? Date.parse(node.timestamp) : NaN;
    if (Number.isNaN(ms)) return fail(`"timestamp" must be an RFC 3339 date-time, got ${brief(node.timestamp)}`);
    const value = new Instant(ms);
    return () => value;
  }
  if ('date' in node) {
    const ms = typeof node.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(node.date) ? Date.parse(`${node.date}T00:00:00Z`) : NaN;
    if (Number.isNaN(ms)) return fail(`"date" must be YYYY-MM-DD, got ${brief(node.date)}`);
    const value = new Instant(ms);
    return () => value;
  }
  if ('bbox' in node) {
    const b = node.bbox;
    if (!Array.isArray(b) || (b.length !== 4 && b.length !== 6) || !b.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      return fail(`"bbox" must be 4 or 6 numbers, got ${brief(b)}`);
    }
    const value = new Spatial(b.length === 4 ? [b[0], b[1], b[2], b[3]] : [b[0], b[1], b[3], b[4]]);
    return () => value;
  }
  if (typeof node.type === 'string' && ('coordinates' in node || 'geometries' in node)) {
    if (geometryIntersectsBbox(node, [-180, -90, 180, 90]) === undefined) return fail(`malformed GeoJSON ${node.type}`);
    const value = new Spatial(geometryExtent(node), node);
    return () => value;
  }
  if ('interval' in node) return fail('temporal intervals ({"interval": ...}) are not supported; use --datetime');
  return fail(`unsupported CQL2 value ${brief(node)}`);
}

/** `id` and `collection` are top-level item fields, `geometry` is the footprint; the rest are properties. */
function propertyGetter(name: string): Expr {
  switch (name) {
    case 'id':
      return (item) => item.id ?? null;
    case 'collection':
      return (item) => item.collection ?? null;
    case 'geometry':
      return (item) => {
        const bbox = itemBbox(item);
        return bbox ? new Spatial(bbox) : null;
      };
  }
  const key = name.startsWith('properties.') ? name.slice('properties.'.length) : name;
  return (item) => toValue(item.properties?.[key]);
}

function toValue(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toValue);
  return null;
}

function and(parts: Tri[]): Tri {
  return parts.includes(false) ? false : parts.includes(null) ? null : true;
}

function or(parts: Tri[]): Tri {
  return parts.includes(true) ? true : parts.includes(null) ? null : false;
}

/** Compares two values; different kinds are unequal and unordered. */
function compare(op: '=' | '<>' | '<' | '<=' | '>' | '>=', a: Value, b: Value): Tri {
  if (a === null || b === null) return null;
  const order = ordering(a, b);
  if (order === undefined) return op === '=' ? false : op === '<>' ? true : null;
  switch (op) {
    case '=':
      return order === 0;
    case '<>':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

function ordering(a: Value, b: Value): number | undefined {
  if (a instanceof Instant || b instanceof Instant) {
    const x = timeOf(a);
    const y = timeOf(b);
    return x === undefined || y === undefined ? undefined : Math.sign(x - y);
  }
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return undefined;
}

/** An item's timestamps are strings; they become times when compared with a time literal. */
function timeOf(v: Value): number | undefined {
  if (v instanceof Instant) return v.ms;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function intersects(a: Value, b: Value): Tri {
  if (a === null || b === null) return null;
  if (!(a instanceof Spatial) || !(b instanceof Spatial) || !a.bbox || !b.bbox) return null;
  if (a.geometry !== undefined && b.geometry === undefined) return geometryIntersectsBbox(a.geometry, b.bbox) ?? null;
  if (b.geometry !== undefined) return geometryIntersectsBbox(b.geometry, a.bbox) ?? null;
  return bboxesIntersect(a.bbox, b.bbox);
}

/** CQL2 `like`: `%` any run, `_` one character, `\` escapes the next one; the whole string must match. */
function likePattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`, 'u');
}

function escapeRe(ch: string): string {
  return ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function brief(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
