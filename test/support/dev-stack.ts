/**
 * The local Temporal dev server + MinIO for integration tests.
 *
 * `ensureDevStack()` runs `infra/dev-stack.sh up` once per process (the promise is memoised, so concurrent
 * callers share one start-up) and reads the endpoints from `infra/dev-stack.sh env`. The stack is left running:
 * `infra/test.sh` stops it when it started it, and a developer keeps theirs between runs. A failed start-up
 * is memoised too, so the remaining tests fail at once with the same error instead of each waiting again.
 * The script's settings (TESSERA_TEMPORAL_PORT, TESSERA_DATA_DIR, ...) pass through from `process.env`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface DevStack {
  /** Temporal frontend, `host:port`. */
  temporalAddress: string;
  namespace: string;
  /** S3 endpoint URL of MinIO (path-style addressing). */
  s3Endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Bucket that `up` created. */
  bucket: string;
  /** Temporal Web UI. */
  uiUrl: string;
  /** Absolute path of the `temporal` CLI the server runs from. */
  temporalBin: string;
  /** Every variable of `dev-stack.sh env` except PATH, for child processes. */
  env: Readonly<Record<string, string>>;
}

/**
 * The environment of workers and CLI runs on `stack`, with a task queue of their own (so tests running at once never
 * take each other's tasks), and the stack's credentials also put into this process's environment, where the
 * in-process store reads them through the AWS default chain.
 */
export function stackEnv(stack: DevStack, taskQueue: string, opts: { threads?: number; env?: NodeJS.ProcessEnv } = {}): NodeJS.ProcessEnv {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: stack.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stack.secretAccessKey,
    AWS_REGION: stack.region,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  return {
    ...process.env,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    AWS_ENDPOINT_URL_S3: stack.s3Endpoint,
    AWS_ACCESS_KEY_ID: stack.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stack.secretAccessKey,
    AWS_REGION: stack.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TESSERA_TASK_QUEUE: taskQueue,
    TESSERA_THREADS: String(opts.threads ?? 1),
    LOG_LEVEL: 'warn',
    ...opts.env,
  };
}

/** Covers a first `up` that still has to build MinIO from source. */
const UP_TIMEOUT_MS = 20 * 60_000;
const ENV_TIMEOUT_MS = 30_000;

let root: string | undefined;
let pending: Promise<DevStack> | undefined;

/** The repository root: the nearest folder above this file whose package.json is Tessera's. */
export function repoRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tessera') {
      return (root = dir);
    }
    if (dirname(dir) === dir) throw new Error(`no Tessera package.json above ${__dirname}`);
  }
}

/** Starts the dev stack unless it runs already and returns its endpoints. */
export function ensureDevStack(): Promise<DevStack> {
  pending ??= start();
  return pending;
}

async function start(): Promise<DevStack> {
  const script = join(repoRoot(), 'infra', 'dev-stack.sh');
  await run(script, 'up', UP_TIMEOUT_MS);
  const vars = parseExports(await run(script, 'env', ENV_TIMEOUT_MS));
  const get = (name: string): string => {
    const value = vars[name];
    if (!value) throw new Error(`infra/dev-stack.sh env printed no ${name}`);
    return value;
  };
  return {
    temporalAddress: get('TEMPORAL_ADDRESS'),
    namespace: get('TEMPORAL_NAMESPACE'),
    s3Endpoint: get('AWS_ENDPOINT_URL_S3'),
    accessKeyId: get('AWS_ACCESS_KEY_ID'),
    secretAccessKey: get('AWS_SECRET_ACCESS_KEY'),
    region: get('AWS_REGION'),
    bucket: get('TESSERA_BUCKET'),
    uiUrl: get('TEMPORAL_UI_URL'),
    temporalBin: get('TESSERA_TEMPORAL_BIN'),
    env: vars,
  };
}

function run(script: string, command: string, timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, command], { cwd: repoRoot(), timeout, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`infra/dev-stack.sh ${command} failed (${err.code ?? err.signal}):\n${stderr || stdout}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/**
 * Parses `export NAME='value'` lines as printed by `dev-stack.sh env` (POSIX single quotes, `'\''` for a
 * quote inside). PATH is skipped: its value refers to the shell's own `$PATH`.
 */
export function parseExports(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m || m[1] === 'PATH') continue;
    vars[m[1]] = unquote(m[2]);
  }
  return vars;
}

function unquote(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; ) {
    const c = word[i];
    if (c === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${JSON.stringify(word)}`);
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (c === '\\' && i + 1 < word.length) {
      out += word[i + 1];
      i += 2;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}
