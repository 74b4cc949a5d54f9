/**
 * The one projection layer of Tessera: an EPSG code → a converter to and from WGS 84 longitude/latitude, with
 * proj4 doing the math from a proj4 definition string.
 *
 * Why a curated table and not the `epsg-index` package (8112 definitions taken from epsg.io): measured against
 * GDAL 3.6 / PROJ on the centre of each CRS's area of use, only 3102 of the 5070 projected CRSs it shares with
 * PROJ's database agree within 1 mm. 297 name NTv2 grids proj4 does not ship (proj4 prints a warning and returns
 * points kilometres off), 34 more are off by over 1 km (south-oriented axes, Krovak), 88 use methods proj4 lacks,
 * and the rest differ by metres where epsg.io and PROJ pick different datum shifts. Those failures are silent.
 * The package is also 40 MB in 8118 files. The rasters Tessera reads (EMIT in EPSG:4326; PRISMA, EnMAP, DESIS,
 * AVIRIS in UTM; polar and equal-area grids) fit a short table in which every entry is checked against GDAL
 * (crs.test.ts), and a code outside it fails loudly with UnknownCrsError instead of giving a wrong footprint.
 */
import proj4 from 'proj4';
import { UnknownCrsError } from './errors';

/** A CRS with its converter to and from WGS 84 lon/lat in degrees. */
export interface Projection {
  readonly epsg: number;
  /** The proj4 definition the converter was built from. */
  readonly definition: string;
  /** True when the CRS coordinates are already longitude/latitude in degrees. */
  readonly geographic: boolean;
  /** Metres per linear unit of the CRS (1 for metre, 1200/3937 for US survey feet); NaN for a geographic CRS. */
  readonly metresPerUnit: number;
  /** Semi-major axis of the CRS's ellipsoid, in metres. */
  readonly semiMajorAxisM: number;
  /** First eccentricity squared of the CRS's ellipsoid. */
  readonly eccentricitySquared: number;
  /**
   * CRS coordinates (easting/northing, or lon/lat for a geographic CRS) → [lon, lat] in degrees on WGS 84.
   * Points outside the projection's domain come back non-finite.
   */
  toLonLat(x: number, y: number): [number, number];
  /** [lon, lat] in degrees on WGS 84 → CRS coordinates. */
  fromLonLat(lon: number, lat: number): [number, number];
}

// ETRS89, NAD83 and GDA94 are taken as WGS 84 (+towgs84=0): they differ from it by 0.5–2 m, drifting with the
// plates, which is GDAL's default too for ETRS89 (EPSG:1149, a null transformation) and well inside a pixel.
const GRS80_AS_WGS84 = '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0';

const FIXED: Readonly<Record<number, string>> = {
  4326: '+proj=longlat +datum=WGS84 +no_defs',
  3857: '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs',
  3395: '+proj=merc +lon_0=0 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  // Polar stereographic: NSIDC Sea Ice north (3413) and Antarctic (3031), Arctic (3995), Antarctic (3976), UPS (32661/32761).
  3413: '+proj=stere +lat_0=90 +lat_ts=70 +lon_0=-45 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  3031: '+proj=stere +lat_0=-90 +lat_ts=-71 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  3995: '+proj=stere +lat_0=90 +lat_ts=71 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  3976: '+proj=stere +lat_0=-90 +lat_ts=-70 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  32661: '+proj=stere +lat_0=90 +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs',
  32761: '+proj=stere +lat_0=-90 +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs',
  // Equal-area grids: ETRS89-LAEA Europe, EASE-Grid 2.0 global/north/south, Equal Earth, CONUS/Alaska/Australia Albers.
  3035: `+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 ${GRS80_AS_WGS84} +units=m +no_defs`,
  6933: '+proj=cea +lat_ts=30 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  6931: '+proj=laea +lat_0=90 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  6932: '+proj=laea +lat_0=-90 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  8857: '+proj=eqearth +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  5070: `+proj=aea +lat_0=23 +lon_0=-96 +lat_1=29.5 +lat_2=45.5 +x_0=0 +y_0=0 ${GRS80_AS_WGS84} +units=m +no_defs`,
  3338: `+proj=aea +lat_0=50 +lon_0=-154 +lat_1=55 +lat_2=65 +x_0=0 +y_0=0 ${GRS80_AS_WGS84} +units=m +no_defs`,
  3577: `+proj=aea +lat_0=0 +lon_0=132 +lat_1=-18 +lat_2=-36 +x_0=0 +y_0=0 ${GRS80_AS_WGS84} +units=m +no_defs`,
  // NAD83 / New York Long Island (ftUS): a CRS in US survey feet (x_0 is in metres in proj strings).
  2263: `+proj=lcc +lat_0=40.1666666666667 +lon_0=-74 +lat_1=41.0333333333333 +lat_2=40.6666666666667 +x_0=300000 +y_0=0 ${GRS80_AS_WGS84} +units=us-ft +no_defs`,
};

/** UTM families whose codes are `base + zone`. */
const UTM_FAMILIES: ReadonlyArray<{ base: number; zones: [number, number]; south: boolean; datum: string }> = [
  { base: 32600, zones: [1, 60], south: false, datum: '+datum=WGS84' }, // WGS 84 / UTM zone nN
  { base: 32700, zones: [1, 60], south: true, datum: '+datum=WGS84' }, // WGS 84 / UTM zone nS
  { base: 25800, zones: [28, 38], south: false, datum: GRS80_AS_WGS84 }, // ETRS89 / UTM zone nN
  { base: 26900, zones: [1, 23], south: false, datum: GRS80_AS_WGS84 }, // NAD83 / UTM zone nN
];

/** The proj4 definition Tessera uses for an EPSG code, or undefined when the code is not in the table. */
export function proj4Definition(epsg: number): string | undefined {
  if (!Number.isInteger(epsg)) return undefined;
  const fixed = FIXED[epsg];
  if (fixed !== undefined) return fixed;
  for (const f of UTM_FAMILIES) {
    const zone = epsg - f.base;
    if (zone >= f.zones[0] && zone <= f.zones[1]) {
      return `+proj=utm +zone=${zone}${f.south ? ' +south' : ''} ${f.datum} +units=m +no_defs`;
    }
  }
  return undefined;
}

/** True when `projectionFor(epsg)` will succeed. */
export function isKnownEpsg(epsg: number): boolean {
  return proj4Definition(epsg) !== undefined;
}

/** Every EPSG code in the table, ascending (for tests and documentation). */
export function knownEpsgCodes(): number[] {
  const codes = Object.keys(FIXED).map(Number);
  for (const f of UTM_FAMILIES) for (let z = f.zones[0]; z <= f.zones[1]; z++) codes.push(f.base + z);
  return codes.sort((a, b) => a - b);
}

const cache = new Map<number, Projection>();

/**
 * The converter between `EPSG:<epsg>` and WGS 84 lon/lat (cached per code).
 * @throws UnknownCrsError when the code is not one Tessera has a definition for (see {@link isKnownEpsg}).
 */
export function projectionFor(epsg: number): Projection {
  const hit = cache.get(epsg);
  if (hit !== undefined) return hit;
  const definition = proj4Definition(epsg);
  if (definition === undefined) throw new UnknownCrsError(epsg);
  const proj = new proj4.Proj(definition) as unknown as { projName?: string; to_meter?: number; a: number; es: number };
  const geographic = proj.projName === 'longlat';
  const converter = proj4('EPSG:4326', definition);
  const projection: Projection = {
    epsg,
    definition,
    geographic,
    metresPerUnit: geographic ? NaN : (proj.to_meter ?? 1),
    semiMajorAxisM: proj.a,
    eccentricitySquared: proj.es,
    toLonLat: geographic
      ? (x, y) => [x, y]
      : (x, y) => {
          const [lon, lat] = converter.inverse([x, y]);
          return [lon, lat];
        },
    fromLonLat: geographic
      ? (lon, lat) => [lon, lat]
      : (lon, lat) => {
          const [x, y] = converter.forward([lon, lat]);
          return [x, y];
        },
  };
  cache.set(epsg, projection);
  return projection;
}
