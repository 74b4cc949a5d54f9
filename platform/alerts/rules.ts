/**
 * The alert file of `--alert FILE`: JSON, either an array of rules or `{ "rules": [...] }`. Each rule is
 * `{ name, aoi?, metric, threshold, hysteresis?, webhook }` (alert-types.ts). YAML is not read: no YAML
 * parser is among the project's dependencies, and JSON is what the rest of Tessera's inputs use.
 *
 * Everything is checked here, once, before anything starts; the CLI prints the one-line message and exits 2.
 */
import { ALERT_METRICS, type AlertAoi, type AlertMetric, type AlertRule } from './alert-types';

/** An alert file that cannot be used: not JSON, an unknown metric, a bad webhook URL, a malformed AOI, … */
export class AlertFileError extends Error {
  override readonly name = 'AlertFileError';
  readonly retryable = false;
  constructor(
    /** The file as given. */
    readonly file: string,
    readonly detail: string,
  ) {
    super(`--alert ${file}: ${detail}`);
  }
}

/** Rules one file may hold: each is evaluated for every scene and kept in the automation's state. */
export const MAX_RULES = 50;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const KEYS = new Set(['name', 'aoi', 'metric', 'threshold', 'hysteresis', 'webhook']);

/**
 * Parses and checks an alert file's text.
 * @param file the path as given, for messages.
 * @throws AlertFileError (one line naming the file, the rule and the field) for text that is not JSON, no rules or
 *   more than MAX_RULES, a rule that is not an object, an unknown field, a missing or repeated name, an unknown
 *   metric, a threshold or hysteresis that is not a finite number (hysteresis also >= 0), a webhook URL that is not
 *   absolute http(s), or an AOI that is not a lon/lat Polygon or MultiPolygon.
 */
export function parseAlertFile(text: string, file: string): AlertRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const yamlish = /^\s*(-|\w[\w-]*\s*:)/.test(text);
    throw new AlertFileError(file, `not JSON (${(err as Error).message})${yamlish ? '; YAML is not supported, write the rules as JSON' : ''}`);
  }
  const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.rules) ? doc.rules : undefined;
  if (!list) throw new AlertFileError(file, 'expected a JSON array of rules, or an object with a "rules" array');
  if (list.length === 0) throw new AlertFileError(file, 'holds no rules');
  if (list.length > MAX_RULES) throw new AlertFileError(file, `holds ${list.length} rules; at most ${MAX_RULES} are allowed`);
  const names = new Set<string>();
  return list.map((raw, i) => {
    const rule = parseRule(raw, i, file);
    if (names.has(rule.name)) throw new AlertFileError(file, `rule ${i}: name "${rule.name}" is used twice`);
    names.add(rule.name);
    return rule;
  });
}

function parseRule(raw: unknown, i: number, file: string): AlertRule {
  const at = (detail: string) => new AlertFileError(file, `rule ${i}${isObject(raw) && typeof raw.name === 'string' ? ` ("${raw.name}")` : ''}: ${detail}`);
  if (!isObject(raw)) throw at('is not an object');
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) throw at(`unknown field "${key}" (fields: ${[...KEYS].join(', ')})`);
  if (typeof raw.name !== 'string' || !NAME_PATTERN.test(raw.name)) throw at('name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  if (typeof raw.metric !== 'string' || !(ALERT_METRICS as readonly string[]).includes(raw.metric)) {
    throw at(`unknown metric ${JSON.stringify(raw.metric)} (metrics: ${ALERT_METRICS.join(', ')})`);
  }
  if (typeof raw.threshold !== 'number' || !Number.isFinite(raw.threshold)) throw at('threshold must be a finite number');
  const hysteresis = raw.hysteresis ?? 0;
  if (typeof hysteresis !== 'number' || !Number.isFinite(hysteresis) || hysteresis < 0) throw at('hysteresis must be a number >= 0');
  if (typeof raw.webhook !== 'string') throw at('webhook must be an http:// or https:// URL');
  const webhook = checkWebhookUrl(raw.webhook, (detail) => at(`webhook ${JSON.stringify(raw.webhook)} ${detail}`));
  const rule: AlertRule = { name: raw.name, metric: raw.metric as AlertMetric, threshold: raw.threshold, hysteresis, webhook };
  if (raw.aoi !== undefined) rule.aoi = parseAoi(raw.aoi, (detail) => at(`aoi ${detail}`));
  return rule;
}

/**
 * An absolute http(s) URL with a host, returned as the URL class writes it.
 * @throws what `fail` returns, for anything else (a relative URL, another scheme, no host, user:password@).
 */
export function checkWebhookUrl(text: string, fail: (detail: string) => Error): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`has scheme ${url.protocol.replace(/:$/, '')}; expected http or https`);
  if (url.hostname === '') throw fail('has no host');
  // The URL is kept in workflow inputs and history: a password in it would be stored in clear.
  if (url.username !== '' || url.password !== '') throw fail('carries credentials; put a token in the path or query instead');
  return url.href;
}

/** A Feature is unwrapped to its geometry; only Polygon and MultiPolygon are accepted. */
function parseAoi(raw: unknown, fail: (detail: string) => Error): AlertAoi {
  const geometry = isObject(raw) && raw.type === 'Feature' ? raw.geometry : raw;
  if (!isObject(geometry) || typeof geometry.type !== 'string') throw fail('is not a GeoJSON geometry (no "type")');
  if (geometry.type === 'Polygon') return { type: 'Polygon', coordinates: polygon(geometry.coordinates, fail) };
  if (geometry.type === 'MultiPolygon') {
    if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0) throw fail('is a MultiPolygon without polygons');
    return { type: 'MultiPolygon', coordinates: geometry.coordinates.map((p, i) => polygon(p, (d) => fail(`polygon ${i}: ${d}`))) };
  }
  throw fail(`is a ${geometry.type}; expected a Polygon or MultiPolygon`);
}

function polygon(coords: unknown, fail: (detail: string) => Error): number[][][] {
  if (!Array.isArray(coords) || coords.length === 0) throw fail('has no rings');
  return coords.map((ring, r) => {
    if (!Array.isArray(ring) || ring.length < 4) throw fail(`ring ${r} needs at least 4 positions (closed)`);
    const positions = ring.map((p, k) => {
      if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        throw fail(`ring ${r}, position ${k} is not [lon, lat]`);
      }
      if (p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90) throw fail(`ring ${r}, position ${k} [${p[0]}, ${p[1]}] is not lon/lat in degrees`);
      return [p[0], p[1]];
    });
    const [first, last] = [positions[0], positions[positions.length - 1]];
    if (first[0] !== last[0] || first[1] !== last[1]) throw fail(`ring ${r} is not closed (its last position must repeat the first)`);
    return positions;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
