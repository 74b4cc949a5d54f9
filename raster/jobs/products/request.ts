/**
 * Products asked for by a run, as they travel: an entry of `ProcessSceneInput.products` is either a name (a
 * built-in, a catalog index, a wavelength index) or a custom product's request as canonical JSON. Keeping the
 * request inside the product list means every workflow that forwards `products` (backfills, schedules, sensors)
 * carries run-time definitions unchanged, and every id derived from `products` changes with them.
 *
 * A request is what `--index`, `--calibrate`, `--where` and `--index-file` describe; plan-scene resolves it on
 * the scene's sensor into a ProductDefinition (resolve.ts).
 */
import { RasterError } from '../../errors';
import type { Calibration } from './definition';
import { PRODUCT_NAME_PATTERN } from './definition';

/** A custom product: a formula (or a comparison, which makes a mask) and how it is written. */
export interface ProductRequest {
  name: string;
  /** An index-engine formula, or `left op right` with one comparison (`>`, `>=`, `<`, `<=`, `==`, `!=`) for a mask. */
  formula: string;
  /** A mask product: the product is nodata wherever the mask is not 1. */
  where?: string;
  /** One line for COG metadata and STAC. @default the formula */
  description?: string;
  /** Values of the formula's named constants (also overridable per run with `--const`). */
  constants?: Record<string, number>;
  /** A polynomial turning the formula's value into a quantity (not for masks). */
  calibration?: Omit<Calibration, 'kind'>;
  /** A viridis preview over a value range. @default none */
  preview?: { colormap: 'viridis'; range: [number, number] };
  /** Range of the histogram the scene percentiles come from. @default [-1, 1] (a calibration maps it) */
  statistics?: { range: [number, number] };
  /** Stored sample type: float32, or int16 with `scale` (value = stored · factor + offset). @default float32 */
  dtype?: 'float32' | 'int16';
  scale?: { factor: number; offset: number };
}

/**
 * A product request that cannot be honoured as written: a bad name, a name clash, an unknown identifier, a
 * `--where` that is not a mask, a malformed index file. The same request fails the same way, so never retried.
 * The message starts with the product (or flag) it is about.
 */
export class ProductRequestError extends RasterError {
  override readonly name = 'ProductRequestError';
  constructor(subject: string, detail: string) {
    super('BAD_EXPRESSION', subject, detail);
  }
}

/** A name that is no product: not a built-in, not a custom product of the run, not a catalog or wavelength index. */
export class UnknownProductError extends ProductRequestError {
  constructor(
    readonly wanted: string,
    readonly suggestions: string[],
  ) {
    super('products', `unknown product "${wanted}" (not a built-in, a custom index of this run or a spectral index${suggestions.length ? `; did you mean ${suggestions.join(' or ')}?` : ''})`);
  }
}

const KEYS: ReadonlyArray<keyof ProductRequest> = ['name', 'formula', 'where', 'description', 'constants', 'calibration', 'preview', 'statistics', 'dtype', 'scale'];

/** The `products` entry of a request: JSON with a fixed key order, so the same request is the same string. */
export function requestEntry(req: ProductRequest): string {
  const ordered: Record<string, unknown> = {};
  for (const k of KEYS) {
    const v = req[k];
    if (v === undefined) continue;
    ordered[k] = k === 'constants' ? Object.fromEntries(Object.entries(v as Record<string, number>).sort(([a], [b]) => (a < b ? -1 : 1))) : v;
  }
  return JSON.stringify(ordered);
}

/** A `products` entry: `{ name }` for a named product, `{ request }` for a custom one. */
export function parseProductEntry(entry: string): { name: string } | { request: ProductRequest } {
  const text = entry.trim();
  if (!text.startsWith('{')) return { name: text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProductRequestError('products', `entry ${JSON.stringify(text.slice(0, 80))} is neither a product name nor a JSON request (${(err as Error).message})`);
  }
  return { request: checkRequest(value, 'products') };
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function range(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && finite(v[0]) && finite(v[1]) && v[0] < v[1];
}

/**
 * Checks the shape of a request (from an index file or a `products` entry): required fields, types, no unknown
 * keys. What the formula means is checked by resolve.ts.
 * @param where names the source in messages (`--index-file lake.json`, `products`).
 * @throws ProductRequestError naming the entry and the field.
 */
export function checkRequest(value: unknown, where: string): ProductRequest {
  const bad = (detail: string): never => {
    throw new ProductRequestError(where, detail);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('each index is an object {"name": ..., "formula": ...}');
  const v = value as Record<string, unknown>;
  const label = typeof v.name === 'string' ? `index "${v.name}"` : 'an index';
  for (const k of Object.keys(v)) if (!(KEYS as readonly string[]).includes(k)) bad(`${label}: unknown field "${k}" (fields: ${KEYS.join(', ')})`);
  if (typeof v.name !== 'string' || !PRODUCT_NAME_PATTERN.test(v.name)) {
    bad(`${label}: "name" must be an identifier (letters, digits, _; not starting with a digit; at most 64)`);
  }
  if (typeof v.formula !== 'string' || v.formula.trim() === '') bad(`${label}: "formula" must be a non-empty string`);
  if (v.where !== undefined && (typeof v.where !== 'string' || v.where === '')) bad(`${label}: "where" must name a mask product`);
  if (v.description !== undefined && typeof v.description !== 'string') bad(`${label}: "description" must be a string`);
  if (v.constants !== undefined) {
    if (typeof v.constants !== 'object' || v.constants === null || Array.isArray(v.constants)) bad(`${label}: "constants" must be an object of numbers`);
    for (const [k, c] of Object.entries(v.constants as object)) if (!finite(c)) bad(`${label}: constant ${k} must be a finite number`);
  }
  if (v.calibration !== undefined) {
    const c = v.calibration as Record<string, unknown>;
    if (typeof c !== 'object' || c === null || !Array.isArray(c.coefficients) || c.coefficients.length === 0 || !c.coefficients.every(finite)) {
      bad(`${label}: "calibration" needs "coefficients": [c0, c1, ...] (finite numbers)`);
    }
    for (const k of Object.keys(c)) if (!['coefficients', 'units', 'reference'].includes(k)) bad(`${label}: unknown calibration field "${k}"`);
    if (c.units !== undefined && typeof c.units !== 'string') bad(`${label}: calibration "units" must be a string`);
    if (c.reference !== undefined && typeof c.reference !== 'string') bad(`${label}: calibration "reference" must be a string`);
  }
  if (v.preview !== undefined) {
    const p = v.preview as Record<string, unknown>;
    if (typeof p !== 'object' || p === null || p.colormap !== 'viridis' || !range(p.range)) bad(`${label}: "preview" is {"colormap": "viridis", "range": [low, high]}`);
  }
  if (v.statistics !== undefined) {
    const s = v.statistics as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || !range(s.range)) bad(`${label}: "statistics" is {"range": [low, high]}`);
  }
  if (v.dtype !== undefined && v.dtype !== 'float32' && v.dtype !== 'int16') bad(`${label}: "dtype" is float32 or int16`);
  if (v.dtype === 'int16') {
    const s = v.scale as Record<string, unknown> | undefined;
    if (!s || !finite(s.factor) || s.factor === 0 || !finite(s.offset)) bad(`${label}: dtype int16 needs "scale": {"factor": f, "offset": o} (value = stored * f + o)`);
  } else if (v.scale !== undefined) {
    bad(`${label}: "scale" applies to dtype int16 only`);
  }
  return v as unknown as ProductRequest;
}
