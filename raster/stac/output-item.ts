/**
 * The STAC Item describing one processed scene: its WGS 84 footprint, its COG, PNG and Parquet outputs as
 * assets, the projection of the grid they share, per-band raster metadata, and links to the input scene.
 * Fields follow STAC 1.0.0 and the projection, raster and eo extensions at the versions in {@link StacExtension}.
 */
import { RASTER_DATA_TYPES, STAC_VERSION, StacExtension, MediaType, type RasterDataType } from './const';
import { StacInputError } from './errors';
import { bboxToGeometry, checkGeometryInBbox, checkLonLatBbox, geometryPositions, type GeoJsonGeometry } from './geometry';
import { projBbox } from './transform';

/** Band statistics as the raster extension names them. Non-finite values are dropped (JSON has no NaN). */
export interface AssetStatistics {
  minimum?: number;
  maximum?: number;
  mean?: number;
  stddev?: number;
  /** Percentage (0-100) of pixels that are not nodata. */
  valid_percent?: number;
}

export interface OutputAsset {
  /** Key in `assets`; unique within the Item (e.g. `ndwi`, `ndwi-preview`, `tile-stats`). */
  key: string;
  href: string;
  title: string;
  /** Media type; see {@link MediaType}. */
  type: string;
  /** See {@link AssetRole}: `data` for COGs, `overview`/`visual` for PNGs, `metadata` for Parquet. */
  roles: string[];
  /** Spectral product the asset holds (e.g. `ndci`), written as `tessera:product`. */
  product?: string;
  /** `raster:bands[0].data_type`, e.g. `float32` for index COGs, `uint8` for masks. */
  dataType?: RasterDataType;
  /** `raster:bands[0].nodata`; NaN (or 'nan') is written as the extension's string `"nan"`. */
  nodata?: number | 'nan';
  statistics?: AssetStatistics;
  /**
   * The asset's own grid when it differs from the Item's (a reprojected copy): written as the asset's `proj:epsg`,
   * `proj:shape`, `proj:transform` and `proj:bbox`, which override the Item's for this asset (projection v1.1.0).
   */
  proj?: { epsg: number; shape: [number, number]; transform: number[] };
  /** A polygon file: the mask it outlines and how many polygons it holds (`tessera:mask`, `tessera:polygons`). */
  vector?: { mask: string; polygons: number };
}

export interface OutputItemInput {
  /** Item id: the scene id. */
  sceneId: string;
  /**
   * RFC 3339 date-time with a zone (`2024-06-01T10:11:12Z`). Null only with `start_datetime` and `end_datetime`
   * in `properties`, as STAC requires.
   */
  datetime: string | null;
  /**
   * [west, south, east, north] in degrees; west > east crosses the antimeridian. Pass `footprintWgs84(...).bbox`
   * (raster/geo/footprint.ts) for a grid in any CRS Tessera knows. Null when the footprint is not known: the Item
   * then has `geometry: null` and no bbox, as STAC allows, unless `geometry` is given.
   */
  bbox: [number, number, number, number] | null;
  /**
   * GeoJSON footprint in lon/lat (e.g. `footprintWgs84(...).geometry`: a Polygon, or a MultiPolygon split at the
   * antimeridian); must lie inside bbox.
   * @default the bbox as a polygon; with a null bbox, the bbox is its extent
   */
  geometry?: GeoJsonGeometry;
  /** EPSG code of the output grid; absent → `proj:epsg: null` (CRS not identified by an EPSG code). */
  epsg?: number;
  /** [height, width] in pixels. */
  shape: [number, number];
  /**
   * `proj:transform` in rasterio order [a, b, c, d, e, f] (6 values, or 9 with the last row [0, 0, 1]); also gives
   * `proj:bbox`. Absent for a raster without a geotransform. See `projTransformFromGeoTransform` for GDAL order.
   */
  transform?: number[];
  assets: OutputAsset[];
  /**
   * The input file the outputs were computed from. Linked as `derived_from` when there is no `sourceItemHref`;
   * with one, as `via` (STAC's `derived_from` names STAC documents, and the source Item lists this file itself).
   */
  sourceHref: string;
  /** Media type of `sourceHref`, when known. */
  sourceType?: string;
  /** The STAC Item of the input scene: when given, the `derived_from` link points at it. */
  sourceItemHref?: string;
  /** Where this Item will be stored: adds a `self` link when given. */
  selfHref?: string;
  /** Extra Item properties (e.g. `eo:cloud_cover`, `platform`, `created`); the fields built here take precedence. */
  properties?: Record<string, unknown>;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Builds the output STAC Item (a plain JSON-ready object; key order is fixed so the serialised bytes are stable).
 * @throws StacInputError for a malformed datetime, bbox, geometry outside the bbox, shape, transform, duplicate
 *   or empty asset keys/hrefs/roles, or an unknown data type.
 */
export function buildOutputItem(input: OutputItemInput): object {
  const id = input.sceneId;
  if (id.length === 0) throw new StacInputError('stac-item', 'sceneId is empty');
  const { geometry, bbox } = footprint(id, input.bbox, input.geometry);
  const shape = checkShape(id, input.shape);
  const transform = input.transform === undefined ? undefined : checkTransform(id, input.transform);
  if (input.epsg !== undefined && !(Number.isInteger(input.epsg) && input.epsg > 0)) {
    throw new StacInputError(id, `epsg ${input.epsg} is not a positive integer`);
  }

  const properties: Record<string, unknown> = { ...input.properties, ...datetimeFields(id, input.datetime, input.properties ?? {}) };
  properties['proj:epsg'] = input.epsg ?? null;
  properties['proj:shape'] = shape;
  if (transform !== undefined) {
    properties['proj:transform'] = transform;
    properties['proj:bbox'] = projBbox(transform, shape);
  }

  const links: Array<Record<string, string>> = [];
  if (input.selfHref !== undefined) links.push({ rel: 'self', href: nonEmpty(id, 'selfHref', input.selfHref), type: MediaType.GeoJson });
  if (input.sourceItemHref !== undefined) {
    links.push({ rel: 'derived_from', href: nonEmpty(id, 'sourceItemHref', input.sourceItemHref), type: MediaType.GeoJson });
  }
  const source: Record<string, string> = { rel: input.sourceItemHref === undefined ? 'derived_from' : 'via', href: nonEmpty(id, 'sourceHref', input.sourceHref) };
  if (input.sourceType !== undefined) source.type = input.sourceType;
  links.push(source);

  const item: Record<string, unknown> = {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: [StacExtension.Eo, StacExtension.Projection, StacExtension.Raster],
    id,
    geometry,
  };
  // STAC requires bbox whenever geometry is not null, and only then.
  if (bbox !== undefined) item.bbox = bbox;
  item.properties = properties;
  item.links = links;
  item.assets = buildAssets(id, input.assets);
  return item;
}

function footprint(
  id: string,
  bboxIn: readonly number[] | null,
  geometryIn: GeoJsonGeometry | undefined,
): { geometry: GeoJsonGeometry | null; bbox?: [number, number, number, number] } {
  if (bboxIn !== null) {
    checkLonLatBbox(id, bboxIn);
    const bbox: [number, number, number, number] = [bboxIn[0], bboxIn[1], bboxIn[2], bboxIn[3]];
    if (geometryIn === undefined) return { geometry: bboxToGeometry(bbox), bbox };
    checkGeometryInBbox(id, geometryIn, bbox);
    return { geometry: geometryIn, bbox };
  }
  if (geometryIn === undefined) return { geometry: null };
  const positions = geometryPositions(id, geometryIn);
  if (positions.length === 0) throw new StacInputError(id, `geometry ${geometryIn.type} has no positions`);
  const lons = positions.map((p) => p[0]);
  const lats = positions.map((p) => p[1]);
  const bbox: [number, number, number, number] = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  checkLonLatBbox(id, bbox);
  return { geometry: geometryIn, bbox };
}

function datetimeFields(id: string, datetime: string | null, props: Record<string, unknown>): Record<string, unknown> {
  const check = (name: string, v: unknown): void => {
    if (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v))) {
      throw new StacInputError(id, `${name} ${JSON.stringify(v)} is not an RFC 3339 date-time with a time zone`);
    }
  };
  if (datetime !== null) {
    check('datetime', datetime);
    return { datetime };
  }
  // STAC core: a null datetime is only valid with both range ends.
  check('start_datetime (required when datetime is null)', props.start_datetime);
  check('end_datetime (required when datetime is null)', props.end_datetime);
  return { datetime: null };
}

function checkShape(id: string, shape: readonly number[]): [number, number] {
  if (shape.length !== 2 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    throw new StacInputError(id, `shape [${shape.join(', ')}] is not [height, width] in whole pixels`);
  }
  return [shape[0], shape[1]];
}

function checkTransform(id: string, t: readonly number[]): number[] {
  const ok = (t.length === 6 || (t.length === 9 && t[6] === 0 && t[7] === 0 && t[8] === 1)) && t.every(Number.isFinite);
  if (!ok) throw new StacInputError(id, `transform [${t.join(', ')}] is not [a, b, c, d, e, f] (or with the row 0, 0, 1)`);
  if (t[0] * t[4] - t[1] * t[3] === 0) throw new StacInputError(id, `transform [${t.join(', ')}] is singular`);
  return [...t];
}

function nonEmpty(id: string, name: string, v: string): string {
  if (v.length === 0) throw new StacInputError(id, `${name} is empty`);
  return v;
}

function buildAssets(id: string, assets: OutputAsset[]): Record<string, object> {
  const out: Record<string, object> = {};
  for (const a of assets) {
    if (a.key.length === 0) throw new StacInputError(id, 'an asset key is empty');
    if (Object.prototype.hasOwnProperty.call(out, a.key)) throw new StacInputError(id, `asset key ${a.key} is used twice`);
    if (a.roles.length === 0) throw new StacInputError(id, `asset ${a.key} has no roles`);
    const asset: Record<string, unknown> = {
      href: nonEmpty(id, `asset ${a.key} href`, a.href),
      type: nonEmpty(id, `asset ${a.key} type`, a.type),
      title: a.title,
      roles: [...a.roles],
    };
    if (a.product !== undefined) asset['tessera:product'] = a.product;
    if (a.vector !== undefined) {
      if (!Number.isSafeInteger(a.vector.polygons) || a.vector.polygons < 0) throw new StacInputError(id, `asset ${a.key} polygon count ${a.vector.polygons} is not a whole number >= 0`);
      asset['tessera:mask'] = a.vector.mask;
      asset['tessera:polygons'] = a.vector.polygons;
    }
    if (a.proj !== undefined) Object.assign(asset, assetProj(id, a.key, a.proj));
    const band = rasterBand(id, a);
    if (band !== undefined) asset['raster:bands'] = [band];
    out[a.key] = asset;
  }
  return out;
}

function assetProj(id: string, key: string, p: NonNullable<OutputAsset['proj']>): Record<string, unknown> {
  if (!(Number.isInteger(p.epsg) && p.epsg > 0)) throw new StacInputError(id, `asset ${key} epsg ${p.epsg} is not a positive integer`);
  const shape = checkShape(`${id} asset ${key}`, p.shape);
  const transform = checkTransform(`${id} asset ${key}`, p.transform);
  return { 'proj:epsg': p.epsg, 'proj:shape': shape, 'proj:transform': transform, 'proj:bbox': projBbox(transform, shape) };
}

function rasterBand(id: string, a: OutputAsset): Record<string, unknown> | undefined {
  const band: Record<string, unknown> = {};
  if (a.dataType !== undefined) {
    if (!(RASTER_DATA_TYPES as readonly string[]).includes(a.dataType)) {
      throw new StacInputError(id, `asset ${a.key} data type ${a.dataType} is not one of ${RASTER_DATA_TYPES.join(', ')}`);
    }
    band.data_type = a.dataType;
  }
  if (a.nodata !== undefined) band.nodata = nodataValue(a.nodata);
  if (a.statistics !== undefined) {
    const stats: Record<string, number> = {};
    // Fixed order (as listed in the extension) keeps the serialised Item byte-stable.
    for (const k of ['minimum', 'maximum', 'mean', 'stddev', 'valid_percent'] as const) {
      const v = a.statistics[k];
      if (v !== undefined && Number.isFinite(v)) stats[k] = v;
    }
    const vp = stats.valid_percent;
    if (vp !== undefined && (vp < 0 || vp > 100)) throw new StacInputError(id, `asset ${a.key} valid_percent ${vp} outside [0, 100]`);
    // The schema wants at least one statistic: an all-nodata asset simply has none.
    if (Object.keys(stats).length > 0) band.statistics = stats;
  }
  return Object.keys(band).length > 0 ? band : undefined;
}

// The raster extension spells non-finite nodata as strings, since JSON numbers cannot be NaN or infinite.
function nodataValue(v: number | 'nan'): number | string {
  if (v === 'nan' || Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v;
}
