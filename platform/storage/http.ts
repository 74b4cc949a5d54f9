/**
 * Read-only object store for inputs on a web server (`http://…`, `https://…`): a scene on a static file
 * server, a CDN, or behind a presigned URL.
 *
 * - `source()` does one ranged GET (`Range: bytes=a-b`) per fetch, through httpFetch (retries on 5xx, 429 and
 *   network errors), and passes the caller's AbortSignal to the request and the body.
 * - A server that ignores `Range` would send the whole object for every tile: that is detected from the
 *   status and `Content-Range`, the body is cancelled unread, and RangeNotSupportedError is thrown.
 * - A source reads one version: the first response's ETag (else Last-Modified) and total size are pinned
 *   (or `expected` is used), sent back as `If-Match` / `If-Unmodified-Since`, and compared on every response;
 *   any difference, or a 412, is ObjectChangedError.
 * - Writes, deletes and listings throw ReadOnlyStoreError: outputs go to `file://` or `s3://`.
 */
import { HttpStatusError, InvalidUriError, ObjectChangedError, ObjectNotFoundError, RangeNotSupportedError, ReadOnlyStoreError } from './errors';
import { type HttpRetryOptions, httpFetch } from './http-fetch';
import type { CountingByteSource, ObjectInfo, ObjectStore, ObjectVersion, ObjectWriter, PutOptions, SourceOptions } from './object-store';
import { parseUri } from './uri';

export interface HttpStoreOptions {
  /** Retries and timeouts of every request (see HttpRetryOptions). @default httpFetch's defaults */
  retry?: Omit<HttpRetryOptions, 'signal'>;
}

/**
 * Byte ranges count bytes of the encoded body, and undici asks for gzip and decodes it by default: ask for
 * the bytes as stored, or offsets and sizes would be wrong.
 */
const IDENTITY = { 'accept-encoding': 'identity' } as const;

export class HttpObjectStore implements ObjectStore {
  private readonly retry: Omit<HttpRetryOptions, 'signal'>;

  constructor(opts: HttpStoreOptions = {}) {
    this.retry = opts.retry ?? {};
  }

  source(uri: string, opts?: SourceOptions): CountingByteSource {
    return new HttpByteSource(this.url(uri), this.retry, opts?.expected);
  }

  async get(uri: string): Promise<Uint8Array> {
    const url = this.url(uri);
    return readBody(await httpFetch(url, undefined, this.retry), url, undefined);
  }

  async head(uri: string): Promise<ObjectInfo | undefined> {
    return headUrl(this.url(uri), this.retry);
  }

  async put(uri: string, _body?: ArrayBufferView | string, _opts?: PutOptions): Promise<ObjectInfo> {
    throw new ReadOnlyStoreError(this.url(uri), 'put');
  }
  async createWriter(uri: string, _opts?: PutOptions): Promise<ObjectWriter> {
    throw new ReadOnlyStoreError(this.url(uri), 'write');
  }
  async delete(uri: string): Promise<void> {
    throw new ReadOnlyStoreError(this.url(uri), 'delete');
  }
  async deletePrefix(prefixUri: string): Promise<void> {
    throw new ReadOnlyStoreError(this.url(prefixUri), 'delete');
  }
  /** @throws ReadOnlyStoreError at once: a web server has no listing to read. */
  list(prefixUri: string): AsyncIterable<ObjectInfo> {
    throw new ReadOnlyStoreError(this.url(prefixUri), 'list');
  }

  private url(uri: string): string {
    const p = parseUri(uri);
    if (p.scheme !== 'http' && p.scheme !== 'https') {
      throw new InvalidUriError(uri, 'the http(s) store only accepts http:// and https:// URLs');
    }
    return p.url;
  }
}

/** Ranged GETs of one URL, all of one version of the object. */
class HttpByteSource implements CountingByteSource {
  readonly stats = { requests: 0, bytes: 0 };
  /** What every response must match: `expected`, completed by the first response seen. */
  private readonly pinned: Partial<ObjectVersion>;
  private sizePromise?: Promise<number>;

  constructor(
    readonly url: string,
    private readonly retry: Omit<HttpRetryOptions, 'signal'>,
    expected: ObjectVersion | undefined,
  ) {
    this.pinned = { ...expected };
  }

  size(): Promise<number> {
    if (this.pinned.sizeBytes !== undefined) return Promise.resolve(this.pinned.sizeBytes);
    this.sizePromise ??= headUrl(this.url, this.retry).then((info) => {
      if (!info) throw new ObjectNotFoundError(this.url);
      this.check(info.sizeBytes, info);
      return info.sizeBytes;
    });
    this.sizePromise.catch(() => (this.sizePromise = undefined));
    return this.sizePromise;
  }

  async fetch(offset: number, length: number, opts?: { signal?: AbortSignal }): Promise<Uint8Array> {
    const signal = opts?.signal;
    signal?.throwIfAborted();
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`${this.url}: invalid range offset=${offset} length=${length}`);
    }
    if (length === 0) return new Uint8Array(0);
    // HTTP ranges are inclusive at both ends.
    const range = `bytes=${offset}-${offset + length - 1}`;
    const condition = this.condition();
    let res: Response;
    try {
      res = await httpFetch(this.url, { headers: { range, ...IDENTITY, ...condition?.header } }, { ...this.retry, signal });
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 412 && condition) throw this.refused(condition.field, err);
      if (err instanceof HttpStatusError && err.status === 416) {
        // A range starting at or past the end: the contract is a short (here empty) read, not an error.
        this.check(parseContentRange(err.headers?.get('content-range'))?.totalBytes, versionOf(err.headers));
        return new Uint8Array(0);
      }
      throw err;
    }
    try {
      this.check(this.rangeTotal(res, offset, length, range), versionOf(res.headers));
    } catch (err) {
      // Unread, the rest of a possibly huge body would still be downloaded into the socket.
      await res.body?.cancel().catch(() => undefined);
      throw err;
    }
    const bytes = await readBody(res, this.url, signal);
    this.stats.requests++;
    this.stats.bytes += bytes.byteLength;
    return bytes.byteLength > length ? bytes.subarray(0, length) : bytes;
  }

  /**
   * The object's total size from a ranged response, after checking that the server honoured the range.
   * @throws RangeNotSupportedError for a 200 with more than was asked, or a 206 without a matching Content-Range.
   */
  private rangeTotal(res: Response, offset: number, length: number, range: string): number | undefined {
    if (res.status === 206) {
      const cr = parseContentRange(res.headers.get('content-range'));
      if (cr?.start === offset) return cr.totalBytes;
      const got = res.headers.get('content-range');
      throw new RangeNotSupportedError(
        this.url,
        got === null
          ? 'the server ignored the Range header (HTTP 206 without Content-Range)'
          : `the server ignored the Range header (asked for ${range}, got Content-Range "${got}")`,
      );
    }
    // A 200 is still the right answer when the "range" covered the whole object.
    const whole = res.status === 200 ? contentLength(res.headers) : undefined;
    if (whole !== undefined && offset === 0 && whole <= length) return whole;
    if (res.status === 200) throw new RangeNotSupportedError(this.url);
    throw new HttpStatusError(this.url, res.status, { statusText: res.statusText, headers: res.headers });
  }

  /**
   * Compares a response with the pinned version (ETag, else Last-Modified; and the size), then pins what was
   * not known yet.
   * @throws ObjectChangedError
   */
  private check(sizeBytes: number | undefined, seen: { etag?: string; lastModified?: string }): void {
    const p = this.pinned;
    if (p.etag !== undefined && seen.etag !== undefined) {
      if (opaqueTag(p.etag) !== opaqueTag(seen.etag)) throw new ObjectChangedError(this.url, 'ETag', p.etag, seen.etag);
    } else if (p.lastModified !== undefined && seen.lastModified !== undefined && p.lastModified !== seen.lastModified) {
      throw new ObjectChangedError(this.url, 'Last-Modified', p.lastModified, seen.lastModified);
    }
    if (p.sizeBytes !== undefined && sizeBytes !== undefined && p.sizeBytes !== sizeBytes) {
      throw new ObjectChangedError(this.url, 'size', p.sizeBytes, sizeBytes);
    }
    p.etag ??= seen.etag;
    p.lastModified ??= seen.lastModified;
    p.sizeBytes ??= sizeBytes;
  }

  /** The precondition that lets the server refuse another version before sending any of it. */
  private condition(): { field: 'ETag' | 'Last-Modified'; header: Record<string, string> } | undefined {
    const { etag, lastModified } = this.pinned;
    // If-Match compares strongly, so a weak ETag would never match: those are only compared by check().
    if (etag !== undefined && !etag.startsWith('W/')) return { field: 'ETag', header: { 'if-match': etag } };
    if (lastModified !== undefined) {
      return { field: 'Last-Modified', header: { 'if-unmodified-since': new Date(lastModified).toUTCString() } };
    }
    return undefined;
  }

  /** A 412 to our precondition; many servers send the current validators with it, which the message shows. */
  private refused(field: 'ETag' | 'Last-Modified', err: HttpStatusError): ObjectChangedError {
    const now = versionOf(err.headers);
    const pinned = (field === 'ETag' ? this.pinned.etag : this.pinned.lastModified) ?? '';
    const seen = field === 'ETag' ? now.etag : now.lastModified;
    return new ObjectChangedError(this.url, field, pinned, seen === pinned ? undefined : seen, { cause: err });
  }
}

/**
 * HEAD, or a one-byte GET where the server refuses HEAD (405/501).
 * @returns `undefined` for 404/410.
 */
async function headUrl(url: string, retry: HttpRetryOptions): Promise<ObjectInfo | undefined> {
  let res: Response;
  try {
    res = await httpFetch(url, { method: 'HEAD', headers: IDENTITY }, retry);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    if (err instanceof HttpStatusError && (err.status === 405 || err.status === 501)) return headByRange(url, retry);
    throw err;
  }
  const sizeBytes = contentLength(res.headers);
  // Without Content-Length (some servers stream HEAD like GET) the size has to come from Content-Range.
  return sizeBytes === undefined ? headByRange(url, retry) : { uri: url, sizeBytes, ...versionOf(res.headers) };
}

async function headByRange(url: string, retry: HttpRetryOptions): Promise<ObjectInfo | undefined> {
  let res: Response;
  try {
    res = await httpFetch(url, { headers: { range: 'bytes=0-0', ...IDENTITY } }, retry);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    // The first byte is out of range only for an empty object.
    if (err instanceof HttpStatusError && err.status === 416) return { uri: url, sizeBytes: 0, ...versionOf(err.headers) };
    throw err;
  }
  await res.body?.cancel().catch(() => undefined);
  const sizeBytes =
    res.status === 206 ? parseContentRange(res.headers.get('content-range'))?.totalBytes : contentLength(res.headers);
  if (sizeBytes === undefined) throw new RangeNotSupportedError(url, 'the server reports no size (no Content-Length, no Content-Range)');
  return { uri: url, sizeBytes, ...versionOf(res.headers) };
}

/** `bytes 0-99/1234` (RFC 9110 §14.4). The total may be `*`; a 416 has `*` in place of the range. */
function parseContentRange(header: string | null | undefined): { start?: number; totalBytes?: number } | undefined {
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (!m) return undefined;
  return { start: m[1] === undefined ? undefined : Number(m[1]), totalBytes: m[3] === '*' ? undefined : Number(m[3]) };
}

function contentLength(headers: Headers): number | undefined {
  const value = headers.get('content-length');
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** The validators of a response; Last-Modified as ISO 8601, like every other store's `lastModified`. */
function versionOf(headers: Headers | undefined): { etag?: string; lastModified?: string } {
  const out: { etag?: string; lastModified?: string } = {};
  const etag = headers?.get('etag');
  if (etag) out.etag = etag;
  const at = Date.parse(headers?.get('last-modified') ?? '');
  if (!Number.isNaN(at)) out.lastModified = new Date(at).toISOString();
  return out;
}

/** Weak comparison (RFC 9110 §8.8.3.2): `W/"x"` and `"x"` are the same version of the content. */
function opaqueTag(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

async function readBody(res: Response, url: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    // A connection broken mid-body: transient, so a plain Error that upper layers retry.
    throw new Error(`${url}: reading the response body failed: ${(err as Error).message}`, { cause: err });
  }
}
