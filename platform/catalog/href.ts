/**
 * Resolving a STAC href against the document it appears in. STAC hrefs are URI references (RFC 3986 §5), so
 * `./a.tif`, `../b/c.json` and `/x.tif` are relative to the document's URI, whatever its scheme.
 */
import { posix } from 'node:path';
import { InvalidUriError } from '../storage/errors';
import { normalizeUri } from '../storage/uri';

const ABSOLUTE_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** Whether a source or href is an http(s) URL (read with fetch rather than through a store). */
export function isHttpUri(uri: string): boolean {
  return /^https?:\/\//i.test(uri);
}

/**
 * The absolute URI an href names, seen from `baseUri` (a file://, s3://, memory:// or http(s):// URI, or a
 * plain path). Absolute hrefs are returned as they are (file:// ones canonicalised).
 *
 * For s3:// and memory:// bases the href is taken verbatim, like the keys in uri.ts (no percent-decoding);
 * `..` stops at the bucket root. For file:// and http(s):// it follows WHATWG URL resolution.
 * @throws InvalidUriError for an empty href, or a base that is not a URI this layer knows.
 */
export function resolveHref(baseUri: string, href: string): string {
  if (typeof href !== 'string' || href.trim() === '') throw new InvalidUriError(baseUri, 'empty href');
  const scheme = ABSOLUTE_RE.exec(href)?.[1];
  // A one-letter "scheme" is a Windows drive letter, which is a path, not a URI.
  if (scheme && scheme.length > 1) return scheme.toLowerCase() === 'file' ? normalizeUri(href) : href;
  if (isHttpUri(baseUri)) return new URL(href, baseUri).href;
  const base = normalizeUri(baseUri);
  if (base.startsWith('file:')) return normalizeUri(new URL(href, base).href);
  const m = /^([a-z0-9]+:\/\/[^/]+)\/(.*)$/i.exec(base);
  if (!m) throw new InvalidUriError(baseUri, `cannot resolve "${href}" against it`);
  const [, authority, key] = m;
  const path = href.split(/[?#]/)[0];
  const dir = href.startsWith('/') ? '/' : posix.dirname(`/${key}`);
  const resolved = posix.normalize(posix.join(dir, path));
  const keepSlash = path.endsWith('/') && !resolved.endsWith('/');
  return `${authority}${resolved}${keepSlash ? '/' : ''}`;
}
