/**
 * Content-keyed partitions. A partition is (scene, product variant); its key hashes
 * - the input's identity: SHA-256 of the file's leading bytes as read at open (header and, for a COG, every IFD)
 *   plus its size and ETag (or mtime where the store has no ETag);
 * - the product's definition: variant, effective parameters (its own and its dependencies'), the bands matched
 *   for every role it reads, tile size and COG profile, preview factor;
 * - the version of the code that computes it: the registry's product version (and its dependencies'), plus
 *   PIPELINE_VERSION (workflows/products.ts) for changes to the shared stages (tiling, COG layout, statistics).
 *
 * The scene manifest records every partition's key and summary; a run skips each partition whose recorded key
 * equals the one it would compute. The manifest in the output store is the durable record, not Temporal's history.
 */
import { createHash } from 'node:crypto';
import { PRODUCTS, productParams, withDependencies } from '../workflows/products';
export { productCodeVersion } from '../workflows/products';
import type { MatchedBand, PartitionOutcome, PartitionSummary, ProductName } from '../workflows/types';
import { PRODUCT_PROFILE } from './product-spec';


/** What the manifest keeps per partition (`manifest.partitions[variant]`). */
export interface PartitionRecord {
  product: ProductName;
  variant: string;
  key: string;
  inputIdentity: string;
  definitionHash: string;
  /** `pipeline.v<n>/<product>.v<n>[/<dependency>.v<n>]`: the code-version part of the key, readable. */
  codeVersion: string;
  params: Record<string, number>;
  /** URIs of the partition's outputs (COG, table, preview), so a skipped partition is republished as it was. */
  outputs: string[];
  summary: PartitionSummary;
}

export interface InputVersion {
  sizeBytes: number;
  etag?: string;
  lastModified?: string;
}

function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The input's identity: leading bytes + size + ETag (else mtime). */
export function inputIdentity(leadingBytes: Uint8Array, version: InputVersion): string {
  return sha256(JSON.stringify({ lead: sha256(leadingBytes), size: version.sizeBytes, version: version.etag ?? version.lastModified ?? null }));
}


export interface DefinitionInput {
  product: ProductName;
  variant: string;
  params?: Readonly<Record<string, number>>;
  bands: Record<string, MatchedBand>;
  tileSizePx: number;
  previewFactor: number;
  /** The map outputs made from this product (polygons, reprojected copy); absent when none, which keeps older keys. */
  maps?: PartitionMaps;
}

/** What a partition's map outputs depend on: part of its definition, so changing them recomputes it. */
export interface PartitionMaps {
  vectors?: { names: string[]; connectivity: 4 | 8; minAreaM2: number; formats: string[] };
  reproject?: { epsg: number; resampling: string };
}

/** Hash of everything that defines a product's output for a given input (not the input itself, not the code). */
export function definitionHash(d: DefinitionInput): string {
  const chain = withDependencies(d.product);
  const roles = [...new Set(chain.flatMap((p) => PRODUCTS[p].roles))].sort();
  return sha256(
    JSON.stringify({
      product: d.product,
      variant: d.variant,
      params: Object.fromEntries(chain.map((p) => [p, productParams(p, d.params)])),
      bands: roles.map((r) => [r, d.bands[r]?.index ?? null, d.bands[r]?.wavelengthNm ?? null]),
      tileSizePx: d.tileSizePx,
      profile: PRODUCT_PROFILE,
      // Previews are averaged over previewFactor² pixels; COG products do not depend on it.
      previewFactor: PRODUCTS[d.product].output === 'preview' || d.product === 'ndci' ? d.previewFactor : null,
      ...(d.maps ? { maps: d.maps } : {}),
    }),
  );
}

/** The partition key: input identity + definition + code version, 32 hex digits. */
export function partitionKey(identity: string, defHash: string, codeVersion: string): string {
  return sha256(JSON.stringify([identity, defHash, codeVersion])).slice(0, 32);
}

/**
 * What to do with a partition, given what the manifest recorded for its variant: skip it when the key is the same
 * and its outputs are still there, compute it otherwise, saying why.
 */
export function decidePartition(
  want: { variant: string; product: ProductName; key: string; inputIdentity: string; definitionHash: string; codeVersion: string },
  recorded: PartitionRecord | undefined,
  outputsPresent: boolean,
): PartitionOutcome {
  const base = { variant: want.variant, product: want.product, key: want.key, inputIdentity: want.inputIdentity, definitionHash: want.definitionHash, codeVersion: want.codeVersion };
  if (!recorded) return { ...base, action: 'computed', reason: 'new' };
  // The recorded code version is checked on its own too, so a run agrees with `tessera status --stale`, which
  // reads only that field.
  if (recorded.codeVersion !== want.codeVersion) return { ...base, action: 'computed', reason: `code version changed (${recorded.codeVersion} → ${want.codeVersion})` };
  if (recorded.key === want.key) return outputsPresent ? { ...base, action: 'skipped', reason: 'unchanged' } : { ...base, action: 'computed', reason: 'outputs missing' };
  if (recorded.inputIdentity !== want.inputIdentity) return { ...base, action: 'computed', reason: 'input changed' };
  return { ...base, action: 'computed', reason: 'definition changed' };
}

/** Partitions recorded in a manifest object (absent or malformed → none). */
export function recordedPartitions(manifest: unknown): Record<string, PartitionRecord> {
  const p = (manifest as { partitions?: unknown } | undefined)?.partitions;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, PartitionRecord>) : {};
}
