/**
 * A sensor as band matching sees it: which band of a file sits at which wavelength.
 * Built from the file's own band metadata, from a STAC item (sensor-stac.ts) or from a user list.
 */
import type { BandInfo } from './types';
import { BandMatchError } from './errors';

/** One band of a file, located by its centre wavelength. */
export interface SensorBand {
  /** 0-based band index in the file. */
  index: number;
  /** Centre wavelength in nanometres. */
  wavelengthNm: number;
  /** Full width at half maximum in nanometres, when known. */
  fwhmNm?: number;
  /** Band name or description, when known (only used in messages). */
  name?: string;
}

/** The bands of one product that have a known wavelength. */
export interface Sensor {
  /** Product or file name; used in error messages. */
  name: string;
  /** Bands with a wavelength, in file order; bands without one are left out, so `bands[k].index` may skip. */
  bands: SensorBand[];
}

/**
 * Builds a sensor from the per-band metadata a reader found in the file (GDAL `wavelength` items).
 * Bands without a finite positive wavelength are skipped; the band index is the position in `bands`.
 */
export function sensorFromBandInfo(name: string, bands: BandInfo[]): Sensor {
  const out: SensorBand[] = [];
  bands.forEach((b, index) => {
    const wl = b.wavelengthNm;
    if (wl === undefined || !Number.isFinite(wl) || wl <= 0) return;
    const band: SensorBand = { index, wavelengthNm: wl };
    if (b.fwhmNm !== undefined && Number.isFinite(b.fwhmNm)) band.fwhmNm = b.fwhmNm;
    if (b.description) band.name = b.description;
    out.push(band);
  });
  return { name, bands: out };
}

/**
 * Builds a sensor from a user-supplied list of centre wavelengths in nanometres, one per band in file order
 * (the CLI's `--wavelengths 485,560,660,835,1650,2220`).
 *
 * @throws BandMatchError when a wavelength is not a finite positive number.
 */
export function sensorFromWavelengths(name: string, wavelengthsNm: number[]): Sensor {
  const bands = wavelengthsNm.map((wl, index) => {
    if (!Number.isFinite(wl) || wl <= 0) {
      throw new BandMatchError(name, `wavelength #${index + 1} (${wl}) is not a positive number of nanometres`);
    }
    return { index, wavelengthNm: wl };
  });
  return { name, bands };
}
