/**
 * Which wavelengths a scene's bands have, decided one way for the plan and for the CLI's checks before a run
 * starts: wavelengths given by the user win, then the STAC item's eo:bands, then the file's GDAL metadata.
 */
import { sensorFromBandInfo, sensorFromStacItem, sensorFromWavelengths, type Sensor } from '../../bands';
import type { BandInfo } from '../../types';

export interface SensorSources {
  /** Name used in messages: the file name. */
  name: string;
  /** `--wavelengths`, one per band in file order. */
  wavelengthsNm?: readonly number[];
  /** The scene's STAC item, when it came with one. */
  stacItem?: unknown;
  /** The file's own band metadata. */
  bands: BandInfo[];
}

/** The sensor of a scene. @throws BandMatchError for a user wavelength that is not a positive number. */
export function sceneSensor(s: SensorSources): Sensor {
  if (s.wavelengthsNm?.length) return sensorFromWavelengths(s.name, [...s.wavelengthsNm]);
  if (s.stacItem) return sensorFromStacItem(s.name, s.stacItem);
  return sensorFromBandInfo(s.name, s.bands);
}
