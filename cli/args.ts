import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkParams, ProductParamError } from '../workflows/products';
import { PRODUCT_NAMES, type ProductName } from '../workflows/types';
import { UsageError } from './usage-error';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies Options;

/** parseArgs with strict checking, turning its errors into UsageError. */
export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `ndwi,NDCI,rgb` → ['ndwi','ndci','rgb']; product names are case-insensitive. */
export function parseProducts(value: string): ProductName[] {
  const names = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--products needs at least one product');
  for (const n of names) {
    if (!PRODUCT_NAMES.includes(n as ProductName)) throw new UsageError(`unknown product "${n}" (expected one of ${PRODUCT_NAMES.join(', ')})`);
  }
  return [...new Set(names)] as ProductName[];
}

/** `485,560,660` → [485, 560, 660]; each a positive number of nanometres. */
export function parseWavelengths(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const out = parts.map(Number);
  const bad = parts.findIndex((p, i) => p === '' || !Number.isFinite(out[i]) || out[i] <= 0 || out[i] > 100_000);
  if (bad >= 0) throw new UsageError(`--wavelengths: "${parts[bad]}" is not a wavelength in nm (expected e.g. 485,560,660,835)`);
  return out;
}

export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag}: "${value}" is not a positive integer`);
  return n;
}

/**
 * `--param ndci.threshold=0.25` (repeatable) → `{ 'ndci.threshold': 0.25 }`, checked against the product registry.
 * @throws UsageError naming the bad entry.
 */
export function parseParams(values: string[] | undefined): Record<string, number> | undefined {
  if (!values?.length) return undefined;
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([a-z0-9_]+\.[A-Za-z0-9_]+)=(.+)$/.exec(v.trim());
    if (!m || !Number.isFinite(Number(m[2]))) throw new UsageError(`--param: "${v}" is not <product>.<param>=<number> (e.g. ndci.threshold=0.25)`);
    out[m[1]] = Number(m[2]);
  }
  try {
    checkParams(out);
  } catch (err) {
    if (err instanceof ProductParamError) throw new UsageError(`--param: ${err.message}`);
    throw err;
  }
  return out;
}
