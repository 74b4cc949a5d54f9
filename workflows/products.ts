/**
 * The product registry: what each product is, as data. Plan, tile job, statistics, COG assembly, previews, STAC,
 * the catalog table and the content key all read these definitions, so a product's parameters and version live in
 * one place.
 *
 * Pure (no Node APIs): the workflow, the CLI and activities all import it.
 */
import type { ProductName } from './types';

export interface ProductDefinition {
  name: ProductName;
  /** One line for COG metadata, STAC and `--help`. */
  description: string;
  /** Band roles the product reads (raster/indices/hab.ts HAB_ROLES). */
  roles: readonly string[];
  /** Products whose definitions feed this one (NDCI is computed inside the water mask). */
  dependsOn: readonly ProductName[];
  /** Tunable parameters and their defaults; overridden per run as `<product>.<param>=<value>`. */
  params: Readonly<Record<string, number>>;
  /**
   * Version of the code that computes the product. Bump it when the product's pixels or statistics change for
   * the same input and parameters: every partition computed before then becomes stale.
   */
  version: number;
  /** `cog`: a raster product; `preview`: only a PNG. */
  output: 'cog' | 'preview';
}

export const PRODUCTS: Readonly<Record<ProductName, ProductDefinition>> = {
  ndwi: {
    name: 'ndwi',
    description: 'NDWI (G - N) / (G + N), N clamped to >= 0',
    roles: ['g', 'n'],
    dependsOn: [],
    params: {},
    version: 1,
    output: 'cog',
  },
  water: {
    name: 'water',
    description: 'Water mask: NDWI > threshold (1 water, 0 not water, 255 nodata)',
    roles: ['g', 'n'],
    dependsOn: [],
    params: { threshold: 0.3 },
    version: 1,
    output: 'cog',
  },
  ndci: {
    name: 'ndci',
    description: 'NDCI (RE - R) / (RE + R) inside water, RE clamped to >= 0; bloom where NDCI > threshold',
    roles: ['g', 'n', 're', 'r'],
    dependsOn: ['water'],
    params: { threshold: 0.3 },
    version: 1,
    output: 'cog',
  },
  ndvi: {
    name: 'ndvi',
    description: 'NDVI (N - R) / (N + R)',
    roles: ['n', 'r'],
    dependsOn: [],
    params: {},
    version: 1,
    output: 'cog',
  },
  rgb: {
    name: 'rgb',
    description: 'True-colour preview, 2-98 percentile stretch per band',
    roles: ['red', 'green', 'blue'],
    dependsOn: [],
    params: {},
    version: 1,
    output: 'preview',
  },
};

/** Bump when a shared stage changes the bytes of every product (tiling, COG layout, statistics, tables). */
export const PIPELINE_VERSION = 1;

/** The code-version part of a product's partition key, e.g. `pipeline.v1/ndci.v1/water.v1`. */
export function productCodeVersion(product: ProductName): string {
  return [`pipeline.v${PIPELINE_VERSION}`, ...withDependencies(product).reverse().map((p) => `${p}.v${PRODUCTS[p].version}`)].join('/');
}

/** A parameter override that names no product or parameter of the registry. */
export class ProductParamError extends Error {
  override readonly name = 'ProductParamError';
  /** A parameter the registry does not know stays unknown on a retry. */
  get retryable(): boolean {
    return false;
  }
}

/**
 * Checks overrides (`{ 'ndci.threshold': 0.25 }`) against the registry.
 * @throws ProductParamError naming the key and what the product accepts.
 */
export function checkParams(params: Readonly<Record<string, number>> | undefined): void {
  for (const [key, value] of Object.entries(params ?? {})) {
    const [product, param, extra] = key.split('.');
    const def = PRODUCTS[product as ProductName];
    if (!def || !param || extra !== undefined) throw new ProductParamError(`"${key}" is not <product>.<param> (products: ${Object.keys(PRODUCTS).join(', ')})`);
    if (!(param in def.params)) {
      const known = Object.keys(def.params);
      throw new ProductParamError(`${product} has no parameter "${param}" (${known.length ? `it has ${known.join(', ')}` : 'it has none'})`);
    }
    if (!Number.isFinite(value)) throw new ProductParamError(`${key} = ${value} is not a finite number`);
  }
}

/** The parameters a product runs with: its defaults, overridden by `params`. */
export function productParams(product: ProductName, params?: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...PRODUCTS[product].params };
  for (const key of Object.keys(out)) {
    const v = params?.[`${product}.${key}`];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The product and every product it depends on, transitively, each once, dependencies first. */
export function withDependencies(product: ProductName): ProductName[] {
  const out: ProductName[] = [];
  const visit = (p: ProductName) => {
    for (const d of PRODUCTS[p].dependsOn) visit(d);
    if (!out.includes(p)) out.push(p);
  };
  visit(product);
  return out;
}

/**
 * The parameters that shape a product's pixels: its own and its dependencies', keyed `product.param`, only
 * those that differ from the defaults. Empty for a product run with its defaults.
 */
export function nonDefaultParams(product: ProductName, params?: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of withDependencies(product)) {
    const effective = productParams(p, params);
    for (const [k, v] of Object.entries(effective)) if (v !== PRODUCTS[p].params[k]) out[`${p}.${k}`] = v;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The variant name outputs are stored under: the product name with default parameters, else `name@<8 hex>` of
 * the non-default parameters. Two parameter sets of one product therefore never share an object key, and the
 * default set keeps the plain name users expect (`cog/ndci.tif`).
 */
export function productVariant(product: ProductName, params?: Readonly<Record<string, number>>): string {
  const diff = nonDefaultParams(product, params);
  if (Object.keys(diff).length === 0) return product;
  return `${product}@${fnv1a64Hex(JSON.stringify(diff)).slice(0, 8)}`;
}

/** 16 hex digits of FNV-1a (64-bit) over the UTF-8 bytes of `text`. Deterministic, usable in workflow code. */
export function fnv1a64Hex(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
