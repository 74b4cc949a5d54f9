/**
 * A real STAC API for tests: `rustac serve` (stac-server-rs, in-memory backend) on loopback, loaded from files.
 * `.tools/bin/rustac` is installed by `infra/install-tools.sh`.
 *
 * What this server does, as found with rustac 0.9.18 (CLI 0.2.18), which the catalog tests rely on:
 * - a collection file's `item` links are loaded along with it (as with `--load-collection-items`), so pass
 *   either a collection with item links, or a collection without them plus a FeatureCollection / ndjson of
 *   its items; both at once loads every item twice. `--create-collections` makes collections for items alone.
 * - `/search` answers GET and POST (other methods: 405) with `collections`, `ids`, `bbox`, `intersects`,
 *   `datetime` (instants and intervals, `..` open ends) and `limit`; it pages by `next` links (`skip`), a POST
 *   search's next link carrying the whole body. A malformed body is a 400.
 * - GET paging breaks when the query holds an array (`bbox` or `collections`) together with `limit`: HTTP 500
 *   "unsupported value" (it fails to write the next link); POST is fine.
 * - no Filter extension: `conformsTo` lists none, and any `filter` (cql2-json or cql2-text) makes the search
 *   return no items (200). `query` does the same; `sortby` is ignored (insertion order).
 * - asset hrefs are returned as loaded, so items need absolute ones.
 * - the stac-geoparquet backend (`--use-duckdb`, a .parquet href) never answered here, offline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './dev-stack';

export interface StacApiOptions {
  /** Files to load: collections, items, FeatureCollections, ndjson (by extension). */
  hrefs: string[];
  /** @default a free port */
  port?: number;
  /** More `rustac serve` flags, e.g. `['--create-collections']`. @default none */
  args?: string[];
  /** How long to wait for `GET /` to answer. @default 20000 @format ms */
  startTimeoutMs?: number;
}

export interface StacApi {
  /** `http://127.0.0.1:PORT` without a trailing slash; the landing page is `${url}/`. */
  url: string;
  /** Stops the server (its whole process group) and waits for it to exit. Safe to call twice. */
  close(): Promise<void>;
}

const POLL_MS = 100;
/** Servers still running, stopped synchronously if the test process exits without closing them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Path of the rustac CLI. @throws Error saying how to install it when it is missing. */
export function rustacBin(): string {
  const bin = join(repoRoot(), '.tools', 'bin', 'rustac');
  if (!existsSync(bin)) throw new Error(`${bin} not found; run infra/install-tools.sh`);
  return bin;
}

/**
 * Starts `rustac serve --addr 127.0.0.1:PORT HREFS…` in its own process group and resolves once `GET /`
 * answers 200. A free port is picked when none is given, and picked again if the server loses the race for it.
 * @throws Error with the server's output when it exits early or does not answer within `startTimeoutMs`.
 */
export async function startStacApi(opts: StacApiOptions): Promise<StacApi> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOn(port, opts);
    } catch (err) {
      const lostRace = opts.port === undefined && /Address already in use/.test((err as Error).message);
      if (!lostRace || attempt >= 3) throw err;
    }
  }
}

async function startOn(port: number, opts: StacApiOptions): Promise<StacApi> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(rustacBin(), ['serve', '--addr', `127.0.0.1:${port}`, ...(opts.args ?? []), ...opts.hrefs], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.once('error', (err) => (output += `\n${err.message}`));

  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`rustac serve exited with code ${child.exitCode} before answering on ${url}:\n${output.trim()}`);
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.ok) return { url, close };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await close();
  throw new Error(`rustac serve did not answer on ${url} within ${opts.startTimeoutMs ?? 20_000} ms:\n${output.trim()}`);
}

function track(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) killGroup(c, 'SIGKILL');
  });
}

/** The server runs as the leader of its own group (`detached`), so `-pid` reaches it and anything it started. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => done(port));
    });
  });
}
