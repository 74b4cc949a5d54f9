/**
 * A webhook receiver for alert tests: a real node:http server on 127.0.0.1 (a free port) that records every POST
 * (path, Idempotency-Key, attempt header, JSON body, the status it answered) and can be told to answer with an error
 * for the next N requests, or for every request until told otherwise.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookRequest {
  /** Arrival time, ms since the epoch. */
  at: number;
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  /** `Tessera-Delivery-Attempt` as sent. */
  attempt: number | undefined;
  /** The body parsed as JSON; undefined when it was not JSON. */
  body: unknown;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT`, without a trailing slash; any path is accepted. */
  url: string;
  /** Every request, in arrival order. */
  requests: WebhookRequest[];
  /** Requests answered 2xx. */
  accepted(): WebhookRequest[];
  /** Answer the next `count` requests with `status` (default 500), then 200 again. */
  failNext(count: number, status?: number): void;
  /** Answer every request with `status` until called with undefined. */
  failAlways(status: number | undefined): void;
  /** Resolves once `predicate(requests)` holds; rejects with what arrived after `timeoutMs`. */
  waitFor(predicate: (requests: WebhookRequest[]) => boolean, timeoutMs: number, what?: string): Promise<WebhookRequest[]>;
  close(): Promise<void>;
}

const POLL_MS = 100;

/** Starts the receiver; resolves once it listens. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: WebhookRequest[] = [];
  let failCount = 0;
  let failStatus = 500;
  let always: number | undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      let status = 200;
      if (always !== undefined) status = always;
      else if (failCount > 0) {
        failCount--;
        status = failStatus;
      }
      const attempt = req.headers['tessera-delivery-attempt'];
      requests.push({
        at: Date.now(),
        method: req.method ?? '',
        path: req.url ?? '/',
        idempotencyKey: typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined,
        attempt: typeof attempt === 'string' ? Number(attempt) : undefined,
        body,
        status,
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    failNext(count, status = 500) {
      failCount = count;
      failStatus = status;
    },
    failAlways(status) {
      always = status;
    },
    async waitFor(predicate, timeoutMs, what = 'the expected webhook requests') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > deadline) {
          throw new Error(`${what} did not arrive within ${timeoutMs} ms; got ${requests.length}: ${JSON.stringify(requests.map((r) => ({ path: r.path, key: r.idempotencyKey?.slice(0, 12), attempt: r.attempt, status: r.status })))}`);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      return [...requests];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
