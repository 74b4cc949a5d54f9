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
 */
import { availableParallelism } from 'node:os';
import { InvalidUriError } from './storage/errors';
import { formatUri, normalizeUri } from './storage/uri';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** TLS towards the Temporal server. Present (even empty) means TLS is on; paths are PEM files. */
export interface TemporalTlsConfig {
  /** SNI / host-name override. Env TEMPORAL_TLS_SERVER_NAME. @default the host of `address` */
  serverName?: string;
  /** Server root CA. Env TEMPORAL_TLS_SERVER_CA_CERT_PATH. @default the system's trusted roots */
  serverRootCaPath?: string;
  /** Client certificate for mTLS. Env TEMPORAL_TLS_CLIENT_CERT_PATH; needs clientKeyPath. */
  clientCertPath?: string;
  /** Client private key for mTLS. Env TEMPORAL_TLS_CLIENT_KEY_PATH; needs clientCertPath. */
  clientKeyPath?: string;
}

export interface TemporalConfig {
  /** Frontend `host:port`. Env TEMPORAL_ADDRESS. @default '127.0.0.1:7233' */
  address: string;
  /** Env TEMPORAL_NAMESPACE. @default 'default' */
  namespace: string;
  /** Task queue of Tessera's workflows. Env TESSERA_TASK_QUEUE. @default 'tessera' */
  taskQueue: string;
  /**
   * Base URL of the Temporal Web UI, for links printed by the CLI. Env TEMPORAL_UI_URL.
   * @default http://<host of address>:<port + 1000> (where `temporal server start-dev` serves it)
   */
  uiUrl: string;
  /**
   * TLS settings; undefined means plaintext. Turned on by TEMPORAL_TLS=true, by any TEMPORAL_TLS_* path, or by
   * an API key (TEMPORAL_TLS=false keeps it off even then).
   * @default undefined (plaintext), or {} when an API key is set
   */
  tls?: TemporalTlsConfig;
  /** Secret. Sent as `Authorization: Bearer <key>`. Env TEMPORAL_API_KEY. @default undefined */
  apiKey?: string;
}

export interface S3Config {
  /** S3-compatible endpoint URL (MinIO, ...). Env AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL. @default AWS S3 */
  endpoint?: string;
  /** Env AWS_REGION. @default 'us-east-1' */
  region: string;
  /**
   * Path-style URLs (`http://host/bucket/key`), which MinIO needs. Env TESSERA_S3_FORCE_PATH_STYLE.
   * @default true when an endpoint is set, false otherwise
   */
  forcePathStyle: boolean;
}

export interface WorkerConfig {
  /** Size of the raster thread pool. Env TESSERA_THREADS. @default os.availableParallelism() @format threads */
  threads: number;
  /** Concurrent activities per worker. Env TESSERA_CONCURRENCY. @default threads + 1 @format activities */
  concurrency: number;
}

export interface OutputConfig {
  /** Where results go unless a command says otherwise (URI or path). Env TESSERA_OUT. @default file://<cwd>/.out */
  defaultUri: string;
}

export interface LogConfig {
  /** Env LOG_LEVEL. @default 'info' */
  level: LogLevel;
  /** Human-readable output instead of JSON lines. Env TESSERA_LOG_PRETTY. @default stdout is a TTY */
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

/**
 * Reads and validates the configuration.
 * @param env the environment. @default process.env
 * @param overrides values that win over the environment.
 * @throws ConfigError listing every invalid field.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: ConfigOverrides = {},
  ctx: ConfigContext = {},
): Config {
  const issues: ConfigIssue[] = [];
  const r = new EnvReader(env, issues);
  const cwd = ctx.cwd ?? process.cwd();

  // temporal
  const ot = overrides.temporal ?? {};
  const apiKey = pick(ot, 'apiKey', r.str('TEMPORAL_API_KEY'));
  let tls: TemporalTlsConfig | undefined;
  if ('tls' in ot) {
    tls = ot.tls ? { ...ot.tls } : undefined;
  } else {
    const tlsOn = r.bool('TEMPORAL_TLS', 'temporal.tls');
    const paths = compact({
      serverName: r.str('TEMPORAL_TLS_SERVER_NAME'),
      serverRootCaPath: r.str('TEMPORAL_TLS_SERVER_CA_CERT_PATH'),
      clientCertPath: r.str('TEMPORAL_TLS_CLIENT_CERT_PATH'),
      clientKeyPath: r.str('TEMPORAL_TLS_CLIENT_KEY_PATH'),
    });
    const hasPaths = Object.keys(paths).length > 0;
    if (tlsOn === false && hasPaths) {
      issues.push({ key: 'temporal.tls', env: 'TEMPORAL_TLS', message: 'is false, but TEMPORAL_TLS_* settings are set' });
    }
    if (tlsOn ?? (hasPaths || apiKey !== undefined)) tls = paths;
  }
  const temporal: TemporalConfig = compact({
    address: pick(ot, 'address', r.str('TEMPORAL_ADDRESS')) ?? '127.0.0.1:7233',
    namespace: pick(ot, 'namespace', r.str('TEMPORAL_NAMESPACE')) ?? 'default',
    taskQueue: pick(ot, 'taskQueue', r.str('TESSERA_TASK_QUEUE')) ?? 'tessera',
    uiUrl: '',
    tls,
    apiKey,
  });

  temporal.uiUrl = pick(ot, 'uiUrl', r.str('TEMPORAL_UI_URL')) ?? defaultUiUrl(temporal.address);

  // s3
  const os3 = overrides.s3 ?? {};
  const endpoint = pick(os3, 'endpoint', r.str('AWS_ENDPOINT_URL_S3') ?? r.str('AWS_ENDPOINT_URL'));
  const s3: S3Config = compact({
    endpoint,
    region: pick(os3, 'region', r.str('AWS_REGION')) ?? 'us-east-1',
    forcePathStyle:
      pick(os3, 'forcePathStyle', r.bool('TESSERA_S3_FORCE_PATH_STYLE', 's3.forcePathStyle')) ?? endpoint !== undefined,
  });

  // worker
  const ow = overrides.worker ?? {};
  const threads =
    pick(ow, 'threads', r.int('TESSERA_THREADS', 'worker.threads', 1, MAX_THREADS)) ?? ctx.cpus ?? availableParallelism();
  const worker: WorkerConfig = {
    threads,
    // A bad `threads` is reported once, not again through the concurrency it would default.
    concurrency:
      pick(ow, 'concurrency', r.int('TESSERA_CONCURRENCY', 'worker.concurrency', 1, MAX_CONCURRENCY)) ??
      (isIntIn(threads, 1, MAX_THREADS) ? defaultConcurrency(threads) : 1),
  };

  // output
  const outRaw = pick(overrides.output ?? {}, 'defaultUri', r.str('TESSERA_OUT'));
  let defaultUri = formatUri({ scheme: 'file', path: `${cwd.replace(/\/$/, '')}/.out` });
  if (outRaw !== undefined) {
    try {
      defaultUri = normalizeUri(outRaw, cwd);
    } catch (err) {
      const detail = err instanceof InvalidUriError ? err.detail : (err as Error).message;
      issues.push({ key: 'output.defaultUri', env: envOf('output.defaultUri', overrides), message: `${detail} (got ${JSON.stringify(outRaw)})` });
    }
  }

  // log
  const ol = overrides.log ?? {};
  const log: LogConfig = {
    level: pick(ol, 'level', r.oneOf('LOG_LEVEL', 'log.level', LOG_LEVELS)) ?? 'info',
    pretty: pick(ol, 'pretty', r.bool('TESSERA_LOG_PRETTY', 'log.pretty')) ?? ctx.isTTY ?? process.stdout.isTTY === true,
  };

  const config: Config = { temporal, s3, worker, output: { defaultUri }, log };
  validate(config, overrides, issues);
  if (issues.length > 0) throw new ConfigError(dedupe(issues));
  return deepFreeze(config);
}

/** Checks the merged values; catches bad overrides and bad string values read from the environment. */
function validate(c: Config, o: ConfigOverrides, issues: ConfigIssue[]): void {
  const bad = (key: string, message: string): void => {
    issues.push({ key, env: envOf(key, o), message });
  };
  const t = c.temporal;
  const m = typeof t.address === 'string' ? ADDRESS_RE.exec(t.address) : null;
  if (!m) bad('temporal.address', `expected host:port, got ${JSON.stringify(t.address)}`);
  else if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) bad('temporal.address', `port ${m[2]} is out of range 1-65535`);
  if (!isName(t.namespace)) bad('temporal.namespace', `expected a non-empty name without spaces, got ${JSON.stringify(t.namespace)}`);
  if (!isHttpUrl(t.uiUrl)) bad('temporal.uiUrl', `expected an http(s) URL, got ${JSON.stringify(t.uiUrl)}`);
  if (!isName(t.taskQueue)) bad('temporal.taskQueue', `expected a non-empty name without spaces, got ${JSON.stringify(t.taskQueue)}`);
  if (t.apiKey !== undefined && (typeof t.apiKey !== 'string' || t.apiKey.length === 0)) {
    bad('temporal.apiKey', 'must be a non-empty string when set (value not shown)');
  }
  if (t.tls !== undefined) {
    if (typeof t.tls !== 'object' || t.tls === null) bad('temporal.tls', 'must be an object');
    else if ((t.tls.clientCertPath === undefined) !== (t.tls.clientKeyPath === undefined)) {
      issues.push({
        key: 'temporal.tls',
        env: 'TEMPORAL_TLS_CLIENT_CERT_PATH / TEMPORAL_TLS_CLIENT_KEY_PATH',
        message: 'mTLS needs both a client certificate and a client key',
      });
    }
  }
  const s = c.s3;
  if (s.endpoint !== undefined && !isHttpUrl(s.endpoint)) bad('s3.endpoint', `expected an http(s) URL, got ${JSON.stringify(s.endpoint)}`);
  if (typeof s.region !== 'string' || !REGION_RE.test(s.region)) bad('s3.region', `expected a region name like us-east-1, got ${JSON.stringify(s.region)}`);
  if (typeof s.forcePathStyle !== 'boolean') bad('s3.forcePathStyle', `expected a boolean, got ${JSON.stringify(s.forcePathStyle)}`);
  const w = c.worker;
  if (!isIntIn(w.threads, 1, MAX_THREADS)) bad('worker.threads', `expected an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(w.threads)}`);
  if (!isIntIn(w.concurrency, 1, MAX_CONCURRENCY)) {
    bad('worker.concurrency', `expected an integer from 1 to ${MAX_CONCURRENCY}, got ${JSON.stringify(w.concurrency)}`);
  }
  if (!LOG_LEVELS.includes(c.log.level)) bad('log.level', `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(c.log.level)}`);
  if (typeof c.log.pretty !== 'boolean') bad('log.pretty', `expected a boolean, got ${JSON.stringify(c.log.pretty)}`);
}

/** One row of the configuration table (README, `tessera config`). Secrets show only "(set)" / "(unset)". */
export interface ConfigRow {
  key: string;
  env: string;
  value: string;
  default: string;
  description: string;
}

interface FieldDoc {
  key: string;
  env: string;
  default: string;
  description: string;
  get(c: Config): unknown;
  secret?: boolean;
}

const FIELDS: readonly FieldDoc[] = [
  { key: 'temporal.address', env: 'TEMPORAL_ADDRESS', default: '127.0.0.1:7233', description: 'Temporal frontend host:port', get: (c) => c.temporal.address },
  { key: 'temporal.namespace', env: 'TEMPORAL_NAMESPACE', default: 'default', description: 'Temporal namespace', get: (c) => c.temporal.namespace },
  { key: 'temporal.taskQueue', env: 'TESSERA_TASK_QUEUE', default: 'tessera', description: 'task queue of Tessera workflows', get: (c) => c.temporal.taskQueue },
  { key: 'temporal.uiUrl', env: 'TEMPORAL_UI_URL', default: 'http://<address host>:<port+1000>', description: 'Temporal Web UI base URL (links)', get: (c) => c.temporal.uiUrl },
  { key: 'temporal.tls', env: 'TEMPORAL_TLS', default: 'off (on with an API key or any TLS path)', description: 'TLS to the Temporal server', get: (c) => (c.temporal.tls ? 'on' : 'off') },
  { key: 'temporal.tls.serverName', env: 'TEMPORAL_TLS_SERVER_NAME', default: 'host of the address', description: 'TLS server name (SNI) override', get: (c) => c.temporal.tls?.serverName },
  { key: 'temporal.tls.serverRootCaPath', env: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', default: 'system roots', description: 'server root CA, PEM file', get: (c) => c.temporal.tls?.serverRootCaPath },
  { key: 'temporal.tls.clientCertPath', env: 'TEMPORAL_TLS_CLIENT_CERT_PATH', default: '(none)', description: 'mTLS client certificate, PEM file', get: (c) => c.temporal.tls?.clientCertPath },
  { key: 'temporal.tls.clientKeyPath', env: 'TEMPORAL_TLS_CLIENT_KEY_PATH', default: '(none)', description: 'mTLS client private key, PEM file', get: (c) => c.temporal.tls?.clientKeyPath },
  { key: 'temporal.apiKey', env: 'TEMPORAL_API_KEY', default: '(none)', description: 'Temporal API key (secret)', get: (c) => c.temporal.apiKey, secret: true },
  { key: 's3.endpoint', env: 'AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL', default: 'AWS S3', description: 'S3-compatible endpoint URL (MinIO)', get: (c) => c.s3.endpoint },
  { key: 's3.region', env: 'AWS_REGION', default: 'us-east-1', description: 'S3 region', get: (c) => c.s3.region },
  { key: 's3.forcePathStyle', env: 'TESSERA_S3_FORCE_PATH_STYLE', default: 'true when an endpoint is set', description: 'path-style S3 URLs (needed by MinIO)', get: (c) => c.s3.forcePathStyle },
  { key: 'worker.threads', env: 'TESSERA_THREADS', default: 'os.availableParallelism()', description: 'raster thread-pool size, threads', get: (c) => c.worker.threads },
  { key: 'worker.concurrency', env: 'TESSERA_CONCURRENCY', default: 'worker.threads', description: 'concurrent activities per worker', get: (c) => c.worker.concurrency },
  { key: 'output.defaultUri', env: 'TESSERA_OUT', default: 'file://<cwd>/.out', description: 'default output location (URI or path)', get: (c) => c.output.defaultUri },
  { key: 'log.level', env: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent', get: (c) => c.log.level },
  { key: 'log.pretty', env: 'TESSERA_LOG_PRETTY', default: 'stdout is a TTY', description: 'human-readable logs instead of JSON lines', get: (c) => c.log.pretty },
];

/** The configuration as a table (for the README and the CLI). Never contains a secret's value. */
export function describeConfig(config: Config): ConfigRow[] {
  return FIELDS.map((f) => {
    const v = f.get(config);
    const value = f.secret ? (v === undefined ? '(unset)' : '(set)') : v === undefined ? '(unset)' : String(v);
    return { key: f.key, env: f.env, value, default: f.default, description: f.description };
  });
}

/** The env var a key is read from, unless an override supplied the value. */
function envOf(key: string, o: ConfigOverrides): string | undefined {
  const [group, field] = key.split('.') as [keyof Config, string];
  const g = o[group] as Record<string, unknown> | undefined;
  if (g && field in g && g[field] !== undefined) return undefined;
  return FIELDS.find((f) => f.key === key)?.env;
}

/** Reads typed values from the environment, recording an issue (and returning undefined) for bad ones. */
class EnvReader {
  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly issues: ConfigIssue[],
  ) {}

  str(name: string): string | undefined {
    const v = this.env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  int(name: string, key: string, min: number, max: number): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = /^[+]?\d+$/.test(v) ? Number(v) : NaN;
    if (!isIntIn(n, min, max)) {
      this.issues.push({ key, env: name, message: `expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}` });
      return undefined;
    }
    return n;
  }

  bool(name: string, key: string): boolean | undefined {
    const v = this.str(name)?.toLowerCase();
    if (v === undefined) return undefined;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    this.issues.push({ key, env: name, message: `expected true or false, got ${JSON.stringify(this.str(name))}` });
    return undefined;
  }

  oneOf<T extends string>(name: string, key: string, allowed: readonly T[]): T | undefined {
    const v = this.str(name)?.toLowerCase();
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.issues.push({ key, env: name, message: `expected one of ${allowed.join(', ')}, got ${JSON.stringify(this.str(name))}` });
    return undefined;
  }
}

/** The dev server serves its UI on the frontend port + 1000 (7233 -> 8233). */
function defaultUiUrl(address: unknown): string {
  const m = typeof address === 'string' ? ADDRESS_RE.exec(address) : null;
  if (!m) return 'http://127.0.0.1:8233';
  const port = m[2] !== undefined ? Number(m[2]) : 7233;
  return `http://${m[1]}:${Math.min(port + 1000, 65535)}`;
}

function pick<T extends object, K extends keyof T>(obj: T, key: K, fallback: T[K] | undefined): T[K] | undefined {
  return obj[key] !== undefined ? obj[key] : fallback;
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
