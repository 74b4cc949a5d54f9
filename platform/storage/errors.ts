/**
 * Typed errors of the object-store layer. Every message starts with the URI (or bucket) it is about, so a
 * failure seen in a log or in the Temporal UI names the object and the problem.
 *
 * These describe conditions that a retry of the same call cannot fix (a missing object, a missing bucket,
 * refused credentials, a malformed URI), so the activity layer maps them to non-retryable failures.
 * Transient problems (network errors, S3 5xx, throttling) are NOT wrapped in these classes: they stay plain
 * `Error`s and are retried.
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
 * permission denied (S3 403, filesystem EACCES/EPERM/EROFS).
 */
export class StorageAccessError extends StorageError {
  override readonly name = 'StorageAccessError';
}
