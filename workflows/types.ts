/**
 * Inputs and results of the scene workflow and its activities. Everything here crosses Temporal as JSON and is
 * recorded in history, so it holds URIs, ids and small numbers — never pixels. A test keeps every payload under 64 KB.
 */

/** Products a run can ask for. `rgb` is a preview only; the others are COGs. */
export type ProductName = 'ndwi' | 'water' | 'ndci' | 'ndvi' | 'rgb';
export const PRODUCT_NAMES: readonly ProductName[] = ['ndwi', 'water', 'ndci', 'ndvi', 'rgb'];
/** Products written as COGs, in a fixed order. */
export type RasterProduct = Exclude<ProductName, 'rgb'>;
export const RASTER_PRODUCTS: readonly RasterProduct[] = ['ndwi', 'water', 'ndci', 'ndvi'];
/** The flagship harmful-algal-bloom job. */
export const DEFAULT_PRODUCTS: readonly ProductName[] = ['ndwi', 'water', 'ndci', 'rgb'];
/** Previews are made for the RGB product and for NDCI (its viridis rendering). */
export function wantsPreviews(products: readonly ProductName[]): boolean {
  return products.includes('rgb') || products.includes('ndci');
}

export interface ProcessSceneInput {
  /** GeoTIFF (path, file://, s3://) or a STAC item JSON whose data asset is the GeoTIFF. */
  input: string;
  /** Output root URI; scene outputs go under `<out>/scenes/<sceneId>/`, tables under `<out>/tables/`. */
  out: string;
  products: ProductName[];
  /** Band centre wavelengths (nm) when the file carries none, or to override them. */
  wavelengthsNm?: number[];
  /** Stable scene id; derived from the input file name when absent. */
  sceneId?: string;
  /** Tile activities in flight at once. @default 16 */
  tileConcurrency?: number;
  /** Hash of the output-shaping parameters (see platform/run-ids.ts); computed by the plan when absent. */
  paramsHash?: string;
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
  products: ProductName[];
  nodata: number | null;
  /** EPSG code and GDAL geotransform of the input. */
  epsg: number | null;
  geoTransform: number[] | null;
  bands: Record<string, MatchedBand>;
  /** Preview pixels are averages over previewFactor x previewFactor input pixels. */
  previewFactor: number;
  /** Where this run's intermediate objects live; deleted when the run completes. */
  workUri: string;
  outUri: string;
  /** Hash of the parameters that shape the outputs; part of the workflow id. */
  paramsHash: string;
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
  role: 'cog' | 'table' | 'preview' | 'stac' | 'manifest';
  product?: string;
}

export interface SceneSummary {
  validPixels: number;
  waterPixels: number;
  bloomPixels: number;
  /** Share of valid water pixels with NDCI above the bloom threshold; null without water or without ndci. */
  bloomFraction: number | null;
  /** Per product: statistics over the whole scene (valid pixels only), for the STAC item. */
  products: Record<string, { minimum: number | null; maximum: number | null; mean: number | null; validPercent: number }>;
}

export interface SceneResult {
  sceneId: string;
  status: 'completed';
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
