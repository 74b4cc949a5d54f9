/**
 * Tessera's configuration: ONE object, read from the environment once at the process edge
 * (`workers/main.ts`, `cli/main.ts`) by `loadConfig`, validated there, frozen, and handed down as
 * `Pick<Config, ...>` slices. Nothing else reads `process.env`.
 *
 * Validation lists every problem at once (`ConfigError.issues`), not just the first. Empty environment
 * variables count as unset. Secrets (the Temporal API key) have no default, are never echoed in error
 * messages, and `describeConfig` shows only whether they are set. S3 credentials are not part of Config at
 * all: the AWS SDK's default provider chain reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or a profile,
 * or an instance role) itself.
 *
 * Temporal variables reuse the names of Temporal's own environment configuration (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*), so one environment serves Tessera and the
 * `temporal` CLI alike.
 *
 * Every field is described once, in `FIELDS`: its variable(s), how the text is parsed, what is valid, its
 * default (a value, or a rule over other fields) and what it means. `loadConfig` reads, checks and defaults by
 * that table, error messages name its variables and expected forms, and the README's configuration table is the
 * table's `describeConfig` text (platform/config.test.ts checks that they agree).
 */
import { availableParallelism } from 'node:os';
import { InvalidUriError } from './storage/errors';
import { formatUri, normalizeUri } from './storage/uri';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

// The interfaces below give the shape and units; variables, defaults and meanings are in FIELDS.

/** TLS towards the Temporal server. Present (even empty) means TLS is on; paths are PEM files. */
export interface TemporalTlsConfig {
  serverName?: string;
  serverRootCaPath?: string;
  /** Needs clientKeyPath. */
  clientCertPath?: string;
  /** Needs clientCertPath. */
  clientKeyPath?: string;
}

export interface TemporalConfig {
  /** `host:port`. */
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
  /** Undefined means plaintext. */
  tls?: TemporalTlsConfig;
  /** Secret. Sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
}

export interface S3Config {
  /** Undefined means AWS S3 itself. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

export interface WorkerConfig {
  /** @format threads */
  threads: number;
  /** @format activities */
  concurrency: number;
}

export interface OutputConfig {
  /** A normalized URI (`file://`, `s3://`, `memory://`), with relative paths resolved against the cwd. */
  defaultUri: string;
}

export interface LogConfig {
  level: LogLevel;
  pretty: boolean;
}

export interface Config {
  readonly temporal: Readonly<TemporalConfig>;
  readonly s3: Readonly<S3Config>;
  readonly worker: Readonly<WorkerConfig>;
  readonly output: Readonly<OutputConfig>;
  readonly log: Readonly<LogConfig>;
}

/** Values that win over the environment (CLI flags, tests). `temporal.tls` is replaced as a whole. */
export type ConfigOverrides = { [K in keyof Config]?: Partial<Config[K]> };

/** Facts the defaults depend on; injectable for tests. */
export interface ConfigContext {
  /** @default process.cwd() */
  cwd?: string;
  /** @default process.stdout.isTTY */
  isTTY?: boolean;
  /** @default os.availableParallelism() */
  cpus?: number;
}

export interface ConfigIssue {
  /** Dotted Config path, e.g. `worker.threads`. */
  key: string;
  /** The environment variable the bad value came from, if it came from one. */
  env?: string;
  message: string;
}

/** Invalid configuration. `issues` lists every problem found; the message has one line per issue. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${i.env ? `${i.env} (${i.key})` : i.key}: ${i.message}`).join('\n'),
    );
  }

  /** Never: the same environment is read again. */
  get retryable(): boolean {
    return false;
  }
}

const MAX_THREADS = 1024;
const MAX_CONCURRENCY = 10_000;

/**
 * Activity slots for a pool of `threads`: one per thread, plus one so that the next tile's input is being read
 * (and the last one's parts written) while every thread computes. With exactly one slot per thread the threads
 * idled through each activity's I/O and task hand-off: 1 worker x 2 threads took 50.7 s on an 8192² scene
 * against 43.6 s with one slot more. More slots than that hold more tiles in memory without keeping the
 * threads any busier, and take tiles that another worker could start at once.
 */
export function defaultConcurrency(threads: number): number {
  return threads + 1;
}

const ADDRESS_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/;
const REGION_RE = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;

// ---- how a field's text is read and its value checked -----------------------------------------------------

/** `loadConfig`'s context with its defaults applied. */
type Facts = Required<ConfigContext>;

/** A variable's text as a value, or why it is not one (shown after "<VAR> (<key>): "). */
type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** How one kind of value is read from text and checked. */
interface Kind<T> {
  /** The variable's text (trimmed, not empty) as a value; checks that need the text (ranges, enums) fail here. */
  parse(text: string, facts: Facts): Parsed<T>;
  /** An override's value as a value; @default taken as it is */
  fromOverride?(value: unknown, facts: Facts): Parsed<T>;
  /** The merged value's problem (whether it came from the environment or an override), if it has one; not called for unset. */
  check(value: unknown): string | undefined;
}

const got = (v: unknown): string => `got ${JSON.stringify(v)}`;

/** A kind whose text must convert (`convert` returns undefined when it does not) and whose values must pass `valid`. */
function typed<T>(expected: string, convert: (text: string) => T | undefined, valid: (v: unknown) => boolean): Kind<T> {
  return {
    parse(text) {
      const v = convert(text);
      return v !== undefined && valid(v) ? { ok: true, value: v } : { ok: false, problem: `expected ${expected}, ${got(text)}` };
    },
    check: (v) => (valid(v) ? undefined : `expected ${expected}, ${got(v)}`),
  };
}

/** Text taken as it is, checked once merged (so a bad value and a bad override read the same). */
function text(check: (v: unknown) => string | undefined = () => undefined): Kind<string> {
  return { parse: (t) => ({ ok: true, value: t }), check };
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

const bool = typed<boolean>(
  'true or false',
  (t) => (TRUE_WORDS.includes(t.toLowerCase()) ? true : FALSE_WORDS.includes(t.toLowerCase()) ? false : undefined),
  (v) => typeof v === 'boolean',
);

function int(min: number, max: number): Kind<number> {
  return typed(`an integer from ${min} to ${max}`, (t) => (/^[+]?\d+$/.test(t) ? Number(t) : undefined), (v) => isIntIn(v, min, max));
}

function oneOf<T extends string>(allowed: readonly T[]): Kind<T> {
  return typed(`one of ${allowed.join(', ')}`, (t) => t.toLowerCase() as T, (v) => (allowed as readonly unknown[]).includes(v));
}

const expecting = (what: string, valid: (v: unknown) => boolean) => (v: unknown) => (valid(v) ? undefined : `expected ${what}, ${got(v)}`);
const name = text(expecting('a non-empty name without spaces', isName));
const httpUrl = text(expecting('an http(s) URL', isHttpUrl));

const address = text((v) => {
  const m = typeof v === 'string' ? ADDRESS_RE.exec(v) : null;
  if (!m) return `expected host:port, ${got(v)}`;
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return `port ${m[2]} is out of range 1-65535`;
  return undefined;
});

/** A URI or path, normalized against the cwd; overrides are normalized too. */
const uri: Kind<string> = {
  parse(t, facts) {
    try {
      return { ok: true, value: normalizeUri(t, facts.cwd) };
    } catch (err) {
      const detail = err instanceof InvalidUriError ? err.detail : (err as Error).message;
      return { ok: false, problem: `${detail} (${got(t)})` };
    }
  },
  fromOverride(v, facts) {
    return typeof v === 'string' ? this.parse(v, facts) : { ok: false, problem: `expected a URI or path, ${got(v)}` };
  },
  check: () => undefined,
};

/** Never echoed: a bad secret is named, not shown. */
const secret = text((v) => (typeof v === 'string' && v.length > 0 ? undefined : 'must be a non-empty string when set (value not shown)'));

// ---- the fields ---------------------------------------------------------------------------------------------

/** Dotted Config paths of the fields; FIELDS must have exactly these (the compiler checks both ways). */
type FieldKey =
  | 'temporal.address'
  | 'temporal.namespace'
  | 'temporal.taskQueue'
  | 'temporal.uiUrl'
  | 'temporal.tls'
  | 'temporal.tls.serverName'
  | 'temporal.tls.serverRootCaPath'
  | 'temporal.tls.clientCertPath'
  | 'temporal.tls.clientKeyPath'
  | 'temporal.apiKey'
  | 's3.endpoint'
  | 's3.region'
  | 's3.forcePathStyle'
  | 'worker.threads'
  | 'worker.concurrency'
  | 'output.defaultUri'
  | 'log.level'
  | 'log.pretty';

/** Reads another field's merged value (for defaults and checks that depend on it). */
type Get = (key: FieldKey) => unknown;

/** The value a field takes when neither an override nor the environment gives one. */
interface Default<T> {
  /** As documented (README, describeConfig). */
  shown: string;
  value(get: Get, facts: Facts): T;
}

/** A fixed default, shown as it is. */
function fixed<T extends string | number | boolean>(value: T): Default<T> {
  return { shown: String(value), value: () => value };
}

/** A default worked out from other fields or from the context, described by `shown`. */
function rule<T>(shown: string, value: (get: Get, facts: Facts) => T): Default<T> {
  return { shown, value };
}

/** Unset unless given; `shown` says what being unset means. */
function unset(shown: string): Default<undefined> {
  return { shown, value: () => undefined };
}

interface Field<T = unknown> {
  /** The variables it is read from, the first one set winning. */
  env: readonly string[];
  /** What it means, in a few words. */
  doc: string;
  kind: Kind<T>;
  default: Default<T | undefined>;
  /** Checks against other fields; a ConfigIssue when the problem is not this field's alone. */
  relate?(value: unknown, get: Get): string | ConfigIssue | undefined;
  /** The value as `describeConfig` shows it. @default String(value) */
  show?(value: unknown): string;
  /** Shown only as set or unset. */
  secret?: boolean;
}

/** The settings inside `temporal.tls`; any of them set turns TLS on. */
const TLS_SETTINGS: readonly FieldKey[] = ['temporal.tls.serverName', 'temporal.tls.serverRootCaPath', 'temporal.tls.clientCertPath', 'temporal.tls.clientKeyPath'];

/**
 * Every configuration field, keyed by its dotted Config path, in the order the README lists them (and the order
 * problems are reported in). The one place a variable name, a default or a valid range is written.
 */
const FIELDS: Readonly<Record<FieldKey, Field>> = {
  'temporal.address': { env: ['TEMPORAL_ADDRESS'], doc: 'Temporal frontend host:port', kind: address, default: fixed('127.0.0.1:7233') },
  'temporal.namespace': { env: ['TEMPORAL_NAMESPACE'], doc: 'Temporal namespace', kind: name, default: fixed('default') },
  'temporal.taskQueue': { env: ['TESSERA_TASK_QUEUE'], doc: 'task queue of Tessera workflows and activities', kind: name, default: fixed('tessera') },
  'temporal.uiUrl': {
    env: ['TEMPORAL_UI_URL'],
    doc: 'Temporal Web UI base URL (for links)',
    kind: httpUrl,
    // Where `temporal server start-dev` serves it.
    default: rule('http://<address host>:<port+1000>', (get) => defaultUiUrl(get('temporal.address'))),
  },
  'temporal.tls': {
    env: ['TEMPORAL_TLS'],
    doc: 'TLS to the Temporal server',
    kind: bool,
    default: rule<boolean>('off (on with an API key or any TLS path)', (get) =>
      TLS_SETTINGS.some((k) => get(k) !== undefined) || get('temporal.apiKey') !== undefined,
    ),
    relate(on, get) {
      if (on === false && TLS_SETTINGS.some((k) => get(k) !== undefined)) return 'is false, but TEMPORAL_TLS_* settings are set';
      if (on === true && (get('temporal.tls.clientCertPath') === undefined) !== (get('temporal.tls.clientKeyPath') === undefined)) {
        const [cert, key] = [FIELDS['temporal.tls.clientCertPath'].env[0], FIELDS['temporal.tls.clientKeyPath'].env[0]];
        return { key: 'temporal.tls', env: `${cert} / ${key}`, message: 'mTLS needs both a client certificate and a client key' };
      }
      return undefined;
    },
    show: (on) => (on ? 'on' : 'off'),
  },
  'temporal.tls.serverName': { env: ['TEMPORAL_TLS_SERVER_NAME'], doc: 'TLS server name (SNI) override', kind: text(), default: unset('host of the address') },
  'temporal.tls.serverRootCaPath': { env: ['TEMPORAL_TLS_SERVER_CA_CERT_PATH'], doc: 'server root CA, PEM file', kind: text(), default: unset('system roots') },
  'temporal.tls.clientCertPath': { env: ['TEMPORAL_TLS_CLIENT_CERT_PATH'], doc: 'mTLS client certificate, PEM file', kind: text(), default: unset('(none)') },
  'temporal.tls.clientKeyPath': { env: ['TEMPORAL_TLS_CLIENT_KEY_PATH'], doc: 'mTLS client private key, PEM file', kind: text(), default: unset('(none)') },
  'temporal.apiKey': {
    env: ['TEMPORAL_API_KEY'],
    doc: 'Temporal API key (secret; e.g. Temporal Cloud)',
    kind: secret,
    default: unset('(none)'),
    secret: true,
  },
  's3.endpoint': { env: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'], doc: 'S3-compatible endpoint URL (MinIO)', kind: httpUrl, default: unset('AWS S3') },
  's3.region': {
    env: ['AWS_REGION'],
    doc: 'S3 region',
    kind: text(expecting('a region name like us-east-1', (v) => typeof v === 'string' && REGION_RE.test(v))),
    default: fixed('us-east-1'),
  },
  's3.forcePathStyle': {
    env: ['TESSERA_S3_FORCE_PATH_STYLE'],
    doc: 'path-style S3 URLs (MinIO needs them)',
    kind: bool,
    default: rule('true when an endpoint is set', (get) => get('s3.endpoint') !== undefined),
  },
  'worker.threads': {
    env: ['TESSERA_THREADS'],
    doc: 'raster thread-pool size per worker',
    kind: int(1, MAX_THREADS),
    default: rule('number of CPUs (os.availableParallelism())', (_, facts) => facts.cpus),
  },
  'worker.concurrency': {
    env: ['TESSERA_CONCURRENCY'],
    doc: 'concurrent activities per worker (one more than threads keeps the threads busy while an activity reads or writes)',
    kind: int(1, MAX_CONCURRENCY),
    // A bad `threads` is reported once, not again through the concurrency it would default.
    default: rule('worker.threads + 1', (get) => {
      const threads = get('worker.threads');
      return isIntIn(threads, 1, MAX_THREADS) ? defaultConcurrency(threads) : 1;
    }),
  },
  'output.defaultUri': {
    env: ['TESSERA_OUT'],
    doc: 'default output location (URI or path)',
    kind: uri,
    default: rule('file://<cwd>/.out', (_, facts) => formatUri({ scheme: 'file', path: `${facts.cwd.replace(/\/$/, '')}/.out` })),
  },
  'log.level': { env: ['LOG_LEVEL'], doc: LOG_LEVELS.join(', ').replace(/, (\w+)$/, ' or $1'), kind: oneOf(LOG_LEVELS), default: fixed<LogLevel>('info') },
  'log.pretty': {
    env: ['TESSERA_LOG_PRETTY'],
    doc: 'human-readable logs instead of JSON lines',
    kind: bool,
    default: rule('stdout is a TTY', (_, facts) => facts.isTTY),
  },
};

const FIELD_KEYS = Object.keys(FIELDS) as FieldKey[];

// ---- reading ------------------------------------------------------------------------------------------------

/** Where a field's value came from. */
type Source = 'override' | 'env' | 'default';

/**
 * The override of `key`, if one was given. `temporal.tls` is replaced as a whole: when the overrides name it,
 * its settings come from the override alone (none from the environment), and it is on when the override is an
 * object.
 */
function overrideOf(o: ConfigOverrides, key: FieldKey): { value: unknown } | undefined {
  const [group, field, sub] = key.split('.') as [keyof Config, string, string | undefined];
  const g = o[group] as Record<string, unknown> | undefined;
  if (g === undefined) return undefined;
  if (group === 'temporal' && field === 'tls' && 'tls' in g) {
    const tls = g.tls as Record<string, unknown> | undefined;
    return { value: sub === undefined ? tls !== undefined : tls?.[sub] };
  }
  return sub === undefined && g[field] !== undefined ? { value: g[field] } : undefined;
}

/**
 * Reads and validates the configuration.
 * @param env the environment. @default process.env
 * @param overrides values that win over the environment.
 * @throws ConfigError listing every invalid field: first the variables that do not parse, then the values that
 *   are not valid (from the environment or an override), each in FIELDS order.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: ConfigOverrides = {},
  ctx: ConfigContext = {},
): Config {
  const facts: Facts = {
    cwd: ctx.cwd ?? process.cwd(),
    isTTY: ctx.isTTY ?? process.stdout.isTTY === true,
    cpus: ctx.cpus ?? availableParallelism(),
  };
  const issues: ConfigIssue[] = [];
  const values = new Map<FieldKey, unknown>();
  const sources = new Map<FieldKey, Source>();
  const resolving = new Set<FieldKey>();

  /** Override, else the first variable set (empty counts as unset; one that does not parse is reported), else the default. */
  const get = (key: FieldKey): unknown => {
    if (values.has(key)) return values.get(key);
    if (resolving.has(key)) throw new Error(`config: the default of ${key} depends on itself`);
    resolving.add(key);
    const f = FIELDS[key];
    let source: Source = 'default';
    let value: unknown;
    const o = overrideOf(overrides, key);
    if (o !== undefined) {
      source = 'override';
      value = o.value;
      if (f.kind.fromOverride && value !== undefined) {
        const p = f.kind.fromOverride(value, facts);
        if (p.ok) value = p.value;
        else issues.push({ key, message: p.problem });
      }
    } else {
      const name = f.env.find((n) => readEnv(env, n) !== undefined);
      if (name !== undefined) {
        const p = f.kind.parse(readEnv(env, name)!, facts);
        if (p.ok) {
          source = 'env';
          value = p.value;
        } else {
          issues.push({ key, env: name, message: p.problem });
        }
      }
      if (source === 'default') value = f.default.value(get, facts);
    }
    values.set(key, value);
    sources.set(key, source);
    return value;
  };
  for (const key of FIELD_KEYS) get(key);

  for (const key of FIELD_KEYS) {
    const f = FIELDS[key];
    const value = values.get(key);
    // Unset is valid for a field whose default is unset; every other field has a value by now.
    const problem = (value === undefined ? undefined : f.kind.check(value)) ?? f.relate?.(value, get);
    if (problem === undefined) continue;
    // A value that did not come from an override is blamed on the field's variables (a default follows from them).
    const blamed = sources.get(key) === 'override' ? undefined : f.env.join(', ');
    issues.push(typeof problem === 'string' ? { key, env: blamed, message: problem } : problem);
  }
  if (issues.length > 0) throw new ConfigError(dedupe(issues));

  const v = <T>(key: FieldKey): T => values.get(key) as T;
  const tls: TemporalTlsConfig | undefined = v<boolean>('temporal.tls')
    ? compact({
        serverName: v<string>('temporal.tls.serverName'),
        serverRootCaPath: v<string>('temporal.tls.serverRootCaPath'),
        clientCertPath: v<string>('temporal.tls.clientCertPath'),
        clientKeyPath: v<string>('temporal.tls.clientKeyPath'),
      })
    : undefined;
  const config: Config = {
    temporal: compact({
      address: v('temporal.address'),
      namespace: v('temporal.namespace'),
      taskQueue: v('temporal.taskQueue'),
      uiUrl: v('temporal.uiUrl'),
      tls,
      apiKey: v('temporal.apiKey'),
    }),
    s3: compact({ endpoint: v('s3.endpoint'), region: v('s3.region'), forcePathStyle: v('s3.forcePathStyle') }),
    worker: { threads: v('worker.threads'), concurrency: v('worker.concurrency') },
    output: { defaultUri: v('output.defaultUri') },
    log: { level: v('log.level'), pretty: v('log.pretty') },
  };
  return deepFreeze(config);
}

/** An environment variable's trimmed text; empty counts as unset. */
function readEnv(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

// ---- documentation ------------------------------------------------------------------------------------------

/** One field as documented: its variables, its default and what it means (the README's configuration table). */
export interface ConfigFieldDoc {
  key: string;
  /** The variables, comma-separated, the first one set winning. */
  env: string;
  default: string;
  description: string;
}

/** One row of the configuration table (README, `tessera config`). Secrets show only "(set)" / "(unset)". */
export interface ConfigRow extends ConfigFieldDoc {
  value: string;
}

/** Every field as documented, in FIELDS order. */
export function configFieldDocs(): ConfigFieldDoc[] {
  return FIELD_KEYS.map((key) => {
    const f = FIELDS[key];
    return { key, env: f.env.join(', '), default: f.default.shown, description: f.doc };
  });
}

/** The configuration as a table (for the README and the CLI). Never contains a secret's value. */
export function describeConfig(config: Config): ConfigRow[] {
  return configFieldDocs().map((doc) => {
    const f = FIELDS[doc.key as FieldKey];
    const v = valueAt(config, doc.key);
    const value = f.secret ? (v === undefined ? '(unset)' : '(set)') : f.show ? f.show(v) : v === undefined ? '(unset)' : String(v);
    return { ...doc, value };
  });
}

/** The value at a dotted path of the config (`temporal.tls.serverName`). */
function valueAt(config: Config, key: string): unknown {
  let v: unknown = config;
  for (const part of key.split('.')) v = v === undefined ? undefined : (v as Record<string, unknown>)[part];
  return v;
}

/**
 * The dev server serves its UI on the frontend port + 1000 (7233, Temporal's port, when the address has none).
 * A bad address is reported on its own; the URL returned for it is only valid, so it is not reported twice.
 */
function defaultUiUrl(address: unknown): string {
  const m = typeof address === 'string' ? ADDRESS_RE.exec(address) : null;
  if (!m) return 'http://127.0.0.1:8233';
  const port = m[2] !== undefined ? Number(m[2]) : 7233;
  return `http://${m[1]}:${Math.min(port + 1000, 65535)}`;
}

function compact<T extends object>(obj: T): T {
  for (const k of Object.keys(obj) as (keyof T)[]) if (obj[k] === undefined) delete obj[k];
  return obj;
}

function isIntIn(n: unknown, min: number, max: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}

function isName(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0 && v.length <= 1000 && !/\s/.test(v);
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Reports identical issues once. */
function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const id = `${i.key}\n${i.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
