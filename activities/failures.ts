import { ApplicationFailure } from '@temporalio/common';

/**
 * True when the error's class says a retry of the same call cannot succeed (`retryable === false`).
 *
 * Each layer's error classes carry the decision themselves: `RasterError` (raster/errors.ts) and everything
 * derived from it, `StorageError` (platform/storage/errors.ts) except an `HttpStatusError` with a 5xx or 429
 * status, `InputError` (errors.ts), and so on. The check is duck-typed so that those layers need no shared import
 * (raster/ knows nothing of Temporal). An error without the property — a network error, an SDK error, a plain
 * `Error` — is retried: only a class that knows better opts out.
 */
export function isNonRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === false;
}

/**
 * Turns an error whose class says it is not retryable into an ApplicationFailure (type = class name, message kept,
 * the error as cause) so the workflow fails fast with a readable reason; anything else is rethrown unchanged and
 * retried with backoff.
 *
 * The failure is created with `nonRetryable: true`, and that flag is what stops the retries: Temporal never
 * retries a non-retryable ApplicationFailure, whatever the retry policy says. So the policies in
 * workflows/proxies.ts carry no `nonRetryableErrorTypes` list that would have to be kept in step with the classes.
 */
export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof Error && isNonRetryable(err)) {
    return ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true, cause: err });
  }
  return err;
}

/** Wraps every function of an activity object with toApplicationFailure. */
export function withFailureMapping<T extends Record<string, (...args: never[]) => Promise<unknown>>>(acts: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toApplicationFailure(err);
      }
    };
  }
  return out as T;
}
