/**
 * Inputs and results of the scene workflow and its activities. Everything here crosses Temporal as JSON and is
 * recorded in history, so it holds URIs, ids and small numbers — never pixels. A test keeps every payload under 64 KB.
 */

import { cogProductsOf, PRODUCTS, previewsOf, type ProductDefinition } from './products';

/**
 * A product's name: a built-in of the registry (workflows/products.ts), a catalog or wavelength index
 * (`NDTI`, `MCI`), or a custom product of the run. Checked against the registry and the run's definitions.
 */
export type ProductName = string;
/** The built-in products. */
export const PRODUCT_NAMES: readonly ProductName[] = Object.keys(PRODUCTS);
/** A product written as a COG. */
export type RasterProduct = ProductName;
/** The built-ins written as COGs, in registry order. */
export const RASTER_PRODUCTS: readonly RasterProduct[] = cogProductsOf(PRODUCT_NAMES);
/** The flagship harmful-algal-bloom job. */
export const DEFAULT_PRODUCTS: readonly ProductName[] = ['ndwi', 'water', 'ndci', 'rgb'];
/** Whether a run makes previews: any computed product has a preview style (RGB, NDCI, custom ones that ask). */
export function wantsPreviews(products: readonly ProductName[], definitions?: ScenePlan['definitions']): boolean {
  return previewsOf(products, definitions).length > 0;
}
/** The computed products of a plan written as COGs, in the plan's order. */
export function rasterProducts(plan: Pick<ScenePlan, 'products'> & { definitions?: ScenePlan['definitions'] }): RasterProduct[] {
  return cogProductsOf(plan.products, plan.definitions);
}

export interface ProcessSceneInput {
  /** GeoTIFF (path, file://, s3://) or a STAC item JSON whose data asset is the GeoTIFF. */
  input: string;
  /** Output root URI; scene outputs go under `<out>/scenes/<sceneId>/`, tables under `<out>/tables/`. */
  out: string;
  /**
   * What to compute: product names (built-ins, catalog and wavelength indices, case-insensitive), and custom
   * products as their requests' JSON (raster/jobs/products/request.ts `requestEntry`), so that every workflow
   * forwarding `products` carries them and every id derived from it changes with them.
   */
  products: ProductName[];
  /** Band centre wavelengths (nm) when the file carries none, or to override them. */
  wavelengthsNm?: number[];
  /** Stable scene id; derived from the input file name when absent. */
  sceneId?: string;
  /** Tile activities in flight at once. @default 16 */
  tileConcurrency?: number;
  /**
   * Scenes of at most this many tiles run every stage after the plan in one activity on one worker
   * (workflows/scene-dag.ts). @default 1; a backfill passes BACKFILL_INLINE_MAX_TILES. Not part of any id: the
   * outputs are the same either way.
   */
  inlineMaxTiles?: number;
  /** Hash of the output-shaping parameters (see platform/run-ids.ts); computed by the plan when absent. */
  paramsHash?: string;
  /**
   * Product parameters that differ from the registry's defaults, keyed `product.param` (e.g. `ndci.threshold`).
   * A product whose parameters (or whose inputs' parameters) differ is written as its own variant
   * (`ndci@<hash>`), so two parameter sets never overwrite each other (workflows/products.ts).
   */
  params?: Record<string, number>;
  /** The STAC item this scene came from, linked as `derived_from` in the output item. */
  sourceItemUri?: string;
  /** Set by a backfill: its workflow id, recorded in the TesseraBackfill search attribute of the scene run. */
  backfillId?: string;
  /** Polygons of mask products (`--vectors`); absent: none. */
  vectors?: VectorRequest;
  /** Reprojected COG copies of every raster product (`--reproject`); absent: none. */
  reproject?: ReprojectRequest;
}

/** Vector file formats of `--vector-formats`. */
export type VectorFormat = 'geoparquet' | 'geojson';
export const VECTOR_FORMATS: readonly VectorFormat[] = ['geoparquet', 'geojson'];
/** Resampling of reprojected copies (gdalwarp `-r`). */
export type Resampling = 'nearest' | 'bilinear';

/**
 * Mask products to vectorise. `water` is the water-mask product; `bloom` is a mask product of that name when the
 * run defines one, else water pixels with NDCI above the NDCI threshold (the rule bloomFraction counts by), which
 * needs the water and ndci products in the run; any other name is a mask product of the run (`--index 'x=… > t'`).
 */
export interface VectorRequest {
  products: ProductName[];
  /** 4: pixels sharing an edge are one polygon; 8: also pixels touching at a corner (gdal_polygonize `-8`). */
  connectivity: 4 | 8;
  /** Polygons smaller than this many m² are dropped (0: none). */
  minAreaM2: number;
  formats: VectorFormat[];
}

export interface ReprojectRequest {
  /** Target CRS; any code raster/geo's projection layer knows. */
  epsg: number;
  /** One resampling for every product; absent: nearest for masks (uint8), bilinear for continuous products. */
  resampling?: Resampling;
}

/** What a plan holds for one vectorised mask: where its pixels come from. */
export interface VectorSource {
  /** The name asked for (`water`, `bloom`, a custom mask); the output file name. */
  name: string;
  /** The mask product whose COG is polygonised; for the derived bloom mask: `ndci` (masked by `water` > threshold). */
  product: ProductName;
  /** For the derived bloom mask: NDCI above this inside water. */
  bloomThreshold?: number;
  /** A product whose mean and max inside each polygon are recorded (bloom: ndci); absent: none. */
  valuesProduct?: ProductName;
}

/** A reprojection as planned: the target grid (gdalwarp's default for the scene) and each product's resampling. */
export interface ReprojectPlan {
  epsg: number;
  width: number;
  height: number;
  geoTransform: [number, number, number, number, number, number];
  resampling: Record<string, Resampling>;
}

/** A band picked for a role, recorded in outputs so users see which wavelengths were used. */
export interface MatchedBand {
  role: string;
  index: number;
  wavelengthNm: number;
}

/** Everything a tile or assembly activity needs, kept small: the plan is passed to each activity. */
export interface ScenePlan {
  sceneId: string;
  /** The GeoTIFF actually read (resolved from a STAC item when one was given). */
  inputUri: string;
  inputSizeBytes: number;
  sensorName: string;
  /** Acquisition time from the input's STAC item or TIFF metadata (RFC 3339), null when the input has none. */
  datetime: string | null;
  width: number;
  height: number;
  bandCount: number;
  tileSizePx: number;
  tilesAcross: number;
  tilesDown: number;
  /** Products this run computes: the asked ones whose partitions are new or stale (see `partitions`). */
  products: ProductName[];
  /** Output variant per asked product (`ndci`, or `ndci@<hash>` with non-default parameters). */
  variants: Record<string, string>;
  /** Effective parameters per product (asked products and their dependencies). */
  params: Record<string, Record<string, number>>;
  /**
   * The definition of every product of the run (asked, and what they read), bound to this scene's bands, keyed by
   * product name; dependencies come before the products that read them.
   */
  definitions: Record<string, ProductDefinition>;
  /** Size and ETag/mtime seen at plan time; tile reads fail if the input changed since. */
  inputVersion: { sizeBytes: number; etag?: string; lastModified?: string };
  /** The STAC item the scene came from, when it came from one. */
  sourceItemUri?: string;
  nodata: number | null;
  /** EPSG code and GDAL geotransform of the input. */
  epsg: number | null;
  geoTransform: number[] | null;
  /** Every band input of the run's products (HAB roles `g`, catalog keys `RE1`, wavelength names `R709`). */
  bands: Record<string, MatchedBand>;
  /** Preview pixels are averages over previewFactor x previewFactor input pixels. */
  previewFactor: number;
  /** Where this run's intermediate objects live; deleted when the run completes. */
  workUri: string;
  outUri: string;
  /** Hash of the parameters that shape the outputs; part of the workflow id. */
  paramsHash: string;
  /** The masks to vectorise (resolved from ProcessSceneInput.vectors), with the options; absent: none. */
  vectors?: { sources: VectorSource[]; connectivity: 4 | 8; minAreaM2: number; formats: VectorFormat[] };
  /** The reprojected copies to write; absent: none. */
  reproject?: ReprojectPlan;
  /**
   * Every asked partition with what this run will do about it: `computed` (new or stale: the reason says why)
   * or `skipped` (the output store's manifest records the same content key). `products` lists only what is computed.
   */
  partitions: PartitionOutcome[];
}

export interface TileInput {
  plan: ScenePlan;
  col: number;
  row: number;
}

export interface TileResult {
  col: number;
  row: number;
  validPixels: number;
  waterPixels: number;
  bloomPixels: number;
}

export interface OutputFile {
  uri: string;
  sizeBytes: number;
  sha256: string;
  role: 'cog' | 'table' | 'preview' | 'stac' | 'manifest' | 'vector' | 'reprojected' | 'quicklook';
  /** The partition (product variant) the file belongs to; scene-level files (item, manifest, quick look) have none. */
  product?: string;
  /** A reprojected copy's grid, for its STAC asset's proj:* fields. */
  proj?: { epsg: number; shape: [number, number]; transform: number[] };
  /** A vector file: the mask it outlines (`water`, `bloom`, ...), its format and polygon count. */
  vector?: { name: string; format: VectorFormat; polygons: number };
}

export interface SceneSummary {
  validPixels: number;
  waterPixels: number;
  bloomPixels: number;
  /** Areas from the CRS (geodesic per row for EPSG:4326); 0 for a scene without georeferencing. */
  validAreaKm2: number;
  waterAreaKm2: number | null;
  bloomAreaKm2: number | null;
  /** Share of valid water pixels with NDCI above the bloom threshold; null without water or without ndci. */
  bloomFraction: number | null;
  /** Per product: statistics over the whole scene (valid pixels only), for the STAC item. */
  products: Record<string, { minimum: number | null; maximum: number | null; mean: number | null; validPercent: number }>;
}

/** Scene-level numbers of one partition, for the STAC item and the catalog table. */
export interface PartitionSummary {
  /** Pixels with valid input (the water mask is not nodata), and their area. */
  validPixels: number;
  inputAreaM2: number;
  /** Area of the product's own valid pixels (for NDCI: valid water). */
  validAreaM2: number;
  waterPixels: number | null;
  waterAreaM2: number | null;
  bloomPixels: number | null;
  bloomAreaM2: number | null;
  /** NDCI only: share of valid water pixels with NDCI above the threshold. */
  bloomFraction?: number | null;
  minimum: number | null;
  maximum: number | null;
  mean: number | null;
  p50: number | null;
  p98: number | null;
  validPercent: number;
  /**
   * Polygons of the masks vectorised from this partition, by mask name (`{ water: 12 }`, NDCI's `{ bloom: 3 }`);
   * absent when the partition was not vectorised. Kept in the manifest, so a re-run that skips the partition keeps them.
   */
  polygons?: Record<string, number>;
}

/** What a run did with each asked partition (scene × product variant). */
export interface PartitionOutcome {
  /** Product variant: the product name, or `name@hash` for non-default parameters. */
  variant: string;
  product: ProductName;
  /** Content key: input identity + product definition + code version (activities/partitions.ts). */
  key: string;
  action: 'computed' | 'skipped';
  /** The key's parts, recorded in the manifest so a later run can say why a partition is stale. */
  inputIdentity: string;
  definitionHash: string;
  /** e.g. `pipeline.v1/ndci.v1/water.v1` */
  codeVersion: string;
  /** Why it ran or was skipped: `new`, `unchanged`, `input changed`, `definition changed`, `code version changed`, `outputs missing`. */
  reason: string;
}

export interface SceneResult {
  sceneId: string;
  status: 'completed';
  /** One entry per asked partition; every partition `skipped` means the run did no raster work. */
  partitions: PartitionOutcome[];
  summary: SceneSummary;
  cogs: Record<string, string>;
  parquet: string[];
  previews: Record<string, string>;
  stac: string;
  manifest: string;
  outputs: OutputFile[];
}

export type SceneStage = 'plan' | 'tiles' | 'assemble' | 'tables' | 'previews' | 'publish' | 'cleanup' | 'done';

export interface SceneProgress {
  sceneId: string | null;
  stage: SceneStage;
  tilesDone: number;
  tilesTotal: number;
  products: Record<string, 'pending' | 'running' | 'done'>;
}
