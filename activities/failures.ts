import { ApplicationFailure } from '@temporalio/common';
import { RASTER_ERROR_TYPES } from '../raster/errors';

/** Error classes that describe the input or the request: retrying the same attempt cannot succeed. */
export const NON_RETRYABLE_ERROR_TYPES: readonly string[] = [
  ...RASTER_ERROR_TYPES,
  'InputError',
  'InvalidUriError',
  'BucketNotFoundError',
  'ObjectNotFoundError',
  'RangeNotSupportedError', 'ObjectChangedError', 'ReadOnlyStoreError',
];

/**
 * Maps a domain error to a non-retryable ApplicationFailure (type = class name, message kept) so the workflow
 * fails fast with a readable reason; anything else is rethrown unchanged and retried with backoff.
 */
export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof Error && NON_RETRYABLE_ERROR_TYPES.includes(err.name)) {
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
