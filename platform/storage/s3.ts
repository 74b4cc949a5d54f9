/**
 * S3 object store (`s3://bucket/key`), for AWS S3 and S3-compatible servers such as MinIO.
 *
 * - Credentials never pass through Tessera's config: the SDK's default provider chain reads them
 *   (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, SSO, instance roles...). Only tests and embedders
 *   pass `credentials` explicitly.
 * - `source()` does one ranged GetObject per fetch and passes the caller's AbortSignal to the request. With
 *   `expected.etag` it sends `If-Match`, and S3's 412 becomes ObjectChangedError.
 * - Writers buffer `partSizeBytes` and upload multipart parts; small objects go in one PutObject. S3 shows an
 *   object only after PutObject or CompleteMultipartUpload succeeds, so both paths are atomic; a failed or
 *   aborted writer aborts its multipart upload so no parts are left billed.
 * - Errors: NoSuchBucket -> BucketNotFoundError, NoSuchKey/404 -> ObjectNotFoundError, 401/403 and signature
 *   or key errors -> StorageAccessError. Everything else (network, 5xx, throttling) stays a plain Error and is
 *   retried by the caller (after the SDK's own retries).
 *
 * The AWS SDK is imported on first use: loading it adds a few hundred ms, which commands that never touch S3
 * should not pay.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../config';
import { concat, toBytes } from './bytes';
import { BucketNotFoundError, InvalidUriError, ObjectChangedError, ObjectNotFoundError, StorageAccessError } from './errors';
import type { CountingByteSource, ObjectInfo, ObjectStore, ObjectVersion, ObjectWriter, PutOptions, SourceOptions } from './object-store';
import { formatUri, parseUri } from './uri';

type Sdk = typeof import('@aws-sdk/client-s3');
let sdkPromise: Promise<Sdk> | undefined;
function sdk(): Promise<Sdk> {
  sdkPromise ??= import('@aws-sdk/client-s3');
  return sdkPromise;
}

/** Explicit static credentials; production code leaves them unset and relies on the default chain. */
export interface S3StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ClientOptions extends S3Config {
  /** Only for tests and embedding. @default the AWS SDK default credential provider chain */
  credentials?: S3StaticCredentials;
  /** Attempts per request, including the first (SDK retry of throttling, 5xx, network errors). @default 3 */
  maxAttempts?: number;
}

export interface S3StoreOptions extends S3ClientOptions {
  /**
   * Supplies the client on first use (the store router shares one per endpoint).
   * @default a new client from these options
   */
  client?: () => Promise<S3Client>;
  /**
   * Multipart part size. S3 requires >= 5 MiB for every part but the last and allows 10,000 parts, so the
   * default caps one streamed object at 80 GiB.
   * @default 8 MiB
   * @format bytes
   */
  partSizeBytes?: number;
}

const MIN_PART_BYTES = 5 * 1024 * 1024;
const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
/** DeleteObjects accepts at most 1,000 keys per request. */
const DELETE_BATCH = 1000;

const ACCESS_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'AccountProblem',
  'Forbidden',
]);

/** Creates an S3 client (importing the SDK on first call). */
export async function createS3Client(opts: S3ClientOptions): Promise<S3Client> {
  const { S3Client } = await sdk();
  return new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle,
    credentials: opts.credentials,
    maxAttempts: opts.maxAttempts,
    // Third-party S3 servers (older MinIO, Ceph, ...) reject the flexible checksums that newer SDKs send on
    // every request; send them only where S3 requires one.
    ...(opts.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  });
}

export class S3ObjectStore implements ObjectStore {
  private clientPromise?: Promise<S3Client>;
  private readonly clientFactory: () => Promise<S3Client>;
  private readonly partSizeBytes: number;
  /** Buckets seen to exist, so a 404 from HeadObject needs one HeadBucket at most per bucket. */
  private readonly knownBuckets = new Set<string>();

  constructor(opts: S3StoreOptions) {
    // Nothing is created (and the SDK not loaded) before the first request.
    this.clientFactory = opts.client ?? (() => createS3Client(opts));
    this.partSizeBytes = opts.partSizeBytes ?? DEFAULT_PART_BYTES;
    if (!Number.isInteger(this.partSizeBytes) || this.partSizeBytes < MIN_PART_BYTES) {
      throw new RangeError(`partSizeBytes must be an integer >= ${MIN_PART_BYTES}, got ${this.partSizeBytes}`);
    }
  }

  source(uri: string, opts?: SourceOptions): CountingByteSource {
    const loc = this.location(uri, true);
    return new S3ByteSource(loc.uri, loc.bucket, loc.key, this, opts?.expected);
  }

  async get(uri: string): Promise<Uint8Array> {
    const { bucket, key, uri: u } = this.location(uri, true);
    return this.call(u, bucket, async (c, s) => {
      const res = await c.send(new s.GetObjectCommand({ Bucket: bucket, Key: key }));
      return readBody(res.Body);
    });
  }

  async head(uri: string): Promise<ObjectInfo | undefined> {
    const { bucket, key, uri: u } = this.location(uri, true);
    try {
      return await this.call(u, bucket, async (c, s) => {
        const res = await c.send(new s.HeadObjectCommand({ Bucket: bucket, Key: key }));
        const info: ObjectInfo = { uri: u, sizeBytes: res.ContentLength ?? 0 };
        if (res.ETag) info.etag = res.ETag;
        if (res.LastModified) info.lastModified = res.LastModified.toISOString();
        return info;
      });
    } catch (err) {
      if (!(err instanceof ObjectNotFoundError)) throw err;
      // HEAD responses have no body, so a missing bucket is also a bare 404: tell the two apart.
      await this.assertBucket(bucket, u);
      return undefined;
    }
  }

  async put(uri: string, body: ArrayBufferView | string, opts?: PutOptions): Promise<ObjectInfo> {
    const { bucket, key, uri: u } = this.location(uri, true);
    const bytes = toBytes(body);
    await this.call(u, bucket, (c, s) =>
      c.send(
        new s.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: opts?.contentType,
        }),
      ),
    );
    return { uri: u, sizeBytes: bytes.byteLength };
  }

  async createWriter(uri: string, opts?: PutOptions): Promise<ObjectWriter> {
    const loc = this.location(uri, true);
    return new S3Writer(this, loc.uri, loc.bucket, loc.key, this.partSizeBytes, opts?.contentType);
  }

  async *list(prefixUri: string): AsyncIterable<ObjectInfo> {
    const { bucket, key: prefix, uri: u } = this.location(prefixUri, false);
    let token: string | undefined;
    do {
      const page = await this.call(u, bucket, (c, s) =>
        c.send(new s.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const obj of page.Contents ?? []) {
        if (obj.Key === undefined) continue;
        yield { uri: formatUri({ scheme: 's3', bucket, key: obj.Key }), sizeBytes: obj.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(uri: string): Promise<void> {
    const { bucket, key, uri: u } = this.location(uri, true);
    await this.call(u, bucket, (c, s) => c.send(new s.DeleteObjectCommand({ Bucket: bucket, Key: key })));
  }

  async deletePrefix(prefixUri: string): Promise<void> {
    const { bucket, uri: u } = this.location(prefixUri, false);
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      const keys = batch;
      batch = [];
      if (keys.length === 0) return;
      const res = await this.call(u, bucket, (c, s) =>
        c.send(
          new s.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
        ),
      );
      const failed = res.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        const err = Object.assign(new Error(first.Message ?? 'delete failed'), { name: first.Code ?? 'Error' });
        throw mapS3Error(err, formatUri({ scheme: 's3', bucket, key: first.Key ?? '' }), bucket);
      }
    };
    for await (const obj of this.list(u)) {
      batch.push((parseUri(obj.uri) as { key: string }).key);
      if (batch.length >= DELETE_BATCH) await flush();
    }
    await flush();
  }

  /** Releases the client's sockets. The store cannot be used afterwards. */
  async close(): Promise<void> {
    const client = this.clientPromise;
    this.clientPromise = undefined;
    (await client?.catch(() => undefined))?.destroy();
  }

  /** Runs one SDK call with the client and module, mapping errors to storage errors. @internal */
  async call<T>(uri: string, bucket: string, fn: (client: S3Client, s: Sdk) => Promise<T>): Promise<T> {
    try {
      this.clientPromise ??= this.clientFactory();
      const [client, s] = await Promise.all([this.clientPromise, sdk()]);
      const out = await fn(client, s);
      this.knownBuckets.add(bucket);
      return out;
    } catch (err) {
      throw mapS3Error(err, uri, bucket);
    }
  }

  private async assertBucket(bucket: string, uri: string): Promise<void> {
    if (this.knownBuckets.has(bucket)) return;
    try {
      await this.call(uri, bucket, (c, s) => c.send(new s.HeadBucketCommand({ Bucket: bucket })));
    } catch (err) {
      throw err instanceof ObjectNotFoundError ? new BucketNotFoundError(uri, bucket, { cause: err.cause }) : err;
    }
  }

  private location(uri: string, objectKey: boolean): { bucket: string; key: string; uri: string } {
    const p = parseUri(uri);
    if (p.scheme !== 's3') throw new InvalidUriError(uri, 'the S3 store only accepts s3:// URIs');
    if (objectKey && (p.key === '' || p.key.endsWith('/'))) {
      throw new InvalidUriError(uri, 'an object URI needs a key that does not end with "/"');
    }
    return { bucket: p.bucket, key: p.key, uri: formatUri(p) };
  }
}

/**
 * Ranged GETs of one object. The size comes from one HeadObject, cached. Given an expected ETag, every GET
 * carries it as `If-Match`, so S3 refuses (412) to serve another version.
 */
class S3ByteSource implements CountingByteSource {
  readonly stats = { requests: 0, bytes: 0 };
  private sizePromise?: Promise<number>;
  constructor(
    readonly url: string,
    private readonly bucket: string,
    private readonly key: string,
    private readonly store: S3ObjectStore,
    private readonly expected?: ObjectVersion,
  ) {}

  size(): Promise<number> {
    this.sizePromise ??= this.store.head(this.url).then((info) => {
      if (!info) throw new ObjectNotFoundError(this.url);
      const etag = this.expected?.etag;
      if (etag !== undefined && info.etag !== undefined && info.etag !== etag) {
        throw new ObjectChangedError(this.url, 'ETag', etag, info.etag);
      }
      return info.sizeBytes;
    });
    this.sizePromise.catch(() => (this.sizePromise = undefined));
    return this.sizePromise;
  }

  async fetch(offset: number, length: number, opts?: { signal?: AbortSignal }): Promise<Uint8Array> {
    opts?.signal?.throwIfAborted();
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`${this.url}: invalid range offset=${offset} length=${length}`);
    }
    if (length === 0) return new Uint8Array(0);
    // HTTP ranges are inclusive at both ends.
    const range = `bytes=${offset}-${offset + length - 1}`;
    let bytes: Uint8Array;
    try {
      bytes = await this.store.call(this.url, this.bucket, async (c, s) => {
        const res = await c.send(
          new s.GetObjectCommand({ Bucket: this.bucket, Key: this.key, Range: range, IfMatch: this.expected?.etag }),
          { abortSignal: opts?.signal },
        );
        return readBody(res.Body);
      });
    } catch (err) {
      if (this.expected?.etag !== undefined && errorCode(err) === 'PreconditionFailed') {
        throw new ObjectChangedError(this.url, 'ETag', this.expected.etag, undefined, { cause: err });
      }
      // A range starting at or past the end: the contract is a short (here empty) read, not an error.
      if (errorCode(err) === 'InvalidRange') return new Uint8Array(0);
      throw err;
    }
    this.stats.requests++;
    this.stats.bytes += bytes.byteLength;
    return bytes.byteLength > length ? bytes.subarray(0, length) : bytes;
  }
}

class S3Writer implements ObjectWriter {
  private chunks: Uint8Array[] = [];
  private bufferedBytes = 0;
  private totalBytes = 0;
  private uploadId?: string;
  private readonly parts: { PartNumber: number; ETag: string }[] = [];
  private state: 'open' | 'committing' | 'done' | 'failed' = 'open';
  /** Writes run one after another even if the caller does not await each one. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: S3ObjectStore,
    private readonly uri: string,
    private readonly bucket: string,
    private readonly key: string,
    private readonly partSizeBytes: number,
    private readonly contentType: string | undefined,
  ) {}

  async write(chunk: ArrayBufferView): Promise<void> {
    this.assertOpen();
    // Copy: the chunk is kept after write() resolves, and the caller may reuse its buffer by then.
    const copy = toBytes(chunk).slice();
    this.totalBytes += copy.byteLength;
    await this.enqueue(async () => {
      this.chunks.push(copy);
      this.bufferedBytes += copy.byteLength;
      while (this.bufferedBytes >= this.partSizeBytes) await this.uploadPart(this.take(this.partSizeBytes));
    });
  }

  async commit(): Promise<ObjectInfo> {
    this.assertOpen();
    this.state = 'committing';
    await this.enqueue(async () => {
      if (this.uploadId === undefined) {
        await this.store.put(this.uri, this.take(this.bufferedBytes), { contentType: this.contentType });
        return;
      }
      if (this.bufferedBytes > 0) await this.uploadPart(this.take(this.bufferedBytes));
      const uploadId = this.uploadId;
      await this.store.call(this.uri, this.bucket, (c, s) =>
        c.send(
          new s.CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: this.key,
            UploadId: uploadId,
            MultipartUpload: { Parts: this.parts },
          }),
        ),
      );
    });
    this.state = 'done';
    return { uri: this.uri, sizeBytes: this.totalBytes };
  }

  async abort(): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'failed';
    await this.queue.catch(() => undefined);
    await this.abortUpload();
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op);
    this.queue = run.catch(async (err: unknown) => {
      // Any failed step fails the writer: abort the upload so no parts are left behind, and keep failing.
      this.state = 'failed';
      await this.abortUpload();
      throw err;
    });
    // Later steps must see the failure, but the rejection is reported once, to this caller.
    this.queue.catch(() => undefined);
    return run;
  }

  private async uploadPart(body: Uint8Array): Promise<void> {
    if (this.uploadId === undefined) {
      const created = await this.store.call(this.uri, this.bucket, (c, s) =>
        c.send(new s.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ContentType: this.contentType })),
      );
      if (!created.UploadId) throw new Error(`${this.uri}: CreateMultipartUpload returned no UploadId`);
      this.uploadId = created.UploadId;
    }
    const uploadId = this.uploadId;
    const partNumber = this.parts.length + 1;
    const res = await this.store.call(this.uri, this.bucket, (c, s) =>
      c.send(
        new s.UploadPartCommand({
          Bucket: this.bucket,
          Key: this.key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.byteLength,
        }),
      ),
    );
    if (!res.ETag) throw new Error(`${this.uri}: UploadPart ${partNumber} returned no ETag`);
    this.parts.push({ PartNumber: partNumber, ETag: res.ETag });
  }

  /** Removes exactly `n` buffered bytes from the front of the buffer. */
  private take(n: number): Uint8Array {
    const all = concat(this.chunks);
    const out = all.subarray(0, n);
    this.chunks = n < all.byteLength ? [all.subarray(n)] : [];
    this.bufferedBytes -= n;
    return out;
  }

  private async abortUpload(): Promise<void> {
    this.chunks = [];
    this.bufferedBytes = 0;
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    if (uploadId === undefined) return;
    await this.store
      .call(this.uri, this.bucket, (c, s) =>
        c.send(new s.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId })),
      )
      .catch(() => undefined); // best effort: a bucket lifecycle rule cleans up uploads we could not abort
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new Error(`${this.uri}: writer already committed or aborted`);
  }
}

async function readBody(body: { transformToByteArray(): Promise<Uint8Array> } | undefined): Promise<Uint8Array> {
  return body ? body.transformToByteArray() : new Uint8Array(0);
}

function errorCode(err: unknown): string | undefined {
  const e = err as { Code?: string; name?: string; cause?: unknown } | undefined;
  if (e && typeof e === 'object' && e.cause && !('$metadata' in e)) return errorCode(e.cause);
  return e?.Code ?? e?.name;
}

/** SDK errors to storage errors; see the module doc. */
export function mapS3Error(err: unknown, uri: string, bucket: string): unknown {
  if (!(err instanceof Error)) return new Error(`${uri}: ${String(err)}`);
  if (err.name === 'AbortError' || err instanceof InvalidUriError) return err;
  if (err instanceof ObjectNotFoundError || err instanceof BucketNotFoundError || err instanceof StorageAccessError) {
    return err;
  }
  const e = err as Error & { Code?: string; $metadata?: { httpStatusCode?: number } };
  const code = e.Code ?? e.name;
  const status = e.$metadata?.httpStatusCode;
  if (code === 'NoSuchBucket') return new BucketNotFoundError(uri, bucket, { cause: err });
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) return new ObjectNotFoundError(uri, { cause: err });
  if (code === 'CredentialsProviderError') {
    return new StorageAccessError(
      uri,
      'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)',
      { cause: err },
    );
  }
  if (ACCESS_CODES.has(code) || status === 401 || status === 403) {
    return new StorageAccessError(
      uri,
      `access denied (${code}${status ? `, HTTP ${status}` : ''}): check the credentials and the bucket policy`,
      { cause: err },
    );
  }
  if (code === 'InvalidRange') return err;
  // Transient or unknown: a plain Error (retryable) that names the object.
  return new Error(`${uri}: ${code}: ${err.message}`, { cause: err });
}
