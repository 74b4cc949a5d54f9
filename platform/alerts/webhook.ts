/**
 * One HTTP POST of an alert to its webhook. Whether a failure is worth retrying is decided by the error class
 * (activities/failures.ts reads `retryable`): a 5xx, 408 or 429 answer, a timeout or a network error may pass, so
 * they are retried; any other non-2xx answer (400, 401, 404, 3xx …) is the receiver's considered refusal and is not.
 */

/** The receiver answered with a status that a later attempt may not get (5xx, 408, 429). Retried. */
export class WebhookUnavailableError extends Error {
  override readonly name = 'WebhookUnavailableError';
  readonly retryable = true;
  constructor(
    readonly url: string,
    readonly status: number,
    /** From a `Retry-After` header in seconds, when the receiver sent one. @format ms */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`webhook ${url} answered ${status}`);
  }
}

/** The receiver refused the alert (a 4xx other than 408/429, or a redirect). Not retried. */
export class WebhookRejectedError extends Error {
  override readonly name = 'WebhookRejectedError';
  readonly retryable = false;
  constructor(
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super(`webhook ${url} answered ${status}${detail ? `: ${detail}` : ''}`);
  }
}

export interface PostAlertOptions {
  /** Sent as `Idempotency-Key`; the receiver uses it to drop repeats of one alert. */
  idempotencyKey: string;
  /** Sent as `Tessera-Delivery-Attempt` (1 for the first), for the receiver's logs. */
  attempt: number;
  /** Aborts the request (activity cancellation). */
  signal?: AbortSignal;
  /** @default 10000 @format ms */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Longest `Retry-After` honoured; a longer one falls back to the retry policy's backoff. */
const MAX_RETRY_AFTER_MS = 60_000;
/** Characters of a refusal's body kept in the error message. */
const BODY_CHARS = 200;

/**
 * POSTs `body` as JSON. Redirects are not followed: a POST turned into a GET by a 301/302 would deliver nothing.
 * @returns the 2xx status.
 * @throws WebhookUnavailableError (retry), WebhookRejectedError (do not), or fetch's own error (network, timeout).
 */
export async function postAlert(url: string, body: unknown, opts: PostAlertOptions): Promise<number> {
  // Either the attempt's timeout or the caller's cancellation aborts the request.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`webhook ${url} did not answer within ${opts.timeoutMs ?? 10_000} ms`)), opts.timeoutMs ?? 10_000);
  const onCancel = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  try {
    return await send(url, body, opts, abort.signal);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCancel);
  }
}

async function send(url: string, body: unknown, opts: PostAlertOptions, signal: AbortSignal): Promise<number> {
  const res = await (opts.fetch ?? fetch)(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': opts.idempotencyKey,
      'tessera-delivery-attempt': String(opts.attempt),
      'user-agent': 'tessera-alerts',
    },
    body: JSON.stringify(body),
    redirect: 'manual',
    signal,
  });
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return res.status;
  if (res.status >= 500 || res.status === 408 || res.status === 429) {
    throw new WebhookUnavailableError(url, res.status, retryAfterMs(res.headers.get('retry-after')));
  }
  const location = res.headers.get('location');
  const detail = res.status >= 300 && res.status < 400 ? `redirect to ${location ?? '(no location)'}; configure the final URL` : text.trim().slice(0, BODY_CHARS);
  throw new WebhookRejectedError(url, res.status, detail);
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  const ms = Number(header.trim()) * 1000;
  return ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}
