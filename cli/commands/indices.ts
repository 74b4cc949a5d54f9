import { matchBand, type Sensor } from '../../raster/bands';
import { BandMatchError } from '../../raster/errors';
import { computableIndices, indexNames, resolveIndexName, type IndexAvailability } from '../../raster/indices/catalog-sensor';
import { HAB_ROLES } from '../../raster/indices/hab';
import type { HabRoleName } from '../../raster/jobs/products/definition';
import { catalogProduct, wavelengthProduct } from '../../raster/jobs/products/named';
import { sceneSensor } from '../../raster/jobs/products/sensor';
import { Tiff } from '../../raster/tiff/tiff';
import { pickAsset } from '../../platform/catalog/assets';
import type { StacItem } from '../../platform/catalog/stac';
import type { Config } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import { normalizeUri } from '../../platform/storage/uri';
import { PRODUCTS } from '../../workflows/products';
import { parse, parseConstants, parseWavelengths } from '../args';
import * as print from '../print';
import { UsageError } from '../usage-error';

export const INDICES_HELP = `Usage: tessera indices list [--input FILE|ITEM] [--wavelengths NM,...] [--const K=V] [--computable] [--json]

Lists the products a run can ask for by name (--products): the built-ins, every index of the spectral-index
catalog (Awesome Spectral Indices) and the wavelength indices (MCI, FLH, CI_cyano). With a sensor (the bands of
--input, a GeoTIFF or STAC item; or --wavelengths), each line says which bands the product would use, or why the
sensor cannot compute it: the missing range and the nearest band.

Options:
  --input URI          a GeoTIFF (path, file://, s3://) or STAC item whose bands to match
  --wavelengths NM,..  band centre wavelengths in nm (instead of, or overriding, the file's)
  --const K=V          constant values (repeatable), e.g. PAR=1800 makes NIRvP computable
  --computable         only what the sensor can compute
  --json               print JSON: one object per product
  -h, --help           this help`;

/** One line of `tessera indices list`. */
export interface IndexRow {
  name: string;
  source: 'builtin' | 'catalog' | 'wavelength';
  description: string;
  formula: string | null;
  /** Band inputs the product reads (catalog keys, wavelength names, HAB roles). */
  inputs: string[];
  /** With a sensor: whether it can be computed, with which bands, or why not. */
  computable?: boolean;
  bands?: Record<string, { index: number; wavelengthNm: number }>;
  constants?: Record<string, number>;
  reason?: string;
}

export async function indicesCommand(argv: string[], config: Config): Promise<number> {
  const { values, positionals } = parse(argv, {
    input: { type: 'string' },
    wavelengths: { type: 'string' },
    const: { type: 'string', multiple: true },
    computable: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help || positionals.length === 0) {
    print.out(INDICES_HELP);
    return values.help ? 0 : 2;
  }
  if (positionals[0] !== 'list' || positionals.length > 1) throw new UsageError(`unknown subcommand "${positionals.join(' ')}" (see tessera indices --help)`);
  const wavelengthsNm = values.wavelengths ? parseWavelengths(values.wavelengths) : undefined;
  const sensor = values.input ? await inputSensor(config, normalizeUri(values.input), wavelengthsNm) : wavelengthsNm ? sceneSensor({ name: '--wavelengths', wavelengthsNm, bands: [] }) : undefined;
  if (values.computable && !sensor) throw new UsageError('--computable needs a sensor (--input or --wavelengths)');
  const rows = indexRows(sensor, parseConstants(values.const)).filter((r) => !values.computable || r.computable);
  if (values.json) print.json(rows);
  else print.printIndexList(rows, sensor?.name);
  return 0;
}

/** Every product a run can name, with what it would use on `sensor` (when given). */
export function indexRows(sensor: Sensor | undefined, constants: Record<string, number> = {}): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const def of Object.values(PRODUCTS)) {
    const row: IndexRow = { name: def.name, source: 'builtin', description: def.description, formula: null, inputs: [...def.roles] };
    if (sensor) {
      try {
        row.bands = Object.fromEntries(def.roles.map((r) => [r, pickOf(matchBand(sensor, HAB_ROLES[r as HabRoleName], def.name))]));
        row.computable = true;
      } catch (err) {
        if (!(err instanceof BandMatchError)) throw err;
        row.computable = false;
        row.reason = err.detail;
      }
    }
    rows.push(row);
  }
  const availability: Map<string, IndexAvailability> = sensor ? new Map(computableIndices(sensor, { constants }).map((a) => [a.shortName, a])) : new Map();
  for (const name of indexNames()) {
    const def = resolveIndexName(name).source === 'catalog' ? catalogProduct(name) : wavelengthProduct(name);
    const row: IndexRow = { name: def.name, source: def.source as 'catalog' | 'wavelength', description: def.description, formula: (def.kernel as { formula: string }).formula, inputs: [...def.roles] };
    const a = availability.get(name);
    if (a) {
      row.computable = a.computable;
      if (a.computable) {
        row.bands = Object.fromEntries(Object.entries(a.bands).map(([r, b]) => [r, pickOf(b)]));
        if (Object.keys(a.constants).length > 0) row.constants = a.constants;
      } else {
        row.reason = a.reason;
      }
    }
    rows.push(row);
  }
  return rows;
}

function pickOf(b: { index: number; wavelengthNm: number }): { index: number; wavelengthNm: number } {
  return { index: b.index, wavelengthNm: b.wavelengthNm };
}

/**
 * The sensor of a scene as a run's plan sees it (raster/jobs/products/sensor.ts): reads the GeoTIFF's header, or
 * the STAC item and the header of the GeoTIFF asset it names.
 */
export async function inputSensor(config: Config, uri: string, wavelengthsNm?: number[]): Promise<Sensor> {
  return (await inputHeader(config, uri, wavelengthsNm)).sensor;
}

/** The sensor and the grid of an input (a GeoTIFF or a STAC item), from its header. */
export async function inputHeader(
  config: Config,
  uri: string,
  wavelengthsNm?: number[],
): Promise<{ tiffUri: string; sensor: Sensor; grid: { width: number; height: number; epsg: number | null; geoTransform: number[] | null } }> {
  const store = createStoreRouter(config);
  let tiffUri = uri;
  let item: StacItem | undefined;
  if (/\.json$/i.test(uri)) {
    try {
      item = JSON.parse(new TextDecoder().decode(await store.get(uri))) as StacItem;
    } catch (err) {
      if (err instanceof SyntaxError) throw new UsageError(`${uri}: not a JSON STAC item (${err.message})`);
      throw err;
    }
    tiffUri = pickAsset(item, uri);
  }
  const tiff = await Tiff.open(store.source(tiffUri));
  try {
    const info = tiff.info();
    const sensor = sceneSensor({ name: tiffUri.split('/').pop() ?? tiffUri, wavelengthsNm, stacItem: item, bands: info.bands });
    return { tiffUri, sensor, grid: { width: info.width, height: info.height, epsg: info.geo?.epsg ?? null, geoTransform: info.geo?.geoTransform ?? null } };
  } finally {
    await tiff.source.close?.();
  }
}
