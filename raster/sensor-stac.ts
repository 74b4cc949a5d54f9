/**
 * Reads band wavelengths from a STAC item, for files whose GeoTIFF carries no wavelength metadata.
 *
 * Two spellings are accepted: the eo extension's `eo:bands` (STAC 1.0: `center_wavelength`,
 * `full_width_half_max`) and STAC 1.1's `bands` with `eo:center_wavelength` / `eo:full_width_half_max`.
 * Both give wavelengths in micrometres; they are converted to nanometres here.
 */
import { BandMatchError } from './errors';
import type { Sensor, SensorBand } from './sensor';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The band list of a STAC object (item properties or an asset), in either spelling, or undefined. */
function bandList(obj: Json): unknown[] | undefined {
  const eo = obj['eo:bands'];
  if (Array.isArray(eo) && eo.length > 0) return eo;
  const bands = obj['bands'];
  if (Array.isArray(bands) && bands.length > 0) return bands;
  return undefined;
}

function hasDataRole(asset: Json): boolean {
  const roles = asset['roles'];
  return Array.isArray(roles) && roles.includes('data');
}

/**
 * The asset's band list wins over the item's: the asset describes the file we read, while item-level bands
 * may be a summary over several assets. Among assets, one with role "data" (or named "data") is preferred,
 * because masks and previews may carry band lists too.
 */
function pickBandList(item: Json): unknown[] | undefined {
  const assets = isObject(item['assets']) ? item['assets'] : {};
  const candidates = Object.entries(assets).filter(
    (e): e is [string, Json] => isObject(e[1]) && bandList(e[1]) !== undefined,
  );
  const preferred =
    candidates.find(([, a]) => hasDataRole(a)) ?? candidates.find(([key]) => key === 'data') ?? candidates[0];
  if (preferred) return bandList(preferred[1]);
  return isObject(item['properties']) ? bandList(item['properties']) : undefined;
}

function micrometres(band: Json, plain: string, prefixed: string): number | undefined {
  const v = band[plain] ?? band[prefixed];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Multiplying by 1000 leaves float noise (0.549 * 1000 = 549.0000000000001); 1e-6 nm is far below any FWHM. */
function toNm(um: number): number {
  return Math.round(um * 1000 * 1e6) / 1e6;
}

/**
 * Builds a sensor from a parsed STAC item. The band index is the position in the band list, which the
 * eo extension defines to be the band order of the asset's file. Bands without a centre wavelength are skipped.
 *
 * @throws BandMatchError when the item has no band list at all.
 */
export function sensorFromStacItem(name: string, item: unknown): Sensor {
  const list = isObject(item) ? pickBandList(item) : undefined;
  if (!list) {
    throw new BandMatchError(name, 'STAC item has no eo:bands (or bands) in its properties or in a data asset');
  }
  const bands: SensorBand[] = [];
  list.forEach((raw, index) => {
    if (!isObject(raw)) return;
    const centre = micrometres(raw, 'center_wavelength', 'eo:center_wavelength');
    if (centre === undefined) return;
    const band: SensorBand = { index, wavelengthNm: toNm(centre) };
    const fwhm = micrometres(raw, 'full_width_half_max', 'eo:full_width_half_max');
    if (fwhm !== undefined) band.fwhmNm = toNm(fwhm);
    if (typeof raw['name'] === 'string') band.name = raw['name'];
    bands.push(band);
  });
  return { name, bands };
}
