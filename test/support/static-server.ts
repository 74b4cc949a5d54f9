/**
 * A real static HTTP file server for tests of the http(s) store: single byte ranges (206, 416), HEAD, ETag
 * and Last-Modified with the If-Match / If-Unmodified-Since preconditions (412), and two ways to misbehave on
 * purpose: `ignoreRange` (answers every GET with the whole file, as some servers do) and `failures` (answers
 * the next N matching requests with a chosen status, to exercise retries).
 *
 * Run directly to serve a folder by hand: `node dist/test/support/static-server.js ROOT [PORT]`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

export interface StaticServerFailures {
  /** The status to answer with (e.g. 500, 503, 429, 405). */
  status: number;
  /** How many matching requests get it; later ones are served normally. */
  count: number;
  /** Only requests whose path matches fail. @default every request */
  pathPattern?: RegExp;
  /** A `Retry-After` header to send with each failure. @default none */
  retryAfter?: string;
}

export interface StaticServerOptions {
  /** The folder served at `/`. */
  root: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Answer ranged GETs with 200 and the whole file, like a server without range support. @default false */
  ignoreRange?: boolean;
  /** @default none */
  failures?: StaticServerFailures;
}

export interface StaticServerRequest {
  method: string;
  /** Path and query as requested. */
  path: string;
  range?: string;
  status: number;
}

export interface StaticServer {
  /** `http://HOST:PORT`, without a trailing slash. */
  url: string;
  /** Every request answered so far, in order. */
  requests: StaticServerRequest[];
  /** Replaces the failure plan (`undefined` stops failing). */
  setFailures(f: StaticServerFailures | undefined): void;
  /** Stops listening and drops kept-alive connections. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.parquet': 'application/vnd.apache.parquet',
};

/** Starts serving `root`; resolves once the server listens. */
export async function startStaticServer(opts: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(opts.root);
  const host = opts.host ?? '127.0.0.1';
  const requests: StaticServerRequest[] = [];
  let failures = opts.failures ? { ...opts.failures } : undefined;

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const range = req.headers.range;
    // Logged as the status line goes out (every response passes through writeHead, implicit ones too), so
    // the entry exists before the client sees the response, even one whose body it then cancels.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      requests.push({ method: req.method ?? '', path, ...(range === undefined ? {} : { range }), status: args[0] as number });
      return writeHead(...args);
    }) as ServerResponse['writeHead'];
    const failure = failures;
    if (failure && failure.count > 0 && (!failure.pathPattern || failure.pathPattern.test(path))) {
      failure.count--;
      if (failure.retryAfter !== undefined) res.setHeader('retry-after', failure.retryAfter);
      return sendText(res, failure.status, `injected failure ${failure.status}\n`);
    }
    serveFile(root, req, res, opts.ignoreRange === true).catch((err: unknown) => {
      if (!res.headersSent) sendText(res, 500, `${(err as Error).message}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    setFailures(f) {
      failures = f ? { ...f } : undefined;
    },
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((err) => (err ? fail(err) : done()));
        // fetch keeps connections alive; close() alone would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

async function serveFile(root: string, req: IncomingMessage, res: ServerResponse, ignoreRange: boolean): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendText(res, 405, 'method not allowed\n');
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return sendText(res, 400, 'bad path\n');
  }
  const file = resolve(root, `.${pathname}`);
  if (pathname.includes('\0') || (file !== root && !file.startsWith(root + sep))) return sendText(res, 403, 'forbidden\n');
  const st = await stat(file, { bigint: true }).catch(() => undefined);
  if (!st?.isFile()) return sendText(res, 404, 'not found\n');

  const size = Number(st.size);
  // Nanosecond mtime: a file rewritten within the same second still gets a new ETag.
  const etag = `"${st.size.toString(16)}-${st.mtimeNs.toString(16)}"`;
  const mtimeMs = Number(st.mtimeNs / 1_000_000n);
  res.setHeader('etag', etag);
  res.setHeader('last-modified', new Date(mtimeMs).toUTCString());
  res.setHeader('content-type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  if (!ignoreRange) res.setHeader('accept-ranges', 'bytes');

  if (!preconditionsHold(req, etag, mtimeMs)) return sendText(res, 412, 'precondition failed\n');

  const range = ignoreRange ? undefined : parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.setHeader('content-range', `bytes */${size}`);
    return sendText(res, 416, 'range not satisfiable\n');
  }
  const [start, end] = range ?? [0, size - 1];
  res.statusCode = range ? 206 : 200;
  if (range) res.setHeader('content-range', `bytes ${start}-${end}/${size}`);
  res.setHeader('content-length', String(Math.max(0, end - start + 1)));
  if (req.method === 'HEAD' || size === 0) return void res.end();
  const body = createReadStream(file, { start, end });
  // A client that cancels the body closes the socket: stop reading the file too.
  res.on('close', () => body.destroy());
  body.on('error', () => res.destroy());
  body.pipe(res);
}

/** If-Match and If-Unmodified-Since (RFC 9110 §13.1.1, §13.1.4); dates have one-second resolution. */
function preconditionsHold(req: IncomingMessage, etag: string, mtimeMs: number): boolean {
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined) {
    const tags = ifMatch.split(',').map((t) => t.trim());
    return tags.includes('*') || tags.includes(etag);
  }
  const since = Date.parse(req.headers['if-unmodified-since'] ?? '');
  return Number.isNaN(since) || Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/**
 * One `bytes=a-b`, `bytes=a-` or `bytes=-n` range, clamped to the file. Anything else (several ranges, other
 * units, bad syntax) is ignored and the whole file is sent, as RFC 9110 allows.
 */
function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  return start >= size ? 'unsatisfiable' : [start, end];
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', String(Buffer.byteLength(text)));
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

if (require.main === module) {
  const [root, port] = process.argv.slice(2);
  if (!root) {
    process.stderr.write('usage: node dist/test/support/static-server.js ROOT [PORT]\n');
    process.exit(2);
  }
  startStaticServer({ root, port: port === undefined ? 0 : Number(port) }).then(
    (server) => {
      process.stdout.write(`${server.url}\n`);
      const stop = (): void => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`static-server: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
