/**
 * Object URIs: the only way the rest of Tessera names stored bytes.
 *
 * - `file:///abs/path` (percent-encoded as by `pathToFileURL`); a plain path (`out/a.tif`, `/tmp/x`) is read
 *   as a file URI, relative paths against the working directory.
 * - `s3://bucket/key`: the key is taken verbatim (no percent-decoding), as the AWS CLI does.
 * - `memory://name/key`: the in-memory store used by tests.
 * - `http://…` and `https://…`: read-only inputs on a web server, kept verbatim (query string included, so a
 *   presigned URL keeps its signature).
 *
 * A "prefix URI" (for `list` / `deletePrefix`) is the same syntax; it matches every object whose URI starts
 * with it, as an S3 key prefix does (`s3://b/run1` also matches `s3://b/run10/x`; end it with `/` to match
 * one "directory" only).
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidUriError } from './errors';

export type UriScheme = 'file' | 's3' | 'memory' | 'http' | 'https';

export type ParsedUri =
  /** `path` is absolute and normalised; a trailing `/` is kept (it matters for prefixes). */
  | { readonly scheme: 'file'; readonly path: string }
  /** `key` may be empty (the whole bucket, as a prefix). */
  | { readonly scheme: 's3'; readonly bucket: string; readonly key: string }
  | { readonly scheme: 'memory'; readonly name: string; readonly key: string }
  /** `url` is the URI exactly as given. */
  | { readonly scheme: 'http' | 'https'; readonly url: string };

const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
/** S3 bucket naming rules (3-63 chars, lowercase letters, digits, dots, hyphens), checked loosely. */
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MEMORY_NAME_RE = /^[A-Za-z0-9._-]+$/;

/**
 * Parses an object URI or a plain path.
 * @param cwd base directory for relative plain paths.
 * @default cwd process.cwd()
 * @throws InvalidUriError for unknown schemes (`ftp://x`), a missing bucket or name (`s3://`), a bad bucket
 *   name, a NUL byte, a non-local `file://host/...` URI, or an http(s) URL without a host or with credentials.
 */
export function parseUri(uri: string, cwd: string = process.cwd()): ParsedUri {
  if (typeof uri !== 'string' || uri.length === 0) throw new InvalidUriError(String(uri), 'empty URI');
  if (uri.includes('\0')) throw new InvalidUriError(uri.replace(/\0/g, '\\0'), 'URI contains a NUL byte');
  const m = SCHEME_RE.exec(uri);
  // A one-letter "scheme" is a Windows drive (C:\...), which we treat as a path like any other.
  if (!m || m[1].length === 1) {
    const p = resolve(cwd, uri);
    return { scheme: 'file', path: keepTrailingSlash(uri, p) };
  }
  const scheme = m[1].toLowerCase();
  const rest = uri.slice(m[0].length);
  switch (scheme) {
    case 'file': {
      if (!rest.startsWith('//')) throw new InvalidUriError(uri, 'expected file:///absolute/path');
      let p: string;
      try {
        p = fileURLToPath(uri);
      } catch (err) {
        throw new InvalidUriError(uri, `not a local file URI (${(err as Error).message})`, { cause: err });
      }
      if (!isAbsolute(p)) throw new InvalidUriError(uri, 'file URI path is not absolute');
      if (p.includes('\0')) throw new InvalidUriError(uri, 'URI contains a NUL byte');
      return { scheme: 'file', path: keepTrailingSlash(uri, resolve(p)) };
    }
    case 's3': {
      const { host, key } = splitAuthority(uri, rest);
      if (!BUCKET_RE.test(host) || host.includes('..')) {
        throw new InvalidUriError(uri, `invalid bucket name "${host}"`);
      }
      return { scheme: 's3', bucket: host, key };
    }
    case 'memory': {
      const { host, key } = splitAuthority(uri, rest);
      if (!MEMORY_NAME_RE.test(host)) throw new InvalidUriError(uri, `invalid memory store name "${host}"`);
      return { scheme: 'memory', name: host, key };
    }
    case 'http':
    case 'https':
      return { scheme, url: checkHttpUrl(uri, rest) };
    default:
      throw new InvalidUriError(uri, `unsupported scheme "${scheme}:" (expected file://, s3:// or memory://)`);
  }
}

/** Formats a parsed URI; `formatUri(parseUri(u))` is the canonical form of `u`. */
export function formatUri(p: ParsedUri): string {
  switch (p.scheme) {
    case 'file': {
      const href = pathToFileURL(p.path).href;
      // pathToFileURL drops a trailing slash on some inputs; a prefix needs it.
      return p.path.endsWith('/') && !href.endsWith('/') ? `${href}/` : href;
    }
    case 's3':
      return `s3://${p.bucket}/${p.key}`;
    case 'memory':
      return `memory://${p.name}/${p.key}`;
    case 'http':
    case 'https':
      return p.url;
  }
}

/** Canonical form of a URI or plain path (plain paths become `file://` URIs). */
export function normalizeUri(uri: string, cwd?: string): string {
  return formatUri(parseUri(uri, cwd));
}

/** The scheme of a URI, without validating the rest. Plain paths are `file`. */
export function uriScheme(uri: string): UriScheme {
  return parseUri(uri).scheme;
}

/**
 * Appends path segments to a base URI, so that user input can never leave the base.
 *
 * Each segment may contain `/` (`'tiles/0/1.tif'`), but every part between slashes must be non-empty and not
 * `.` or `..`; absolute paths, backslashes and NUL bytes are rejected. The base itself may or may not end in
 * `/`.
 * @throws InvalidUriError naming the base and the offending segment.
 */
export function joinUri(base: string, ...segments: string[]): string {
  const parsed = parseUri(base);
  const baseUri = formatUri(parsed);
  const parts: string[] = [];
  for (const seg of segments) {
    const shown = JSON.stringify(seg);
    if (typeof seg !== 'string' || seg.length === 0) throw new InvalidUriError(baseUri, `empty path segment ${shown}`);
    if (seg.includes('\0')) throw new InvalidUriError(baseUri, `path segment ${shown} contains a NUL byte`);
    if (seg.includes('\\')) throw new InvalidUriError(baseUri, `path segment ${shown} contains a backslash`);
    if (seg.startsWith('/')) throw new InvalidUriError(baseUri, `path segment ${shown} is absolute`);
    if (SCHEME_RE.test(seg) && seg.includes('://')) {
      throw new InvalidUriError(baseUri, `path segment ${shown} is a URI`);
    }
    for (const part of seg.split('/')) {
      if (part === '') throw new InvalidUriError(baseUri, `path segment ${shown} has an empty part`);
      if (part === '.' || part === '..') {
        throw new InvalidUriError(baseUri, `path segment ${shown} contains "${part}"`);
      }
      parts.push(part);
    }
  }
  const tail = parts.join('/');
  switch (parsed.scheme) {
    case 'file': {
      const dir = parsed.path.endsWith('/') ? parsed.path : `${parsed.path}/`;
      return formatUri({ scheme: 'file', path: dir + tail });
    }
    case 's3':
      return formatUri({ ...parsed, key: joinKey(parsed.key, tail) });
    case 'memory':
      return formatUri({ ...parsed, key: joinKey(parsed.key, tail) });
    case 'http':
    case 'https':
      return joinUrl(parsed.url, parts);
  }
}

function checkHttpUrl(uri: string, rest: string): string {
  if (!rest.startsWith('//')) throw new InvalidUriError(uri, 'expected http(s)://host/path');
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    throw new InvalidUriError(uri, 'not a valid URL', { cause: err });
  }
  if (url.hostname === '') throw new InvalidUriError(uri, 'missing host');
  // fetch refuses them anyway, and they would be printed in every log line and error naming the URI.
  if (url.username !== '' || url.password !== '') {
    throw new InvalidUriError(uri, 'credentials in http(s) URLs are not supported');
  }
  return uri;
}

/**
 * Appends checked parts to an http(s) URL's path. Characters that cannot appear in a path segment are
 * percent-encoded (a space, `?`, `#`, non-ASCII), while an existing `%XX` is kept, as URL references in STAC
 * hrefs already are encoded.
 */
function joinUrl(base: string, parts: string[]): string {
  if (/[?#]/.test(base.slice(base.indexOf('//') + 2))) {
    throw new InvalidUriError(base, 'cannot append path segments to a URL with a query or fragment');
  }
  for (const part of parts) {
    // URL parsers (and so fetch) treat %2e as ".", so "%2e%2e" would climb out of the base like "..".
    if (/^(\.|%2e){1,2}$/i.test(part)) throw new InvalidUriError(base, `path segment part "${part}" is a dot segment`);
  }
  const tail = parts.map((p) => p.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@%]/gu, (c) => encodeURIComponent(c))).join('/');
  return base.endsWith('/') ? base + tail : `${base}/${tail}`;
}

function joinKey(key: string, tail: string): string {
  if (key === '') return tail;
  return key.endsWith('/') ? key + tail : `${key}/${tail}`;
}

function splitAuthority(uri: string, rest: string): { host: string; key: string } {
  if (!rest.startsWith('//')) throw new InvalidUriError(uri, 'expected <scheme>://<bucket>/<key>');
  const body = rest.slice(2);
  const slash = body.indexOf('/');
  const host = slash < 0 ? body : body.slice(0, slash);
  const key = slash < 0 ? '' : body.slice(slash + 1);
  if (host === '') throw new InvalidUriError(uri, 'missing bucket (or store name)');
  return { host, key };
}

function keepTrailingSlash(original: string, resolved: string): string {
  const wantsSlash = original.endsWith('/') || original.endsWith('/.');
  return wantsSlash && !resolved.endsWith('/') ? `${resolved}/` : resolved;
}
