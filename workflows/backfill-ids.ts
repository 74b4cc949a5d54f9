/**
 * Stable identifiers of a backfill. The same source, filters, output root and product parameters always give the
 * same backfill id, so starting a backfill twice while it runs attaches to the running one, and starting it again
 * after it closed re-plans every scene (the scene runs skip unchanged partitions from their manifests).
 * Pure (no Node APIs): usable by the CLI, activities and workflow code alike.
 */
import type { SceneFilters } from './catalog-types';
import type { ProductName, ReprojectRequest, VectorRequest } from './types';

/** What identifies a backfill; everything else (parallelism, scenes per run) only shapes how it runs. */
export interface BackfillIdentity {
  source: string;
  filters: SceneFilters;
  out: string;
  products: ProductName[];
  params?: Record<string, number>;
  wavelengthsNm?: number[];
  vectors?: VectorRequest;
  reproject?: ReprojectRequest;
}

/** `backfill-<12 hex>`: FNV-1a (64-bit) over the canonical JSON of the identity (keys sorted, products sorted). */
export function backfillId(identity: BackfillIdentity): string {
  const canonical = canonicalJson({
    source: identity.source,
    filters: identity.filters,
    out: identity.out.replace(/\/+$/, ''),
    products: [...identity.products].sort(),
    params: identity.params && Object.keys(identity.params).length > 0 ? identity.params : null,
    wavelengthsNm: identity.wavelengthsNm ?? null,
    // Only present when asked, so the ids of backfills without map outputs stay what they were.
    ...(identity.vectors ? { vectors: identity.vectors } : {}),
    ...(identity.reproject ? { reproject: identity.reproject } : {}),
  });
  return `backfill-${fnv1a64Hex(canonical).slice(0, 12)}`;
}

/**
 * A backfill id given by hand (`--id`): it names the workflow, prefixes its scene runs' ids and is a path segment of
 * `<out>/_backfills/<id>/`, so it is kept to letters, digits, dot, dash and underscore.
 */
export const BACKFILL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function isValidBackfillId(id: string): boolean {
  return BACKFILL_ID_PATTERN.test(id) && !id.includes('..');
}

/**
 * Id of the n-th rerun of a backfill's failed scenes: `<base>-rerun-<n>`, where a rerun of a rerun keeps the
 * original base (`x-rerun-2` → `x-rerun-3`), so the chain stays readable.
 */
export function rerunId(id: string, n: number): string {
  return `${rerunBase(id)}-rerun-${n}`;
}

/** `x-rerun-2` → `x`; any other id is its own base. */
export function rerunBase(id: string): string {
  return id.replace(/-rerun-\d+$/, '');
}

/**
 * Where a backfill's objects live relative to the output root (activities/backfill-keys.ts joins them with the
 * root; the CLI reads the result through the same function when Temporal's history is gone).
 */
export function backfillKey(backfillId: string, part: 'listing' | 'result.json'): string {
  return `_backfills/${backfillId}/${part}`;
}

/** Name of the n-th listing page object under the listing prefix: `page-00000.json`. */
export function listingPageName(page: number): string {
  return `page-${String(page).padStart(5, '0')}.json`;
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** FNV-1a, 64-bit, as 16 hex digits (the same function as paramsHash in run-ids.ts). */
function fnv1a64Hex(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
