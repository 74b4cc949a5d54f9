import { catalogPartitionKey, encodeCatalogTable, type CatalogRow } from '../raster/parquet/catalog-table';
import { buildManifest, sha256Hex } from '../raster/stac/manifest';
import { buildOutputItem } from '../raster/stac/output-item';
import { productDefinition, type ProductDefinitions } from '../workflows/products';
import type { PublishInput, PublishResult } from '../workflows/scene-dag';
import type { OutputFile, PartitionSummary, ScenePlan, SceneSummary } from '../workflows/types';
import { joinUri } from '../platform/storage/uri';
import { ObjectNotFoundError } from '../platform/storage/errors';
import { activityLogger } from './context';
import type { ActivityDeps } from './deps';
import { manifestUri, stacItemUri } from './output-keys';
import { recordedPartitions, type PartitionRecord } from './partitions';
import { writeQuicklook } from './publish-quicklook';
import { sceneAsset } from './scene-assets';
import { sceneFootprint } from './scene-geometry';

interface RecordedManifest {
  outputs?: Array<Pick<OutputFile, 'uri' | 'role' | 'sizeBytes' | 'sha256' | 'proj' | 'vector'>>;
  partitions?: Record<string, PartitionRecord>;
}

/** Files the publish step writes itself, again on every publish. */
const PUBLISHED_ROLES: ReadonlySet<OutputFile['role']> = new Set(['stac', 'manifest', 'quicklook']);

/**
 * Publishes a scene: merges this run's partitions with those the manifest recorded (skipped partitions and other
 * variants stay as they were), writes one catalog-table row per computed raster partition, the STAC item of every
 * output, then the manifest (inputs, parameters, code version, every partition's key and summary, sha256 and size
 * of every output). Before the item it writes the quick-look page when the scene has previews or polygons. The
 * manifest is written last: its presence marks a complete scene. With nothing computed it writes nothing.
 */
export function createPublishScene(deps: ActivityDeps) {
  return async function publishScene({ plan, outputs, partitions, polygons }: PublishInput): Promise<PublishResult> {
    const log = activityLogger(deps.logger, { scene: plan.sceneId });
    const mUri = manifestUri(plan.outUri, plan.sceneId);
    const itemUri = stacItemUri(plan.outUri, plan.sceneId);
    const old = await readJson<RecordedManifest>(deps, mUri);
    const recorded = recordedPartitions(old);
    const oldFiles = new Map((old?.outputs ?? []).map((o) => [o.uri, o]));

    if (outputs.length === 0 && old && plan.partitions.every((p) => p.action === 'skipped')) {
      const files = (old.outputs ?? []).map((o) => ({ ...o, product: productOf(recorded, o.uri) }));
      const mBytes = await deps.store.get(mUri);
      log.info({ manifest: mUri }, 'scene unchanged: nothing published');
      return {
        outputs: [...files, { uri: mUri, sizeBytes: mBytes.byteLength, sha256: sha256Hex(mBytes), role: 'manifest' }],
        summary: sceneSummary(plan, recorded),
      };
    }

    // This run's partitions replace their records; every other recorded partition is kept.
    const merged: Record<string, PartitionRecord> = { ...recorded };
    const files = new Map<string, OutputFile>();
    // A computed partition's files are this run's outputs: a file it no longer makes (a copy in another CRS, the
    // polygons of a mask no longer asked) leaves the listing.
    const computed = new Set(plan.partitions.filter((p) => p.action === 'computed').map((p) => p.variant));
    for (const [uri, f] of oldFiles) {
      const product = productOf(recorded, uri);
      if (!PUBLISHED_ROLES.has(f.role) && !(product !== undefined && computed.has(product))) files.set(uri, { ...f, product });
    }
    for (const o of outputs) files.set(o.uri, o);
    for (const outcome of plan.partitions) {
      if (outcome.action === 'skipped') continue;
      merged[outcome.variant] = {
        product: outcome.product,
        variant: outcome.variant,
        key: outcome.key,
        inputIdentity: outcome.inputIdentity,
        definitionHash: outcome.definitionHash,
        codeVersion: outcome.codeVersion,
        params: Object.fromEntries(Object.entries(plan.params[outcome.product] ?? {}).map(([k, v]) => [`${outcome.product}.${k}`, v])),
        outputs: [],
        summary: withPolygons(partitions[outcome.variant] ?? emptySummary(), polygons?.[outcome.variant] ?? polygons?.[outcome.product]),
      };
    }

    // Catalog rows: one small Parquet file per computed raster partition, so a re-run replaces only its own.
    const footprint = sceneFootprint(plan);
    for (const outcome of plan.partitions) {
      if (outcome.action === 'skipped' || productDefinition(outcome.product, plan.definitions).output !== 'cog') continue;
      const s = merged[outcome.variant].summary;
      const row: CatalogRow = {
        sceneId: plan.sceneId,
        product: outcome.variant,
        datetime: plan.datetime,
        bbox: footprint?.bbox ?? null,
        crs: plan.epsg !== null ? `EPSG:${plan.epsg}` : null,
        partitionKey: outcome.key,
        codeVersion: merged[outcome.variant].codeVersion,
        validKm2: s.validAreaM2 / 1e6,
        waterKm2: s.waterAreaM2 === null ? null : s.waterAreaM2 / 1e6,
        bloomKm2: s.bloomAreaM2 === null ? null : s.bloomAreaM2 / 1e6,
        bloomFraction: s.bloomFraction ?? null,
        validFraction: plan.width * plan.height > 0 ? s.validPixels / (plan.width * plan.height) : 0,
        mean: s.mean,
        p50: s.p50,
        p98: s.p98,
        polygonCount: s.polygons ? Object.values(s.polygons).reduce((a, b) => a + b, 0) : null,
      };
      const bytes = encodeCatalogTable([row]);
      const uri = joinUri(plan.outUri, ...catalogPartitionKey(plan.sceneId, outcome.variant).split('/'));
      const info = await deps.store.put(uri, bytes, { contentType: 'application/vnd.apache.parquet' });
      files.set(uri, { uri, sizeBytes: info.sizeBytes, sha256: sha256Hex(bytes), role: 'table', product: outcome.variant });
    }
    for (const f of files.values()) {
      const rec = f.product ? merged[f.product] : undefined;
      if (rec && !rec.outputs.includes(f.uri)) rec.outputs.push(f.uri);
    }
    for (const rec of Object.values(merged)) rec.outputs.sort();

    const summary = sceneSummary(plan, merged);
    const polygonCounts = scenePolygons(plan, merged);
    const byUri = (a: OutputFile, b: OutputFile) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0);
    const page = await writeQuicklook(deps, {
      plan,
      files: [...files.values()].sort(byUri),
      summary,
      polygons: polygonCounts,
      productOf: (variant) => merged[variant]?.product ?? plan.partitions.find((p) => p.variant === variant)?.product,
    });
    if (page) files.set(page.uri, page);
    const all = [...files.values()].sort(byUri);
    const createdAt = new Date().toISOString();
    const gt = plan.geoTransform;
    const item = buildOutputItem({
      sceneId: plan.sceneId,
      // Without an acquisition time in the input, the item is stamped with the processing time and says so.
      datetime: plan.datetime ?? createdAt,
      bbox: footprint?.bbox ?? null,
      geometry: footprint?.geometry,
      epsg: plan.epsg ?? undefined,
      shape: [plan.height, plan.width],
      transform: gt ? [gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]] : undefined,
      sourceHref: plan.inputUri,
      sourceItemHref: plan.sourceItemUri,
      properties: {
        'tessera:sensor': plan.sensorName,
        'tessera:datetime_source': plan.datetime ? 'input' : 'processing',
        'tessera:bands': plan.bands,
        'tessera:bloom_fraction': summary.bloomFraction,
        'tessera:water_pixels': summary.waterPixels,
        'tessera:valid_pixels': summary.validPixels,
        'tessera:water_km2': summary.waterAreaKm2,
        'tessera:bloom_km2': summary.bloomAreaKm2,
        ...(Object.keys(polygonCounts).length ? { 'tessera:polygons': polygonCounts } : {}),
        'tessera:partitions': Object.fromEntries(Object.values(merged).map((r) => [r.variant, { key: r.key, code_version: r.codeVersion, params: r.params }])),
        'tessera:products': productsProperty(plan),
      },
      assets: all.map((o) => {
        const rec = o.product ? merged[o.product] : undefined;
        const s = o.role === 'cog' ? rec?.summary : undefined;
        return sceneAsset(o, {
          def: rec ? (plan.definitions?.[rec.product] ?? productDefinitionOrUndefined(rec.product)) : undefined,
          statistics: s && s.mean !== null ? { minimum: s.minimum!, maximum: s.maximum!, mean: s.mean, valid_percent: s.validPercent } : undefined,
        });
      }),
    });
    const itemBytes = new TextEncoder().encode(JSON.stringify(item, null, 2));
    const itemInfo = await deps.store.put(itemUri, itemBytes, { contentType: 'application/geo+json' });
    const stac: OutputFile = { uri: itemUri, sizeBytes: itemInfo.sizeBytes, sha256: sha256Hex(itemBytes), role: 'stac' };

    const manifest = buildManifest({
      sceneId: plan.sceneId,
      inputs: [{ uri: plan.inputUri, sizeBytes: plan.inputSizeBytes }],
      parameters: {
        products: plan.partitions.map((p) => p.product),
        bands: plan.bands,
        tileSizePx: plan.tileSizePx,
        previewFactor: plan.previewFactor,
        paramsHash: plan.paramsHash,
        // Products the run named or defined, as bound to this scene: what a later run compares against.
        definitions: runtimeDefinitions(plan),
      },
      codeVersion: deps.codeVersion,
      outputs: [...all, stac].map((o) => ({
        uri: o.uri,
        sizeBytes: o.sizeBytes,
        sha256: o.sha256,
        role: o.role,
        ...(o.proj ? { proj: o.proj } : {}),
        ...(o.vector ? { vector: o.vector } : {}),
      })),
      partitions: merged,
      createdAt,
    });
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
    const mInfo = await deps.store.put(mUri, manifestBytes, { contentType: 'application/json' });
    log.info({ stac: itemUri, manifest: mUri, quicklook: page?.uri ?? null, polygons: polygonCounts, outputs: all.length + 2 }, 'scene published');
    return { outputs: [...all, stac, { uri: mUri, sizeBytes: mInfo.sizeBytes, sha256: sha256Hex(manifestBytes), role: 'manifest' }], summary };
  };
}

/** Definitions of the run's products that are not built-ins (catalog, wavelength and custom), as bound. */
function runtimeDefinitions(plan: ScenePlan): ProductDefinitions {
  return Object.fromEntries(Object.entries(plan.definitions ?? {}).filter(([, d]) => d.source !== 'builtin'));
}

/**
 * What each asked product is, for the STAC item: its source, formula and constants, mask, units and calibration
 * (coefficients, reference), and the bands it read.
 */
function productsProperty(plan: ScenePlan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of plan.partitions) {
    const def = plan.definitions?.[p.product] ?? productDefinitionOrUndefined(p.product);
    if (!def) continue;
    const kernel = def.kernel;
    out[p.variant] = {
      product: p.product,
      source: def.source,
      description: def.description,
      data_type: def.output === 'cog' ? def.dtype : null,
      ...(kernel.kind === 'formula' || kernel.kind === 'mask' ? { formula: kernel.formula, constants: kernel.constants ?? {} } : { kernel: kernel.kind }),
      bands: Object.fromEntries(def.roles.filter((r) => plan.bands[r]).map((r) => [r, plan.bands[r]])),
      ...(def.where ? { where: def.where } : {}),
      ...(def.scale ? { scale: def.scale.factor, offset: def.scale.offset } : {}),
      ...(def.calibration ? { unit: def.calibration.units ?? null, calibration: def.calibration } : {}),
      ...(def.reference ? { reference: def.reference } : {}),
    };
  }
  return out;
}

function productDefinitionOrUndefined(product: string) {
  try {
    return productDefinition(product);
  } catch {
    return undefined;
  }
}

/** The variant a recorded output belongs to. */
function productOf(recorded: Record<string, PartitionRecord>, uri: string): string | undefined {
  return Object.values(recorded).find((r) => r.outputs.includes(uri))?.variant;
}

/** A partition's summary with this run's polygon counts for it, when it was vectorised. */
function withPolygons(summary: PartitionSummary, polygons: Record<string, number> | undefined): PartitionSummary {
  return polygons && Object.keys(polygons).length ? { ...summary, polygons: { ...polygons } } : summary;
}

/** Polygons per mask name over the partitions this run asked for (computed now or recorded). */
function scenePolygons(plan: ScenePlan, records: Record<string, PartitionRecord>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of plan.partitions) for (const [name, n] of Object.entries(records[p.variant]?.summary.polygons ?? {})) out[name] = (out[name] ?? 0) + n;
  return out;
}

function emptySummary(): PartitionSummary {
  return { validPixels: 0, inputAreaM2: 0, validAreaM2: 0, waterPixels: null, waterAreaM2: null, bloomPixels: null, bloomAreaM2: null, minimum: null, maximum: null, mean: null, p50: null, p98: null, validPercent: 0 };
}

/**
 * The scene's numbers from the partitions this run asked for (computed now or recorded): valid pixels from the
 * products that carry the scene counters (the water family: water, NDCI), else from any raster product; water
 * from those; bloom from the product that counts it (NDCI).
 */
function sceneSummary(plan: ScenePlan, records: Record<string, PartitionRecord>): SceneSummary {
  const asked = plan.partitions.map((p) => records[p.variant]).filter((r): r is PartitionRecord => r !== undefined);
  const def = (r: PartitionRecord) => plan.definitions?.[r.product] ?? productDefinitionOrUndefined(r.product);
  const withCounters = (c?: 'water' | 'bloom') => asked.find((r) => (c ? def(r)?.statistics.counters === c : def(r)?.statistics.counters !== undefined))?.summary;
  const water = withCounters('water') ?? withCounters('bloom');
  const ndci = withCounters('bloom');
  const any = withCounters() ?? asked.find((r) => def(r)?.output === 'cog')?.summary;
  return {
    validPixels: any?.validPixels ?? 0,
    waterPixels: water?.waterPixels ?? 0,
    bloomPixels: ndci?.bloomPixels ?? 0,
    bloomFraction: ndci?.bloomFraction ?? null,
    validAreaKm2: (any?.inputAreaM2 ?? 0) / 1e6,
    waterAreaKm2: water?.waterAreaM2 != null ? water.waterAreaM2 / 1e6 : null,
    bloomAreaKm2: ndci?.bloomAreaM2 != null ? ndci.bloomAreaM2 / 1e6 : null,
    products: Object.fromEntries(
      asked
        .filter((r) => def(r)?.output === 'cog')
        .map((r) => [r.variant, { minimum: r.summary.minimum, maximum: r.summary.maximum, mean: r.summary.mean, validPercent: r.summary.validPercent }]),
    ),
  };
}

async function readJson<T>(deps: ActivityDeps, uri: string): Promise<T | undefined> {
  try {
    return JSON.parse(new TextDecoder().decode(await deps.store.get(uri))) as T;
  } catch (err) {
    if (err instanceof ObjectNotFoundError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}
