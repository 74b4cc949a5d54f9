/**
 * Stable identifiers of a run. The same input and parameters always give the same scene id, parameter hash and
 * workflow id, so starting a run twice attaches to the first one and every output lands on the same key.
 * Pure (no Node APIs): usable by the CLI, activities and workflow code alike.
 */
import type { ProcessSceneInput } from './types';

/** Scene id from the input's file name: `s3://b/x/WYV_2024-08-01.tif` → `WYV_2024-08-01`. */
export function deriveSceneId(inputUri: string): string {
  const base = inputUri.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? 'scene';
  const stem = base.replace(/\.(tiff?|json)$/i, '').replace(/\.stac$/i, '');
  return sanitizeSceneId(stem);
}

/** Keeps letters, digits, dot, dash and underscore; ids are used in object keys and workflow ids. */
export function sanitizeSceneId(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 120);
  return clean.length > 0 ? clean : 'scene';
}

/** 12 hex digits of FNV-1a (64-bit) over the parameters that shape the outputs. */
export function paramsHash(input: Pick<ProcessSceneInput, 'input' | 'out' | 'products' | 'wavelengthsNm' | 'params' | 'vectors' | 'reproject'>): string {
  const params = Object.entries(input.params ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const canonical = JSON.stringify({
    input: input.input,
    out: input.out.replace(/\/+$/, ''),
    products: [...input.products].sort(),
    wavelengthsNm: input.wavelengthsNm ?? null,
    // Only present when set, so the ids of runs with default parameters stay what they were.
    ...(params.length ? { params: Object.fromEntries(params) } : {}),
    ...(input.vectors ? { vectors: input.vectors } : {}),
    ...(input.reproject ? { reproject: input.reproject } : {}),
  });
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (const byte of new TextEncoder().encode(canonical)) {
    h ^= BigInt(byte);
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0').slice(0, 12);
}

/** Workflow id of a scene run: `scene-<sceneId>-<paramsHash>`. */
export function sceneWorkflowId(sceneId: string, hash: string): string {
  return `scene-${sceneId}-${hash}`;
}
