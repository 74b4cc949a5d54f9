/**
 * A Temporal dev server for workflow tests: `TestWorkflowEnvironment.createLocal` over the `temporal` CLI that
 * infra/install-tools.sh puts in `.tools/bin/` (never the SDK's download), in memory, on a random loopback port,
 * with every Tessera search attribute registered so the workflows' upserts are accepted.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import * as searchAttributes from '../../workflows/search-attributes';

/** The repository root: the nearest folder above this file whose package.json is Tessera's. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tessera') return dir;
    if (dirname(dir) === dir) throw new Error(`no Tessera package.json above ${__dirname}`);
  }
}

/** The installed CLI; `TEMPORAL_CLI` overrides it. */
export function temporalCliPath(): string {
  const path = process.env.TEMPORAL_CLI ?? join(repoRoot(), '.tools', 'bin', 'temporal');
  if (!existsSync(path)) throw new Error(`no temporal CLI at ${path}: run infra/install-tools.sh (or set TEMPORAL_CLI)`);
  return path;
}

/** Every key exported by workflows/search-attributes.ts, so a key added there is registered here too. */
export function tesseraSearchAttributes(): SearchAttributeKey<SearchAttributeType>[] {
  return Object.values(searchAttributes as Record<string, unknown>).filter(
    (v): v is SearchAttributeKey<SearchAttributeType> => typeof v === 'object' && v !== null && 'name' in v && 'type' in v,
  );
}

let runtimeInstalled = false;

/**
 * Cuts the SDK's own logs, and those of its native core, to errors (a workflow failing on purpose logs a
 * warning, a replay that finds nondeterminism too), so a test's output is its assertions. The Runtime is per process; if something installed it first, its logger stays.
 */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    // Already installed (a worker or connection was created first).
  }
}

/**
 * Starts the server. One per test file: call `teardown()` in `after`, which stops the server process. If this
 * process dies without it (killed, interrupted), a watcher stops the server (see guardServer).
 */
export async function createTestEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: tesseraSearchAttributes(),
      log: { format: 'pretty', level: 'error' },
    },
  });
  guardServer(env.address);
  return env;
}

/** Child processes of this one that are a dev server on `port` (Linux: read from /proc; elsewhere none). */
function devServerChildren(port: string): number[] {
  if (!existsSync('/proc/self/stat')) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // ppid is the 2nd field after the parenthesised command name, which may itself hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('start-dev') && args[args.indexOf('--port') + 1] === port) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * The SDK stops the server in `teardown()`, but a test process that is killed never gets there and the server would
 * keep running, orphaned. A detached shell watches both: it exits when the server does (after teardown), and when
 * this process is gone first, it stops the server, after checking the pid is still that server.
 */
function guardServer(address: string): void {
  const port = address.split(':').pop() ?? '';
  for (const server of devServerChildren(port)) {
    const script = [
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${server} 2>/dev/null; do sleep 1; done`,
      `if ! kill -0 ${process.pid} 2>/dev/null && tr '\\0' ' ' </proc/${server}/cmdline 2>/dev/null | grep -q -- 'start-dev.*--port ${port} '; then kill ${server}; fi`,
    ].join('\n');
    spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
  }
}

/** A task queue no other test uses, so workers of different tests never take each other's tasks. */
export function uniqueTaskQueue(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
