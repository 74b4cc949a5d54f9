/**
 * A Temporal dev server + MinIO of one test file's own: `infra/dev-stack.sh` with a temporary data directory and
 * free loopback ports, so tests that stop and restart servers never touch the shared stack on 7233/9000 (or each
 * other's). `stop()` and `start()` act on one service through the pid files the script writes under its data
 * directory; `start()` is `dev-stack.sh up` again, which starts only what is not running, on the same SQLite file
 * and MinIO data directory, and waits until it answers. `down()` stops both and deletes the data directory.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import type { ObjectStore } from '../../platform/storage/object-store';
import { parseExports, repoRoot } from '../support/dev-stack';

export type StackService = 'temporal' | 'minio';

export interface PrivateStack {
  dataDir: string;
  temporalAddress: string;
  namespace: string;
  bucket: string;
  temporalBin: string;
  /**
   * Environment for `tessera` processes: the caller's environment without any AWS_*, TEMPORAL_*, TESSERA_* or
   * LOG_LEVEL setting (so nothing leaks in from the shared stack), plus this stack's endpoints and credentials.
   */
  env: NodeJS.ProcessEnv;
  /** A store client of the test process itself, for uploads, listings and downloads. */
  store: ObjectStore;
  /** Stops one service (TERM by default) and waits until its process is gone. */
  stop(service: StackService, signal?: NodeJS.Signals): Promise<void>;
  /** Starts whatever is not running on the same data, ports and settings; resolves once both answer. */
  start(): Promise<void>;
  /** Stops both services and deletes the data directory. Safe to call more than once. */
  down(): Promise<void>;
}

const SCRIPT_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 25_000;

/** Environment of the caller with every setting that could point a process at another stack removed. */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|TEMPORAL_|TESSERA_|MINIO_)/.test(key) || key === 'LOG_LEVEL') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Below Linux's ephemeral range (32768+), so no outgoing connection can take a port between check and use. */
const PORT_RANGE = { from: 20_000, to: 32_000 };

/** `count` distinct loopback ports that were free a moment ago (held open together so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    while (servers.length < count) {
      const server = createServer();
      const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) servers.push(server);
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

export async function startPrivateStack(): Promise<PrivateStack> {
  // Only for this test process's own S3 client (isolatedEnv drops AWS_* for children): the SDK's 8-line
  // "Node < 22" notice would otherwise clutter every test report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-reliability-stack-'));
  const [temporalPort, uiPort, minioPort, consolePort] = await freePorts(4);
  // Passed on every call: with both services down the script would otherwise fall back to the default ports.
  const settings: NodeJS.ProcessEnv = {
    TESSERA_DATA_DIR: dataDir,
    TESSERA_TEMPORAL_PORT: String(temporalPort),
    TESSERA_UI_PORT: String(uiPort),
    TESSERA_MINIO_PORT: String(minioPort),
    TESSERA_MINIO_CONSOLE_PORT: String(consolePort),
  };
  const script = (command: string) => runScript(command, isolatedEnv(settings));
  let downed = false;
  const down = async (): Promise<void> => {
    if (downed) return;
    downed = true;
    try {
      await script('down');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  try {
    await script('up');
    const vars = parseExports(await script('env'));
    const get = (name: string): string => {
      const value = vars[name];
      if (!value) throw new Error(`infra/dev-stack.sh env printed no ${name}`);
      return value;
    };
    const env = isolatedEnv({
      TEMPORAL_ADDRESS: get('TEMPORAL_ADDRESS'),
      TEMPORAL_NAMESPACE: get('TEMPORAL_NAMESPACE'),
      TEMPORAL_UI_URL: get('TEMPORAL_UI_URL'),
      AWS_ENDPOINT_URL_S3: get('AWS_ENDPOINT_URL_S3'),
      AWS_ACCESS_KEY_ID: get('AWS_ACCESS_KEY_ID'),
      AWS_SECRET_ACCESS_KEY: get('AWS_SECRET_ACCESS_KEY'),
      AWS_REGION: get('AWS_REGION'),
      // Outside AWS: never wait for an instance-metadata endpoint.
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    return {
      dataDir,
      temporalAddress: get('TEMPORAL_ADDRESS'),
      namespace: get('TEMPORAL_NAMESPACE'),
      bucket: get('TESSERA_BUCKET'),
      temporalBin: get('TESSERA_TEMPORAL_BIN'),
      env,
      // The test process's own client: explicit credentials, since its process.env is not `env`.
      store: createStoreRouter(loadConfig(env), {
        s3: { credentials: { accessKeyId: get('AWS_ACCESS_KEY_ID'), secretAccessKey: get('AWS_SECRET_ACCESS_KEY') } },
      }),
      stop: (service, signal = 'SIGTERM') => stopService(dataDir, service, signal),
      start: async () => {
        await script('up');
      },
      down,
    };
  } catch (err) {
    await down().catch(() => undefined);
    throw err;
  }
}

async function stopService(dataDir: string, service: StackService, signal: NodeJS.Signals): Promise<void> {
  const pidFile = join(dataDir, 'run', `${service}.pid`);
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${pidFile} holds no pid`);
  // The service runs in its own session (setsid), so it is not our child: poll until the pid is gone.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(dataDir)) throw new Error(`pid ${pid} from ${pidFile} is not this stack's ${service}`);
  process.kill(pid, signal);
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await sleep(500);
      break;
    }
    await sleep(100);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); its state letter in /proc/<pid>/stat is Z.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function runScript(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  const script = join(repoRoot(), 'infra', 'dev-stack.sh');
  return new Promise((resolve, reject) => {
    execFile('bash', [script, command], { cwd: repoRoot(), env, timeout: SCRIPT_TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`infra/dev-stack.sh ${command} failed (${err.code ?? err.signal}):\n${stderr || stdout}`));
      else resolve(stdout);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
