/**
 * Listing bare GeoTIFFs under a prefix or matching a glob, through `store.list` (recursive, key order).
 */
import type { SceneRef } from './scene-types';
import type { ObjectStore } from '../storage/object-store';
import { globToRegExp } from './glob';
import { sceneFromObject } from './scene-ref';

const TIFF_RE = /\.tiff?$/i;

/**
 * Yields one scene per `.tif`/`.tiff` object under `prefixUri` (and matching `pattern`, when given, against
 * the part of the URI after the prefix; file:// URIs are percent-decoded first), in key order.
 */
export async function* listObjects(
  store: ObjectStore,
  prefixUri: string,
  pattern: string | undefined,
  opts: { signal?: AbortSignal; onPage?(pages: number): void },
): AsyncGenerator<SceneRef> {
  const re = pattern === undefined ? undefined : globToRegExp(pattern);
  const decode = prefixUri.startsWith('file:');
  let seen = 0;
  for await (const obj of store.list(prefixUri)) {
    opts.signal?.throwIfAborted();
    // A store pages its listing in 1000s (S3's page size); report progress at the same grain.
    if (++seen % 1000 === 0) opts.onPage?.(seen / 1000);
    if (!TIFF_RE.test(obj.uri)) continue;
    if (re) {
      const rest = obj.uri.slice(prefixUri.length);
      if (!re.test(decode ? safeDecode(rest) : rest)) continue;
    }
    yield sceneFromObject(obj.uri);
  }
  opts.onPage?.(Math.floor(seen / 1000) + 1);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
