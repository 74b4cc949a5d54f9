/**
 * Wavelength-named bands: a formula may say `R709` for "the sensor band nearest 709 nm" and `W709` for that
 * band's centre wavelength in nm (a constant once the band is chosen), so a line-height formula can use the
 * wavelengths the sensor really has instead of the nominal ones.
 *
 * Unlike the catalog's roles (bands.ts: any band inside a range, e.g. RE1 = 695–715 nm), a wavelength name asks
 * for one wavelength, and only a band whose centre is within a tolerance of it will do: by default half the
 * nearest band's FWHM (the band's response at the wanted wavelength is then at least half its peak), or 10 nm
 * when the FWHM is unknown.
 */
import type { Sensor, SensorBand } from '../sensor';
import { WavelengthMatchError } from './formula-errors';

/** Tolerance when the nearest band has no FWHM, nm. */
export const DEFAULT_WAVELENGTH_TOLERANCE_NM = 10;

/** A parsed wavelength name: `R709.5` → `{ kind: 'R', wavelengthNm: 709.5 }`. */
export interface WavelengthName {
  /** `R`: the band's value (a per-pixel input); `W`: the band's centre wavelength in nm (a constant). */
  kind: 'R' | 'W';
  wavelengthNm: number;
}

const PATTERN = /^([RW])(\d+(?:\.\d+)?)$/;

/** Parses `R<nm>` or `W<nm>` (digits, optional decimals); undefined for any other identifier or for 0 nm. */
export function parseWavelengthName(identifier: string): WavelengthName | undefined {
  const m = PATTERN.exec(identifier);
  if (!m) return undefined;
  const wavelengthNm = Number(m[2]);
  if (!(wavelengthNm > 0) || !Number.isFinite(wavelengthNm)) return undefined;
  return { kind: m[1] as 'R' | 'W', wavelengthNm };
}

/** Options of {@link resolveWavelengthBand}. */
export interface WavelengthMatchOptions {
  /**
   * Fixed tolerance in nm for every band.
   * @default half the nearest band's FWHM when known, else {@link DEFAULT_WAVELENGTH_TOLERANCE_NM}
   */
  toleranceNm?: number;
}

/** The tolerance a band gets by default: half its FWHM, or 10 nm when the FWHM is unknown. */
export function wavelengthToleranceNm(band: SensorBand, opts: WavelengthMatchOptions = {}): number {
  if (opts.toleranceNm !== undefined) return opts.toleranceNm;
  return band.fwhmNm !== undefined && band.fwhmNm > 0 ? band.fwhmNm / 2 : DEFAULT_WAVELENGTH_TOLERANCE_NM;
}

/**
 * The band whose centre is nearest `wantedNm` (ties go to the band listed first), if it is within tolerance.
 *
 * @param product what needs the band (a formula or index name); the error names it.
 * @throws WavelengthMatchError (a BandMatchError) when the nearest band is farther than the tolerance, e.g.
 *   `MCI: no band within 10 nm of 709 nm (nearest: band 17 at 721.3 nm)`.
 */
export function resolveWavelengthBand(sensor: Sensor, wantedNm: number, product: string, opts: WavelengthMatchOptions = {}): SensorBand {
  let nearest: SensorBand | undefined;
  let best = Infinity;
  for (const b of sensor.bands) {
    const d = Math.abs(b.wavelengthNm - wantedNm);
    if (d < best) {
      best = d;
      nearest = b;
    }
  }
  // Only the nearest band is a candidate: a farther, wider band may reach the wavelength with its half-maximum,
  // but its peak is elsewhere, and silently taking it would shift a line-height baseline.
  if (nearest && best <= wavelengthToleranceNm(nearest, opts)) return nearest;
  throw new WavelengthMatchError(product, wantedNm, nearest ? wavelengthToleranceNm(nearest, opts) : opts.toleranceNm ?? DEFAULT_WAVELENGTH_TOLERANCE_NM, nearest);
}
