/**
 * Band matching: choose the band of a file that plays a spectral role (green, NIR, red edge...) by wavelength,
 * so one index definition runs on Wyvern's 23 or 31 bands, Sentinel-2 or Landsat alike.
 */
import { BandMatchError } from './errors';
import catalogBands from './indices/catalog/bands.json';
import type { Sensor, SensorBand } from './sensor';

export type { Sensor, SensorBand } from './sensor';
export { sensorFromBandInfo, sensorFromWavelengths } from './sensor';
export { sensorFromStacItem } from './sensor-stac';

/** A spectral role: the wavelength an index wants, and the range of wavelengths it accepts. */
export interface BandRole {
  /** Role name used in messages, e.g. the catalog key `RE1`. */
  name: string;
  /** Preferred centre wavelength, nm. */
  targetNm: number;
  /** Accepted range of band centres, nm, inclusive. */
  minNm: number;
  maxNm: number;
}

interface CatalogBand {
  min_wavelength: number;
  max_wavelength: number;
}

const STANDARD_BANDS = catalogBands as Record<string, CatalogBand>;

/**
 * The role of a standard band of the spectral-index catalog (`bands.json`): its wavelength range, with the
 * target at `targetNm` or at the centre of the range.
 *
 * @param bandKey catalog key, e.g. `G`, `N`, `R`, `RE1`, `B`, `S1` (case-sensitive).
 * @param targetNm preferred centre wavelength in nm. @default the centre of the catalog range
 * @throws BandMatchError when the key is not a catalog band, or the target lies outside its range.
 */
export function standardRole(bandKey: string, targetNm?: number): BandRole {
  const band = Object.prototype.hasOwnProperty.call(STANDARD_BANDS, bandKey) ? STANDARD_BANDS[bandKey] : undefined;
  if (!band) {
    const known = Object.keys(STANDARD_BANDS).join(', ');
    throw new BandMatchError(bandKey, `not a standard band of the index catalog (known: ${known})`);
  }
  const minNm = band.min_wavelength;
  const maxNm = band.max_wavelength;
  const target = targetNm ?? (minNm + maxNm) / 2;
  if (!(target >= minNm && target <= maxNm)) {
    throw new BandMatchError(bandKey, `target ${target} nm is outside the band's range ${minNm}–${maxNm} nm`);
  }
  return { name: bandKey, targetNm: target, minNm, maxNm };
}

function nm(x: number): string {
  return `${Number(x.toFixed(1))}`;
}

/** "band 4 (B4) at 835 nm": 1-based like GDAL band numbers, which is what users see in other tools. */
function describeBand(b: SensorBand): string {
  const label = b.name ? ` (${b.name})` : '';
  return `band ${b.index + 1}${label} at ${nm(b.wavelengthNm)} nm`;
}

/**
 * Picks the band whose centre is closest to `role.targetNm` among those inside `[minNm, maxNm]`.
 * Ties go to the band that comes first in `sensor.bands`, so the choice is deterministic.
 *
 * @param product what needs the band (an index or preview name); the error names it.
 * @throws BandMatchError when no band lies inside the range. The message names the product, the sensor,
 *   the role with its range and the nearest band, e.g.
 *   `ndci: needs RE1 (695–715 nm) but landsat7 has no band there; nearest is band 4 at 835 nm`.
 */
export function matchBand(sensor: Sensor, role: BandRole, product: string): SensorBand {
  let best: SensorBand | undefined;
  let bestDist = Infinity;
  let nearest: SensorBand | undefined;
  let nearestDist = Infinity;
  for (const b of sensor.bands) {
    const wl = b.wavelengthNm;
    const dist = Math.abs(wl - role.targetNm);
    if (wl >= role.minNm && wl <= role.maxNm && dist < bestDist) {
      best = b;
      bestDist = dist;
    }
    // Distance to the range (not to the target) is what tells the user how far off the sensor is.
    const outside = wl < role.minNm ? role.minNm - wl : wl > role.maxNm ? wl - role.maxNm : 0;
    if (outside < nearestDist) {
      nearest = b;
      nearestDist = outside;
    }
  }
  if (best) return best;
  const wanted = `${role.name} (${nm(role.minNm)}–${nm(role.maxNm)} nm)`;
  const hint = nearest ? `nearest is ${describeBand(nearest)}` : 'it has no band with a known wavelength';
  throw new BandMatchError(product, `needs ${wanted} but ${sensor.name} has no band there; ${hint}`);
}
