/**
 * PROJJSON (https://proj.org/specifications/projjson.html) of the CRSes raster/geo knows, for GeoParquet's `crs`
 * without GDAL at runtime.
 *
 * The objects come from GDAL/PROJ, written once by make-projjson-table.py into projjson-table.json: every fixed
 * code of crs.ts whole, and one zone of each UTM family, from which the other zones are derived (zone number in
 * the names, central meridian 6·zone − 183°, EPSG code). Usage extents are left out. projjson.test.ts compares
 * every code with GDAL's own PROJJSON and checks that the table covers exactly `knownEpsgCodes()`.
 */
import { UnknownCrsError } from '../geo/errors';
import TABLE from './projjson-table.json';

/** A PROJJSON object (CRS), as JSON. */
export type ProjJson = Record<string, unknown>;

interface Table {
  fixed: Record<string, ProjJson>;
  utm: Record<string, { first_zone: number; crs: ProjJson }>;
}

const table = TABLE as unknown as Table;

/** UTM families: code = base + zone. The zone ranges are crs.ts's. */
const UTM_ZONES: Record<number, [number, number]> = { 32600: [1, 60], 32700: [1, 60], 25800: [28, 38], 26900: [1, 23] };

interface Parameter {
  name: string;
  value: number;
}

/**
 * The PROJJSON of `EPSG:<epsg>` (a fresh copy the caller may change).
 * @throws UnknownCrsError for a code raster/geo has no definition for.
 */
export function projJsonFor(epsg: number): ProjJson {
  const fixed = table.fixed[String(epsg)];
  if (fixed !== undefined) return structuredClone(fixed);
  for (const [baseText, family] of Object.entries(table.utm)) {
    const base = Number(baseText);
    const [first, last] = UTM_ZONES[base];
    const zone = epsg - base;
    if (!Number.isInteger(zone) || zone < first || zone > last) continue;
    const crs = structuredClone(family.crs) as ProjJson & { name: string; conversion: { name: string; parameters: Parameter[] }; id: { code: number } };
    const renamed = (name: string): string => name.replace(/zone \d+([NS])/, `zone ${zone}$1`);
    crs.name = renamed(crs.name);
    crs.conversion.name = renamed(crs.conversion.name);
    const meridian = crs.conversion.parameters.find((p) => p.name === 'Longitude of natural origin');
    if (meridian === undefined) throw new Error(`projjson-table.json: UTM family ${base} has no central meridian`);
    meridian.value = 6 * zone - 183;
    crs.id.code = epsg;
    return crs;
  }
  throw new UnknownCrsError(epsg);
}
