/**
 * One HTTP request with retries: Node's global fetch, plus exponential backoff on the failures that pass
 * (5xx, 429, connection resets and other network errors, attempts that time out), and typed errors for those
 * that do not (404/410, 401/403, other 4xx). The http(s) object store and the STAC API client both call it.
 */
import { HttpStatusError, ObjectNotFoundError, StorageAccessError, isRetryableStatus } from './errors';

export interface HttpRetryOptions {
  /** Attempts in all, including the first. @default 5 */
  maxAttempts?: number;
  /** Wait before the second attempt; it doubles for each further one. @default 200 @format ms */
  initialDelayMs?: number;
  /**
   * Cap on one wait. A `Retry-After` longer than this is not waited out here: the error is thrown at once, so
   * the caller's own, slower retry policy (Temporal's) takes over. @default 5000 @format ms
   */
  maxDelayMs?: number;
  /** Cancels the request, the waits between attempts and the reading of the body. @default init.signal */
  signal?: AbortSignal;
  /**
   * Time one attempt may take until the response headers arrive. Reading the body is bounded by undici's
   * own body timeout instead, since a whole-object body may rightly take longer. @default 30000 @format ms
   */
  timeoutMs?: number;
}

const DEFAULTS = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 5000, timeoutMs: 30_000 };

/** Node's error codes for connections that failed or broke; undici puts them on `err.cause`. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** AbortSignal.any exists from Node 20.3 (our minimum), but @types/node 20.9 does not declare it. */
const anySignal = (signals: AbortSignal[]): AbortSignal =>
  (AbortSignal as typeof AbortSignal & { any(s: AbortSignal[]): AbortSignal }).any(signals);

/**
 * Sends one request, retrying transient failures; resolves with the first response whose status is below
 * 400 (its body unread).
 *
 * The request body, if any, must be re-sendable (a string or bytes, not a stream), since it is sent again on
 * each attempt.
 * @throws ObjectNotFoundError on 404/410 and StorageAccessError on 401/403 (never retried).
 * @throws HttpStatusError on any other 4xx (never retried, `retryable: false`), and on a 5xx/429 once every
 *   attempt failed or the server asked for a longer `Retry-After` than `maxDelayMs` (`retryable: true`).
 * @throws a plain Error naming the URL (the network error as its `cause`) when the last attempt failed to
 *   connect, was reset or timed out, so upper layers still treat it as transient.
 * @throws the signal's reason when `signal` aborts.
 */
export async function httpFetch(url: string, init?: RequestInit, opts?: HttpRetryOptions): Promise<Response> {
  const maxAttempts = Math.max(1, opts?.maxAttempts ?? DEFAULTS.maxAttempts);
  const initialDelayMs = opts?.initialDelayMs ?? DEFAULTS.initialDelayMs;
  const maxDelayMs = opts?.maxDelayMs ?? DEFAULTS.maxDelayMs;
  const timeoutMs = opts?.timeoutMs ?? DEFAULTS.timeoutMs;
  const signal = opts?.signal ?? init?.signal ?? undefined;

  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const last = attempt >= maxAttempts;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: signal ? anySignal([signal, timeout.signal]) : timeout.signal });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = timeout.signal.aborted;
      if (!timedOut && !isNetworkError(err)) throw err;
      if (last) {
        const what = timedOut ? `no response within ${timeoutMs} ms` : `request failed: ${describeNetworkError(err)}`;
        throw new Error(`${url}: ${what}${attempts(attempt)}`, { cause: err });
      }
      await sleep(backoffMs(attempt, initialDelayMs, maxDelayMs), signal);
      continue;
    } finally {
      clearTimeout(timer);
    }

    if (res.status < 400) return res;
    // Free the connection: an unread error body keeps the socket from going back to the pool.
    await res.body?.cancel().catch(() => undefined);
    const status = res.status;
    if (status === 404 || status === 410) throw new ObjectNotFoundError(url);
    if (status === 401 || status === 403) {
      throw new StorageAccessError(url, `access denied (HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''})`);
    }
    const fail = (): HttpStatusError =>
      new HttpStatusError(url, status, { statusText: res.statusText, attempts: attempt, headers: res.headers });
    if (!isRetryableStatus(status) || last) throw fail();
    const asked = retryAfterMs(res.headers.get('retry-after'));
    if (asked !== undefined && asked > maxDelayMs) throw fail();
    await sleep(asked ?? backoffMs(attempt, initialDelayMs, maxDelayMs), signal);
  }
}

/** `initialDelayMs * 2^(attempt-1)`, capped, plus up to 20% jitter so that parallel readers spread out. */
function backoffMs(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
  return Math.min(maxDelayMs, base * (1 + 0.2 * Math.random()));
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** undici reports every transport failure as `TypeError: fetch failed` with the system error as its cause. */
function isNetworkError(err: unknown): boolean {
  if (err instanceof TypeError && err.message === 'fetch failed') return true;
  return NETWORK_CODES.has(errorCode(err) ?? '');
}

function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

function describeNetworkError(err: unknown): string {
  const code = errorCode(err);
  const cause = (err as { cause?: { message?: string } }).cause?.message;
  const message = (err as Error).message;
  return [message, cause && cause !== message ? cause : undefined, code && !(cause ?? '').includes(code) ? code : undefined]
    .filter(Boolean)
    .join(': ');
}

function attempts(n: number): string {
  return n > 1 ? ` (after ${n} attempts)` : '';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
