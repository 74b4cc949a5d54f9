import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RasterError } from '../raster/errors';
import { PRODUCT_NAME_PATTERN } from '../raster/jobs/products/definition';
import { checkRequest, requestEntry, type ProductRequest } from '../raster/jobs/products/request';
import { collectProducts, constantParams, UnknownProductError, type RunProducts } from '../raster/jobs/products/resolve';
import { CALIBRATIONS, checkParams, PRODUCTS, ProductParamError } from '../workflows/products';
import { VECTOR_FORMATS, type ProductName, type ReprojectRequest, type Resampling, type VectorFormat, type VectorRequest } from '../workflows/types';
import { checkReprojectEpsg, resolveMaskSources } from '../raster/jobs/products/map-request';
import { UsageError } from './usage-error';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies Options;

/**
 * `--bbox -84,41,-83,42` → `--bbox=-84,41,-83,42`: parseArgs takes a value that starts with `-` for an option and
 * refuses it as ambiguous, but a west longitude or a negative threshold is exactly that.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([^=]+)$/.exec(argv[i])?.[1];
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

/** parseArgs with strict checking, turning its errors into UsageError. */
export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * `ndwi,NDCI,ndti,mci` → canonical names: built-ins (case-insensitive, so `NDCI` is the built-in ndci), then the
 * catalog's indices and the wavelength indices.
 * @throws UsageError for an unknown name, with the closest names.
 */
export function parseProducts(value: string): ProductName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--products needs at least one product');
  return productCheck(() => collectProducts(names, PRODUCTS)).asked;
}

/** Runs a product check, turning its errors into UsageError (exit 2) with the same message. */
function productCheck<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UnknownProductError) throw new UsageError(`--products: ${err.detail}`);
    if (err instanceof RasterError || err instanceof ProductParamError) throw new UsageError(err.message);
    throw err;
  }
}

/** `bloom=NDCI > 0.3` → a custom product request. @throws UsageError when it is not NAME=FORMULA. */
export function parseIndex(value: string): ProductRequest {
  const m = /^\s*([^=\s]+)\s*=(?!=)(.*)$/s.exec(value);
  if (!m || m[2].trim() === '') throw new UsageError(`--index: "${value}" is not NAME=FORMULA (e.g. 'bloom=NDCI > 0.3')`);
  if (!PRODUCT_NAME_PATTERN.test(m[1])) throw new UsageError(`--index: "${m[1]}" is not a product name (letters, digits, _; not starting with a digit)`);
  return { name: m[1], formula: m[2].trim() };
}

/**
 * `chla=ndci:poly:14.039,86.115,194.325[:mg m-3]` (a polynomial c0 + c1·x + c2·x² + … of the formula before the
 * first colon, with an optional unit) or `chla=ndci:mishra2012` (a published calibration, workflows/products.ts
 * CALIBRATIONS) → a custom product request.
 * @throws UsageError naming what is wrong.
 */
export function parseCalibrate(value: string): ProductRequest {
  const usage = `--calibrate: "${value}" is not NAME=SOURCE:poly:C0,C1,...[:UNITS] or NAME=SOURCE:${Object.keys(CALIBRATIONS).join('|')}`;
  const { name, formula } = (() => {
    try {
      return parseIndex(value);
    } catch {
      throw new UsageError(usage);
    }
  })();
  const [source, kind, coefficients, ...units] = formula.split(':').map((x) => x.trim());
  if (!source) throw new UsageError(usage);
  if (kind === 'poly') {
    const cs = (coefficients ?? '').split(',').map((c) => c.trim());
    const values = cs.map(Number);
    if (cs.length < 2 || cs.some((c, i) => c === '' || !Number.isFinite(values[i]))) throw new UsageError(`--calibrate ${name}: "${coefficients ?? ''}" is not C0,C1[,C2...] (at least two finite numbers)`);
    const unit = units.join(':').trim();
    return { name, formula: source, calibration: { coefficients: values, ...(unit ? { units: unit } : {}) } };
  }
  const preset = kind !== undefined ? CALIBRATIONS[kind] : undefined;
  if (!preset || coefficients !== undefined) throw new UsageError(usage);
  return { name, formula: source, description: `${preset.description} (of ${source})`, calibration: { coefficients: [...preset.coefficients], units: preset.units, reference: preset.reference } };
}

/** `--const L=0.5` (repeatable) → `{ L: 0.5 }`. @throws UsageError for anything but NAME=NUMBER. */
export function parseConstants(values: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values ?? []) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(v);
    if (!m || !Number.isFinite(Number(m[2]))) throw new UsageError(`--const: "${v}" is not NAME=NUMBER (e.g. L=0.5)`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/**
 * An index file: a JSON array of product requests, or `{"indices": [...]}`. Each entry is
 * `{"name", "formula", "where"?, "description"?, "constants"?, "calibration"?, "preview"?, "statistics"?, "dtype"?, "scale"?}`.
 * YAML is not read: no YAML parser is installed.
 * @throws UsageError for an unreadable file, bad JSON or a malformed entry.
 */
export function readIndexFile(path: string): ProductRequest[] {
  if (/\.ya?ml$/i.test(path)) throw new UsageError(`--index-file ${path}: YAML is not supported; write the indices as JSON (an array of {"name", "formula", ...})`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--index-file ${path}: ${(err as Error).message}`);
  }
  const list = Array.isArray(value) ? value : (value as { indices?: unknown } | null)?.indices;
  if (!Array.isArray(list) || list.length === 0) throw new UsageError(`--index-file ${path}: expected a non-empty JSON array of indices (or {"indices": [...]})`);
  return productCheck(() => list.map((entry) => checkRequest(entry, `--index-file ${path}`)));
}

/** The product flags of `run` and `backfill`. */
export interface ProductFlags {
  products?: string;
  index?: string[];
  'index-file'?: string;
  where?: string;
  calibrate?: string[];
  const?: string[];
  param?: string[];
}

/**
 * The products and parameters a command line asks for: `--products` names (default: `fallback`, unless custom
 * products are given), `--index`, `--index-file` and `--calibrate` requests (`--where` applying to each of them),
 * `--const` values for every product with that constant, `--param` overrides; all checked without reading any
 * input (names, formulas, masks, clashes, parameters).
 * @throws UsageError with the message of the first problem.
 */
export function parseProductFlags(values: ProductFlags, fallback: readonly ProductName[]): { products: ProductName[]; params?: Record<string, number>; run: RunProducts } {
  const flagged = [...(values.index ?? []).map(parseIndex), ...(values.calibrate ?? []).map(parseCalibrate)];
  if (values.where !== undefined) {
    if (flagged.length === 0) throw new UsageError('--where applies to the --index and --calibrate products; there are none');
    for (const r of flagged) r.where = values.where;
  }
  // Index-file entries say their own "where".
  const custom = [...flagged, ...(values['index-file'] ? readIndexFile(values['index-file']) : [])];
  const names = values.products !== undefined ? values.products.split(',').map((s) => s.trim()).filter(Boolean) : custom.length ? [] : [...fallback];
  if (values.products !== undefined && names.length === 0) throw new UsageError('--products needs at least one product');
  const entries = [...names, ...custom.map(requestEntry)];
  const run = productCheck(() => collectProducts(entries, PRODUCTS));
  const constants = parseConstants(values.const);
  const fromConstants = productCheck(() => constantParams(run, constants));
  const fromParams = parseParams(values.param, run.definitions) ?? {};
  const params = { ...fromConstants, ...fromParams };
  // Names as the registry and the catalog spell them; custom products as their request JSON.
  const products = [...run.asked.filter((p) => !custom.some((c) => c.name === p)), ...custom.map(requestEntry)];
  return { products, ...(Object.keys(params).length ? { params } : {}), run };
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
export function parseParams(values: string[] | undefined, definitions: Parameters<typeof checkParams>[1] = PRODUCTS): Record<string, number> | undefined {
  if (!values?.length) return undefined;
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([A-Za-z0-9_]+\.[A-Za-z0-9_]+)=(.+)$/.exec(v.trim());
    if (!m || !Number.isFinite(Number(m[2]))) throw new UsageError(`--param: "${v}" is not <product>.<param>=<number> (e.g. ndci.threshold=0.25)`);
    out[m[1]] = Number(m[2]);
  }
  try {
    checkParams(out, definitions);
  } catch (err) {
    if (err instanceof ProductParamError) throw new UsageError(`--param: ${err.message}`);
    throw err;
  }
  return out;
}

/** The map-output flags of `run` and `backfill`. */
export const MAP_OPTIONS = {
  vectors: { type: 'string' },
  connectivity: { type: 'string' },
  'min-area': { type: 'string' },
  'vector-formats': { type: 'string' },
  reproject: { type: 'string' },
  resampling: { type: 'string' },
} as const satisfies Options;

export const MAP_HELP = `  --vectors LIST       polygons of masks: water, bloom (water with NDCI above its threshold), any mask product
                       (--index 'x=NDTI > 0.1'); GeoParquet (scene CRS) and GeoJSON (WGS 84) under vectors/
  --connectivity 4|8   pixels touching at a corner belong to one polygon with 8 (gdal_polygonize -8; default 4)
  --min-area M2        drop polygons smaller than M2 square metres (default 0)
  --vector-formats L   geoparquet,geojson (default both)
  --reproject EPSG:N   also write every raster product as a COG in EPSG:N (cog/<product>.<N>.tif), on gdalwarp's grid
  --resampling R       nearest or bilinear for every copy (default: nearest for masks, bilinear otherwise)`;

interface MapFlags {
  vectors?: string;
  connectivity?: string;
  'min-area'?: string;
  'vector-formats'?: string;
  reproject?: string;
  resampling?: string;
}

/**
 * `--vectors`, `--connectivity`, `--min-area`, `--vector-formats`, `--reproject`, `--resampling` → the request's
 * map fields, checked against the run's products (only masks are vectorised) and the projection layer (the EPSG
 * code is known) before anything starts.
 * @throws UsageError with the message of the first problem.
 */
export function parseMapFlags(values: MapFlags, run: RunProducts, params?: Record<string, number>): { vectors?: VectorRequest; reproject?: ReprojectRequest } {
  const out: { vectors?: VectorRequest; reproject?: ReprojectRequest } = {};
  for (const flag of ['connectivity', 'min-area', 'vector-formats'] as const) {
    if (values[flag] !== undefined && values.vectors === undefined) throw new UsageError(`--${flag} applies to --vectors; there is none`);
  }
  if (values.vectors !== undefined) {
    const names = values.vectors.split(',').map((s) => s.trim()).filter(Boolean);
    const connectivity = values.connectivity === undefined ? 4 : Number(values.connectivity);
    if (connectivity !== 4 && connectivity !== 8) throw new UsageError(`--connectivity: "${values.connectivity}" is not 4 or 8`);
    const minAreaM2 = values['min-area'] === undefined ? 0 : Number(values['min-area']);
    if (!Number.isFinite(minAreaM2) || minAreaM2 < 0) throw new UsageError(`--min-area: "${values['min-area']}" is not an area in m² (a number ≥ 0)`);
    const formats = values['vector-formats'] === undefined ? [...VECTOR_FORMATS] : values['vector-formats'].split(',').map((s) => s.trim().toLowerCase());
    const bad = formats.find((f) => !(VECTOR_FORMATS as readonly string[]).includes(f));
    if (bad !== undefined || formats.length === 0) throw new UsageError(`--vector-formats: "${bad ?? ''}" is not one of ${VECTOR_FORMATS.join(', ')}`);
    // The sources are resolved again at plan time; here only to refuse a non-mask before anything starts.
    const ndciThreshold = params?.['ndci.threshold'];
    productCheck(() => resolveMaskSources(names, run.asked, run.definitions, ndciThreshold === undefined ? {} : { ndci: { threshold: ndciThreshold } }));
    out.vectors = { products: names, connectivity, minAreaM2, formats: [...new Set(formats)] as VectorFormat[] };
  }
  if (values.resampling !== undefined && values.reproject === undefined) throw new UsageError('--resampling applies to --reproject; there is none');
  if (values.reproject !== undefined) {
    const m = /^(?:EPSG:)?(\d{1,6})$/i.exec(values.reproject.trim());
    if (!m) throw new UsageError(`--reproject: "${values.reproject}" is not an EPSG code (e.g. EPSG:3857)`);
    const epsg = Number(m[1]);
    productCheck(() => checkReprojectEpsg(epsg));
    if (values.resampling !== undefined && values.resampling !== 'nearest' && values.resampling !== 'bilinear') {
      throw new UsageError(`--resampling: "${values.resampling}" is not nearest or bilinear`);
    }
    out.reproject = { epsg, ...(values.resampling ? { resampling: values.resampling as Resampling } : {}) };
  }
  return out;
}
