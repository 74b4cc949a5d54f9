/**
 * SceneRefs from what a listing found: a STAC item, or a bare GeoTIFF object.
 */
import { posix } from 'node:path';
import type { SceneRef } from './scene-types';
import { pickAsset } from './assets';
import { NoUsableAssetError } from './errors';
import { itemBbox, itemDatetime, type StacItem } from './stac';

/**
 * The scene of a STAC item. An item without a usable GeoTIFF asset (or without the one `assetKey` names) is still
 * a scene of the catalog: it comes back with `unusable` set to the reason, so that scene fails alone and the
 * listing goes on.
 */
export function sceneFromItem(item: StacItem, itemUri: string, assetKey?: string): SceneRef {
  let assetUri = '';
  let unusable: string | undefined;
  try {
    assetUri = pickAsset(item, itemUri, assetKey);
  } catch (err) {
    if (!(err instanceof NoUsableAssetError)) throw err;
    unusable = err.message;
  }
  const ref: SceneRef = { id: item.id, assetUri, itemUri, datetime: itemDatetime(item) };
  if (unusable !== undefined) ref.unusable = unusable;
  if (item.collection !== undefined) ref.collection = item.collection;
  const bbox = itemBbox(item);
  if (bbox) ref.bbox = bbox;
  return ref;
}

/** The scene of a GeoTIFF without STAC: the file stem as id, the date in its name (or folders) when there is one. */
export function sceneFromObject(uri: string): SceneRef {
  const raw = uri.split(/[?#]/)[0];
  // file:// URIs are percent-encoded; s3:// keys are verbatim (see uri.ts); http(s) paths are URL-encoded.
  const path = /^s3:|^memory:/i.test(raw) ? raw : decodeSafe(raw);
  return { id: posix.basename(path).replace(/\.tiff?$/i, ''), assetUri: uri, datetime: dateFromPath(path) };
}

/**
 * A `YYYY-MM-DD` or `YYYYMMDD` date (as midnight UTC, RFC 3339) found in the file name, else in the nearest
 * folder name that has one; null when none does. Digits that are part of a longer number do not count, so an
 * orbit number `123456789` is not read as a date, and the date must exist (no 2024-02-30).
 */
export function dateFromPath(path: string): string | null {
  const segments = path.split('/').reverse();
  for (const segment of segments) {
    const re = /(?<!\d)(\d{4})(-?)(\d{2})\2(\d{2})(?!\d)/g;
    for (let m = re.exec(segment); m; m = re.exec(segment)) {
      const [y, mo, d] = [Number(m[1]), Number(m[3]), Number(m[4])];
      if (y < 1950 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) continue;
      return `${m[1]}-${m[3]}-${m[4]}T00:00:00Z`;
    }
  }
  return null;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
