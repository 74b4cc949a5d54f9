/**
 * Temporal servers of the benchmark's own, so its numbers neither disturb nor are disturbed by the shared dev stack
 * on 7233/9000, and so the server runs with the dynamic config being measured.
 *
 * - `startBenchStack`: `infra/dev-stack.sh up` with a temporary data directory and free loopback ports, as
 *   test/reliability/private-stack.ts does, plus `TESSERA_TEMPORAL_DYNAMIC_CONFIG`.
 * - `startHostsStack`: worker hosts in network namespaces (test/reliability/hosts-net.ts): the server on host
 *   `svc`, bound to its veth, workers on `w1`, `w2`, ... each started through `taskset` on one core. Inputs and
 *   outputs are file:// URIs (the namespaces share the file system), so no object store runs.
 * Both report the server's pid, whose CPU time (/proc/<pid>/stat) the benchmark reads before and after a run.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHostNetwork, type HostNetwork } from '../test/reliability/hosts-net';
import { freePorts, isolatedEnv, sleep } from '../test/reliability/private-stack';

export interface BenchStack {
  /** Environment for tessera processes (client and workers) of this stack; no TESSERA_TASK_QUEUE yet. */
  env: NodeJS.ProcessEnv;
  temporalAddress: string;
  temporalPid: number;
  down(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

/** A private dev stack (Temporal + MinIO) of `root`'s infra/dev-stack.sh with `dynamicConfig` (KEY=JSON, space-separated). */
export async function startBenchStack(root: string, dynamicConfig: string): Promise<BenchStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-stack-'));
  const [temporalPort, uiPort, minioPort, consolePort] = await freePorts(4);
  const settings = isolatedEnv({
    TESSERA_DATA_DIR: dataDir,
    TESSERA_TEMPORAL_PORT: String(temporalPort),
    TESSERA_UI_PORT: String(uiPort),
    TESSERA_MINIO_PORT: String(minioPort),
    TESSERA_MINIO_CONSOLE_PORT: String(consolePort),
    TESSERA_TEMPORAL_DYNAMIC_CONFIG: dynamicConfig,
  });
  const script = (command: string) => runScript(root, command, settings);
  const down = async () => {
    try {
      await script('down');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  try {
    await script('up');
    const vars: Record<string, string> = {};
    for (const line of (await script('env')).split('\n')) {
      const m = line.match(/^export ([A-Z0-9_]+)='(.*)'$/);
      if (m) vars[m[1]] = m[2];
    }
    const env = isolatedEnv({
      TEMPORAL_ADDRESS: vars.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: vars.TEMPORAL_NAMESPACE,
      AWS_ENDPOINT_URL_S3: vars.AWS_ENDPOINT_URL_S3,
      AWS_ACCESS_KEY_ID: vars.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: vars.AWS_SECRET_ACCESS_KEY,
      AWS_REGION: vars.AWS_REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const temporalPid = Number((await readFile(join(dataDir, 'run', 'temporal.pid'), 'utf8')).trim());
    return { env, temporalAddress: vars.TEMPORAL_ADDRESS, temporalPid, down };
  } catch (err) {
    await down().catch(() => undefined);
    throw err;
  }
}

export interface HostsStack<H extends string> extends BenchStack {
  net: HostNetwork<H | 'svc'>;
}

/**
 * A network of `svc` plus `workerHosts`, with a Temporal dev server on `svc` started with the flags of
 * infra/dev-stack.sh (search attributes and SQLite pragmas read from the script) and `dynamicConfig`.
 */
export async function startHostsStack<H extends string>(root: string, workerHosts: readonly H[], dynamicConfig: string): Promise<HostsStack<H>> {
  const net = await createHostNetwork<H | 'svc'>(['svc', ...workerHosts]);
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-hosts-'));
  const bin = join(root, '.tools', 'bin', 'temporal');
  const ip = net.hosts.svc.ip;
  const address = `${ip}:7233`;
  let server: ChildProcess | undefined;
  const down = async () => {
    try {
      if (server && server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server!.once('exit', resolve));
        server.kill('SIGTERM');
        const timer = setTimeout(() => server!.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      await net.destroy();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    server = net.spawn(
      'svc',
      bin,
      [
        'server', 'start-dev',
        // As hosts-stack.ts: the wildcard, not the host address, or the server dials its own services on 127.0.0.1.
        '--ip', '0.0.0.0', '--port', '7233', '--ui-port', '8233',
        '--db-filename', join(dir, 'temporal.db'), '--namespace', 'default',
        ...devStackArray(root, 'SEARCH_ATTRIBUTES').flatMap((a) => ['--search-attribute', a]),
        ...dynamicConfig.split(/\s+/).filter(Boolean).flatMap((kv) => ['--dynamic-config-value', kv]),
        ...devStackArray(root, 'SQLITE_PRAGMAS').flatMap((p) => ['--sqlite-pragma', p]),
      ],
      { env: isolatedEnv(), logPath: join(dir, 'temporal.log') },
    );
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await succeeds(bin, ['operator', 'cluster', 'health', '--address', address, '--command-timeout', '3s']))) {
      if (server.exitCode !== null) throw new Error(`temporal on svc exited: ${readFileSync(join(dir, 'temporal.log'), 'utf8').slice(-2000)}`);
      if (Date.now() > deadline) throw new Error('temporal on svc did not answer within 120 s');
      await sleep(500);
    }
    const env = isolatedEnv({ TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' });
    return { net, env, temporalAddress: address, temporalPid: server.pid!, down };
  } catch (err) {
    await down().catch(() => undefined);
    throw err;
  }
}

/** infra/dev-stack.sh's default TESSERA_TEMPORAL_DYNAMIC_CONFIG: what the benchmark's servers run with unless told. */
export function defaultDynamicConfig(root: string): string {
  const m = readFileSync(join(root, 'infra', 'dev-stack.sh'), 'utf8').match(/"TESSERA_TEMPORAL_DYNAMIC_CONFIG=([^"]*)"/);
  return m ? m[1] : '';
}

/** The entries of `readonly NAME=( … )` in infra/dev-stack.sh (search attributes, SQLite pragmas), so the two never drift. */
function devStackArray(root: string, name: string): string[] {
  const script = readFileSync(join(root, 'infra', 'dev-stack.sh'), 'utf8');
  const block = script.match(new RegExp(`readonly ${name}=\\(([^)]*)\\)`));
  if (!block) throw new Error(`infra/dev-stack.sh has no ${name} array`);
  return block[1].split(/\s+/).filter((a) => /^\w+=\w+$/.test(a));
}

function runScript(root: string, command: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(root, 'infra', 'dev-stack.sh'), command], { cwd: root, env, timeout: START_TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`infra/dev-stack.sh ${command} failed (${err.code ?? err.signal}):\n${stderr || stdout}`));
      else resolve(stdout);
    });
  });
}

function succeeds(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => execFile(command, args, { timeout: 10_000 }, (err) => resolve(!err)));
}
