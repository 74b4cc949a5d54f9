/**
 * A Temporal dev server + MinIO on one host of a `HostNetwork`, bound to that host's address, handed to the test
 * as a `PrivateStack` so the helpers of scene-run.ts work unchanged. The binaries and flags are those of
 * infra/dev-stack.sh; the script itself binds 127.0.0.1 only, which inside a namespace no other host can reach,
 * so the services are started here directly. The namespace is the stack's own, so the usual ports (7233, 9000,
 * ...) are always free there.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import { repoRoot } from '../support/dev-stack';
import type { HostNetwork } from './hosts-net';
import { isolatedEnv, sleep, type PrivateStack, type StackService } from './private-stack';
import { logTail } from './scene-run';

const TEMPORAL_PORT = 7233;
const UI_PORT = 8233;
const MINIO_PORT = 9000;
const MINIO_CONSOLE_PORT = 9001;
const NAMESPACE = 'default';
const BUCKET = 'tessera';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'tessera', secretAccessKey: 'tessera-secret' };
/** As infra/dev-stack.sh: the search attributes the scene, backfill, schedule and sensor workflows set. */
const SEARCH_ATTRIBUTES = [
  'TesseraScene=Keyword',
  'TesseraSensor=Keyword',
  'TesseraStage=Keyword',
  'TesseraTilesDone=Int',
  'TesseraBloomFraction=Double',
  'TesseraBackfill=Keyword',
  'TesseraScenesDone=Int',
  'TesseraScenesFailed=Int',
  'TesseraSchedule=Keyword',
  'TesseraSceneSensor=Keyword',
  'TesseraSensorCursor=Datetime',
];
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 25_000;

/** Starts both services on `host`, with their data and logs under `dir`; resolves once both answer and the bucket exists. */
export async function startHostStack<H extends string>(net: HostNetwork<H>, host: H, dir: string): Promise<PrivateStack> {
  // Only for this test process's own S3 client, as in private-stack.ts: the SDK's "Node < 22" notice is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const ip = net.hosts[host].ip;
  const bin = (name: string) => join(repoRoot(), '.tools', 'bin', name);
  for (const name of ['temporal', 'minio']) {
    if (!existsSync(bin(name))) throw new Error(`${bin(name)} is missing; run infra/install-tools.sh first`);
  }
  await mkdir(join(dir, 'minio'), { recursive: true });
  const launch: Record<StackService, () => ChildProcess> = {
    temporal: () =>
      net.spawn(
        host,
        bin('temporal'),
        [
          'server', 'start-dev',
          // Not '--ip <host address>': the dev server then binds its internal services to that address but
          // still dials them on 127.0.0.1, and workflows never start. The wildcard is the host's loopback and
          // its one veth, nothing more.
          '--ip', '0.0.0.0', '--port', String(TEMPORAL_PORT), '--ui-port', String(UI_PORT),
          '--db-filename', join(dir, 'temporal.db'), '--namespace', NAMESPACE,
          ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', a]),
        ],
        { env: isolatedEnv(), logPath: join(dir, 'temporal.log') },
      ),
    minio: () =>
      net.spawn(
        host,
        bin('minio'),
        ['server', join(dir, 'minio'), '--quiet', '--address', `${ip}:${MINIO_PORT}`, '--console-address', `${ip}:${MINIO_CONSOLE_PORT}`],
        {
          env: isolatedEnv({
            MINIO_ROOT_USER: CREDENTIALS.accessKeyId,
            MINIO_ROOT_PASSWORD: CREDENTIALS.secretAccessKey,
            MINIO_UPDATE: 'off',
            MINIO_CALLHOME_ENABLE: 'off',
            MINIO_BROWSER_REDIRECT: 'off',
          }),
          logPath: join(dir, 'minio.log'),
        },
      ),
  };
  const temporalAddress = `${ip}:${TEMPORAL_PORT}`;
  const env = isolatedEnv({
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_UI_URL: `http://${ip}:${UI_PORT}`,
    AWS_ENDPOINT_URL_S3: `http://${ip}:${MINIO_PORT}`,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const healthy: Record<StackService, () => Promise<boolean>> = {
    temporal: () => succeeds(bin('temporal'), ['operator', 'cluster', 'health', '--address', temporalAddress, '--command-timeout', '3s'], env),
    minio: () =>
      fetch(`http://${ip}:${MINIO_PORT}/minio/health/live`, { signal: AbortSignal.timeout(3_000) }).then(
        (r) => r.ok,
        () => false,
      ),
  };

  const running: Partial<Record<StackService, ChildProcess>> = {};
  const isRunning = (service: StackService) => {
    const child = running[service];
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  };
  const start = async (): Promise<void> => {
    for (const service of ['temporal', 'minio'] as const) if (!isRunning(service)) running[service] = launch[service]();
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (const service of ['temporal', 'minio'] as const) {
      while (!(await healthy[service]())) {
        const log = join(dir, `${service}.log`);
        if (!isRunning(service)) throw new Error(`${service} on ${host} exited during start-up:\n${await logTail(log, 30)}`);
        if (Date.now() > deadline) throw new Error(`${service} on ${host} did not answer within ${START_TIMEOUT_MS / 1000} s:\n${await logTail(log, 30)}`);
        await sleep(500);
      }
    }
  };
  const stop = async (service: StackService, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const child = running[service];
    if (!child || !isRunning(service)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  let downed = false;
  const down = async (): Promise<void> => {
    if (downed) return;
    downed = true;
    try {
      await Promise.all([stop('temporal'), stop('minio')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  try {
    await start();
    await ensureBucket(env);
    return {
      dataDir: dir,
      temporalAddress,
      namespace: NAMESPACE,
      bucket: BUCKET,
      temporalBin: bin('temporal'),
      env,
      store: createStoreRouter(loadConfig(env), { s3: { credentials: CREDENTIALS } }),
      stop,
      start,
      down,
    };
  } catch (err) {
    await down().catch(() => undefined);
    throw err;
  }
}

/** infra/ensure-bucket.js, as `dev-stack.sh up` runs it; MinIO may refuse writes for a moment after answering. */
async function ensureBucket(env: NodeJS.ProcessEnv): Promise<void> {
  const script = join(repoRoot(), 'infra', 'ensure-bucket.js');
  let last = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    const failure = await new Promise<string | undefined>((resolve) => {
      execFile(process.execPath, [script, BUCKET], { env, timeout: 30_000 }, (err, _stdout, stderr) => resolve(err ? stderr || String(err) : undefined));
    });
    if (failure === undefined) return;
    last = failure;
    await sleep(1_000);
  }
  throw new Error(`could not create bucket '${BUCKET}': ${last}`);
}

function succeeds(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 10_000 }, (err) => resolve(!err));
  });
}
