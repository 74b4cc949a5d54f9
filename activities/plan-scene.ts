import { createHash } from 'node:crypto';
import type { Sensor } from '../raster/bands';
import { bindProducts, collectProducts } from '../raster/jobs/products/resolve';
import { sceneSensor } from '../raster/jobs/products/sensor';
import { pickAsset } from '../platform/catalog/assets';
import type { StacItem } from '../platform/catalog/stac';
import { deriveSceneId, paramsHash, sanitizeSceneId } from '../workflows/run-ids';
import { checkParams, PRODUCTS, productDefinition, productParams, productVariant, withDependencies, type ProductDefinitions } from '../workflows/products';
import type { MatchedBand, PartitionOutcome, ProcessSceneInput, ScenePlan } from '../workflows/types';
import { ObjectNotFoundError } from '../platform/storage/errors';
import { activityLogger } from './context';
import type { ActivityDeps } from './deps';
import { InputError } from './errors';
import type { InputCache } from './input-cache';
import { PRODUCT_PROFILE, TILE_SIZE_PX } from './product-spec';
import { manifestUri, workRootUri } from './output-keys';
import { decidePartition, definitionHash, inputIdentity, partitionKey, productCodeVersion, recordedPartitions, type PartitionMaps } from './partitions';
import { planReprojectGrid, resamplingFor, resolveMaskSources } from '../raster/jobs/products/map-request';
import { cogProductsOf } from '../workflows/products';
import type { ReprojectPlan, VectorSource } from '../workflows/types';

/** Longest preview side in pixels. */
const PREVIEW_MAX_PX = 1024;

export function createPlanScene(deps: ActivityDeps, inputs: InputCache) {
  return async function planScene(input: ProcessSceneInput): Promise<ScenePlan> {
    // Names, formulas and masks first: a bad request fails before the input is read.
    const run = collectProducts(input.products, PRODUCTS);
    checkParams(input.params, run.definitions);
    const resolved = await resolveInput(deps, input.input, input.sourceItemUri);
    const log = activityLogger(deps.logger, { input: resolved.tiffUri });
    // The version seen now is pinned for every later read of this scene (tile activities pass plan.inputVersion).
    const head = await deps.store.head(resolved.tiffUri);
    const tiff = await inputs.open(resolved.tiffUri, head);
    const info = tiff.info();
    const name = resolved.tiffUri.split('/').pop() ?? resolved.tiffUri;

    const sensor: Sensor = sceneSensor({ name, wavelengthsNm: input.wavelengthsNm, stacItem: resolved.stacItem, bands: info.bands });
    if (sensor.bands.length === 0) {
      throw new InputError(resolved.tiffUri, 'no band wavelengths found (GDAL_METADATA or STAC eo:bands); pass --wavelengths NM,...');
    }
    if (input.wavelengthsNm?.length && input.wavelengthsNm.length !== info.bandCount) {
      throw new InputError(resolved.tiffUri, `--wavelengths lists ${input.wavelengthsNm.length} bands but the file has ${info.bandCount}`);
    }
    if (sensor.bands.some((b) => b.index >= info.bandCount)) {
      throw new InputError(resolved.tiffUri, `band metadata names ${sensor.bands.length} bands but the file has ${info.bandCount}`);
    }

    const params = Object.fromEntries(Object.keys(run.definitions).map((p) => [p, productParams(p, input.params, run.definitions)]));
    const { definitions, bands } = bindProducts(run, sensor, params);

    const sceneId = sanitizeSceneId(input.sceneId ?? deriveSceneId(input.input));
    const hash = input.paramsHash ?? paramsHash(input);
    let previewFactor = 1;
    while (Math.max(info.width, info.height) / previewFactor > PREVIEW_MAX_PX && previewFactor < TILE_SIZE_PX / 2) previewFactor *= 2;
    const identity = inputIdentity(tiff.leadingBytes(), head ?? { sizeBytes: 0 });
    // Map outputs are checked before any raster work: a non-mask, an unknown code, a copy over the size limits.
    const maps = planMaps(resolved.tiffUri, input, run.asked, definitions, params, { width: info.width, height: info.height, epsg: info.geo?.epsg ?? null, geoTransform: info.geo?.geoTransform ?? null });
    const partitions = await decidePartitions(deps, input, { asked: run.asked, definitions, sceneId, identity, bands, previewFactor, maps: maps.byProduct });
    const toCompute = run.asked.filter((p) => partitions.some((o) => o.product === p && o.action === 'computed'));
    const vectorSources = maps.vectors?.sources.filter((v) => toCompute.includes(v.product)) ?? [];
    const reprojected = maps.reproject ? cogProductsOf(toCompute, definitions) : [];
    const plan: ScenePlan = {
      sceneId,
      inputUri: resolved.tiffUri,
      inputSizeBytes: head?.sizeBytes ?? 0,
      sensorName: sensor.name,
      datetime: acquisitionTime(resolved.stacItem, info.datasetMetadata),
      width: info.width,
      height: info.height,
      bandCount: info.bandCount,
      tileSizePx: TILE_SIZE_PX,
      tilesAcross: Math.ceil(info.width / TILE_SIZE_PX),
      tilesDown: Math.ceil(info.height / TILE_SIZE_PX),
      products: toCompute,
      variants: Object.fromEntries(run.asked.map((p) => [p, productVariant(p, input.params, definitions)])),
      params,
      definitions,
      inputVersion: { sizeBytes: head?.sizeBytes ?? 0, etag: head?.etag, lastModified: head?.lastModified },
      sourceItemUri: input.sourceItemUri ?? (resolved.stacItem ? input.input : undefined),
      nodata: info.nodata ?? null,
      epsg: info.geo?.epsg ?? null,
      geoTransform: info.geo?.geoTransform ?? null,
      bands,
      previewFactor,
      workUri: workRootUri(input.out, sceneId, hash),
      outUri: input.out,
      paramsHash: hash,
      ...(maps.vectors && vectorSources.length ? { vectors: { ...maps.vectors, sources: vectorSources } } : {}),
      ...(maps.reproject && reprojected.length
        ? { reproject: { ...maps.reproject, resampling: Object.fromEntries(reprojected.map((p) => [p, maps.reproject!.resampling[p]])) } }
        : {}),
      partitions,
    };
    log.info(
      { scene: sceneId, width: plan.width, height: plan.height, bands, tiles: plan.tilesAcross * plan.tilesDown, compute: toCompute, partitions },
      'scene planned',
    );
    return plan;
  };
}

/**
 * Compares the key of every asked partition with what the scene's manifest recorded. A partition whose key is
 * unchanged and whose outputs still exist is skipped.
 */
async function decidePartitions(
  deps: ActivityDeps,
  input: ProcessSceneInput,
  ctx: {
    asked: string[];
    definitions: ProductDefinitions;
    sceneId: string;
    identity: string;
    bands: Record<string, MatchedBand>;
    previewFactor: number;
    maps: Record<string, PartitionMaps>;
  },
): Promise<PartitionOutcome[]> {
  const recorded = recordedPartitions(await readManifest(deps, manifestUri(input.out, ctx.sceneId)));
  return Promise.all(
    ctx.asked.map(async (product) => {
      const variant = productVariant(product, input.params, ctx.definitions);
      const chain = withDependencies(product, ctx.definitions);
      const maps = ctx.maps[product];
      const d = { product, variant, params: input.params, bands: ctx.bands, tileSizePx: TILE_SIZE_PX, previewFactor: ctx.previewFactor, ...(maps ? { maps } : {}) };
      const defHash = chain.every((p) => ctx.definitions[p].source === 'builtin') ? definitionHash(d) : runtimeDefinitionHash(d, chain, ctx.definitions);
      const codeVersion = productCodeVersion(product, ctx.definitions);
      const key = partitionKey(ctx.identity, defHash, codeVersion);
      const rec = recorded[variant];
      const present = rec?.key === key ? (await Promise.all(rec.outputs.map((u) => deps.store.head(u)))).every(Boolean) : false;
      return decidePartition({ variant, product, key, inputIdentity: ctx.identity, definitionHash: defHash, codeVersion }, rec, present);
    }),
  );
}

/**
 * definitionHash (partitions.ts) for a chain with products the run defined or named: the same fields, over the
 * chain's definitions as bound to this scene, plus the definitions themselves (formula, constants, mask,
 * calibration, storage), so a changed formula is a changed definition.
 */
function runtimeDefinitionHash(
  d: { product: string; variant: string; params?: Readonly<Record<string, number>>; bands: Record<string, MatchedBand>; tileSizePx: number; previewFactor: number; maps?: PartitionMaps },
  chain: string[],
  defs: ProductDefinitions,
): string {
  const roles = [...new Set(chain.flatMap((p) => defs[p].roles))].sort();
  const def = productDefinition(d.product, defs);
  return createHash('sha256')
    .update(
      JSON.stringify({
        product: d.product,
        variant: d.variant,
        params: Object.fromEntries(chain.map((p) => [p, productParams(p, d.params, defs)])),
        bands: roles.map((r) => [r, d.bands[r]?.index ?? null, d.bands[r]?.wavelengthNm ?? null]),
        tileSizePx: d.tileSizePx,
        profile: PRODUCT_PROFILE,
        previewFactor: def.preview ? d.previewFactor : null,
        definitions: chain.map((p) => ({ ...defs[p], description: undefined })),
        ...(d.maps ? { maps: d.maps } : {}),
      }),
    )
    .digest('hex');
}

/**
 * The run's map outputs on this scene: the mask sources of `--vectors`, gdalwarp's grid for `--reproject`, and
 * per product what its partition's map outputs depend on.
 * @throws MapRequestError (non-retryable) for a non-mask, a missing dependency, an unknown code or a copy too large.
 */
function planMaps(
  file: string,
  input: ProcessSceneInput,
  asked: string[],
  definitions: ProductDefinitions,
  params: Record<string, Record<string, number>>,
  scene: { width: number; height: number; epsg: number | null; geoTransform: number[] | null },
): { vectors?: NonNullable<ScenePlan['vectors']>; reproject?: ReprojectPlan; byProduct: Record<string, PartitionMaps> } {
  const byProduct: Record<string, PartitionMaps> = {};
  let vectors: NonNullable<ScenePlan['vectors']> | undefined;
  let reproject: ReprojectPlan | undefined;
  if (input.vectors) {
    const { connectivity, minAreaM2, formats } = input.vectors;
    const sources: VectorSource[] = resolveMaskSources(input.vectors.products, asked, definitions, params);
    vectors = { sources, connectivity, minAreaM2, formats };
    for (const v of sources) {
      const entry = (byProduct[v.product] ??= {});
      entry.vectors ??= { names: [], connectivity, minAreaM2, formats: [...formats].sort() };
      entry.vectors.names.push(v.name);
    }
  }
  if (input.reproject) {
    const grid = planReprojectGrid(file, scene, input.reproject.epsg);
    const cogs = cogProductsOf(asked, definitions);
    reproject = { ...grid, resampling: resamplingFor(cogs, definitions, input.reproject.resampling) };
    for (const p of cogs) (byProduct[p] ??= {}).reproject = { epsg: grid.epsg, resampling: reproject.resampling[p] };
  }
  for (const m of Object.values(byProduct)) m.vectors?.names.sort();
  return { ...(vectors ? { vectors } : {}), ...(reproject ? { reproject } : {}), byProduct };
}

/** The scene's manifest, or undefined when there is none (or it is not JSON: then everything is recomputed). */
async function readManifest(deps: ActivityDeps, uri: string): Promise<unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(await deps.store.get(uri)));
  } catch (err) {
    if (err instanceof ObjectNotFoundError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/**
 * A GeoTIFF URI, or a STAC item whose data asset is one (relative hrefs resolve against the item). A GeoTIFF that
 * came from a catalog listing brings its item along (`sourceItemUri`), which gives its bands and time.
 */
async function resolveInput(deps: ActivityDeps, uri: string, sourceItemUri?: string): Promise<{ tiffUri: string; stacItem?: unknown }> {
  if (!/\.json$/i.test(uri)) return { tiffUri: uri, stacItem: sourceItemUri ? await readItem(deps, sourceItemUri) : undefined };
  const item = await readItem(deps, uri);
  return { tiffUri: pickAsset(item, uri), stacItem: item };
}

async function readItem(deps: ActivityDeps, uri: string): Promise<StacItem> {
  try {
    return JSON.parse(new TextDecoder().decode(await deps.store.get(uri))) as StacItem;
  } catch (err) {
    if (err instanceof SyntaxError) throw new InputError(uri, `not a JSON STAC item (${err.message})`);
    throw err;
  }
}

/** RFC 3339 acquisition time: the STAC item's datetime, else GDAL's TIFFTAG_DATETIME (`YYYY:MM:DD HH:MM:SS`, UTC assumed). */
function acquisitionTime(item: unknown, metadata: Record<string, string>): string | null {
  const fromItem = (item as { properties?: { datetime?: unknown } } | undefined)?.properties?.datetime;
  if (typeof fromItem === 'string' && !Number.isNaN(Date.parse(fromItem))) return fromItem;
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(metadata.TIFFTAG_DATETIME ?? '');
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}
