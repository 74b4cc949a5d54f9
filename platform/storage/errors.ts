/**
 * Typed errors of the object-store layer. Every message starts with the URI (or bucket) it is about, so a
 * failure seen in a log or in the Temporal UI names the object and the problem.
 *
 * These describe conditions that a retry of the same call cannot fix (a missing object, a missing bucket,
 * refused credentials, a malformed URI, an object that changed under a reader), so every StorageError says
 * `retryable: false` and the activity layer turns it into a non-retryable failure. Transient problems (network
 * errors, S3 5xx, throttling) are NOT wrapped in these classes: they stay plain `Error`s and are retried. The one
 * exception is `HttpStatusError`, whose `retryable` follows its status.
 */
export class StorageError extends Error {
  override readonly name: string = 'StorageError';
  constructor(
    /** The URI (or `s3://bucket`) the error is about. */
    readonly uri: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${uri}: ${detail}`, options);
  }

  /** Whether the same call may succeed later; read by the activity layer. False for every class here but HttpStatusError. */
  get retryable(): boolean {
    return false;
  }
}

/** A URI that does not parse, uses an unknown scheme, or (in `joinUri`) a segment that could escape its base. */
export class InvalidUriError extends StorageError {
  override readonly name = 'InvalidUriError';
}

/** Thrown by `get`, `source().fetch` and `source().size` when no object exists at the URI. */
export class ObjectNotFoundError extends StorageError {
  override readonly name = 'ObjectNotFoundError';
  constructor(uri: string, options?: { cause?: unknown }) {
    super(uri, 'object not found', options);
  }
}

/** The S3 bucket named by a URI does not exist. The message says how to create it. */
export class BucketNotFoundError extends StorageError {
  override readonly name = 'BucketNotFoundError';
  constructor(
    uri: string,
    readonly bucket: string,
    options?: { cause?: unknown },
  ) {
    super(
      uri,
      `bucket "${bucket}" does not exist; create it first (e.g. \`aws s3 mb s3://${bucket}\`, ` +
        `or \`mc mb <alias>/${bucket}\` on MinIO)`,
      options,
    );
  }
}

/**
 * The storage backend refused the request: missing, invalid or expired credentials, a bad signature, or a
 * permission denied (S3 403, filesystem EACCES/EPERM/EROFS). Not retried: the same credentials are refused
 * again, and twelve attempts would only hide the message for several minutes.
 */
export class StorageAccessError extends StorageError {
  override readonly name = 'StorageAccessError';
}

/**
 * An HTTP server answered with a status the caller cannot use. Thrown by `httpFetch` (http-fetch.ts) for a
 * 4xx other than 404/410/401/403 (at once, without retrying), and for a 5xx or 429 once every attempt has
 * failed. `retryable` tells the two apart: a 5xx or 429 may well succeed later (so Temporal retries it);
 * a 400 or 412 will not.
 */
export class HttpStatusError extends StorageError {
  override readonly name = 'HttpStatusError';
  /** The response's headers (the `Content-Range` of a 416, the current `ETag` of a 412). */
  readonly headers?: Headers;
  constructor(
    url: string,
    readonly status: number,
    options?: { statusText?: string; attempts?: number; headers?: Headers; cause?: unknown },
  ) {
    const text = options?.statusText ? ` ${options.statusText}` : '';
    const tries = options?.attempts && options.attempts > 1 ? ` after ${options.attempts} attempts` : '';
    super(url, `HTTP ${status}${text}${tries}`, options);
    this.headers = options?.headers;
  }
  /** True for 5xx (except 501 Not Implemented) and 429: the same request may succeed later. */
  override get retryable(): boolean {
    return isRetryableStatus(this.status);
  }
  /** The URL the request went to (the same as `uri`). */
  get url(): string {
    return this.uri;
  }
}

/** 5xx and 429 Too Many Requests are worth retrying; 501 Not Implemented is a property of the server, not a blip. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/**
 * An HTTP server ignored the `Range` header of a ranged read (it answered 200 with the whole object, or 206
 * without a usable `Content-Range`). Thrown by the http(s) store's `source().fetch`, which cancels the body
 * instead of downloading the whole object. Asking again gets the same answer, so it is not retried: serve the
 * file from a server that supports byte ranges (any static file server, S3, a CDN), or copy it to S3 first.
 */
export class RangeNotSupportedError extends StorageError {
  override readonly name = 'RangeNotSupportedError';
  constructor(
    url: string,
    detail = 'the server ignored the Range header (it answered with the whole object); ranged reads need a server that supports byte ranges',
    options?: { cause?: unknown },
  ) {
    super(url, detail, options);
  }
}

/** Which validator showed that an object changed. */
export type VersionField = 'ETag' | 'Last-Modified' | 'size';

/**
 * An object was replaced while a reader was part way through it: its ETag, Last-Modified time or size is not
 * the one the reader started with (or was given as `expected` in `source(uri, { expected })`). Thrown by
 * `source().fetch` and `source().size` of the http(s), S3 and filesystem stores, including when the server
 * refuses a conditional read (HTTP 412 to `If-Match` / `If-Unmodified-Since`). Mixing bytes of two versions
 * would give a corrupt raster, and a retry of the same read sees the same new version, so it is not retried:
 * the caller starts over from the new version (a new source) if it wants to.
 */
export class ObjectChangedError extends StorageError {
  override readonly name = 'ObjectChangedError';
  constructor(
    uri: string,
    readonly field: VersionField,
    /** The value the reader pinned. */
    readonly expected: string | number,
    /** The value seen now; `undefined` when the server only refused the condition (412) without saying. */
    readonly actual: string | number | undefined,
    options?: { cause?: unknown },
  ) {
    const now = actual === undefined ? 'a different version (HTTP 412)' : shownVersion(field, actual);
    super(uri, `object changed while it was being read (${field} ${shownVersion(field, expected)} → ${now})`, options);
  }
}

/** ETags already carry their quotes (`"abc"`, `W/"abc"`); other validators get them, sizes stay bare. */
function shownVersion(field: VersionField, value: string | number): string {
  if (typeof value === 'number') return String(value);
  if (field === 'ETag' && /^(W\/)?".*"$/.test(value)) return value;
  return `"${value}"`;
}

/**
 * A write, delete or listing was asked of a store that only reads (the http(s) store: a web server offers no
 * way to write or list). Thrown by every such method of HttpObjectStore, before any request is made. The URI
 * will never become writable, so it is not retried: write outputs to `file://` or `s3://` instead.
 */
export class ReadOnlyStoreError extends StorageError {
  override readonly name = 'ReadOnlyStoreError';
  constructor(
    uri: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(uri, `cannot ${operation}: http(s) sources are read-only`, options);
  }
}
