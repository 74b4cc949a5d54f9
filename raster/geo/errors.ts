import { RasterError } from '../errors';

/**
 * An EPSG code with no definition in `crs.ts`. Thrown by `projectionFor` and everything built on it
 * (footprints, pixel areas); callers that would rather skip such a raster check `isKnownEpsg` first.
 */
export class UnknownCrsError extends RasterError {
  override readonly name = 'UnknownCrsError';
  constructor(readonly epsg: number) {
    super('UNSUPPORTED', `EPSG:${epsg}`, 'is not a CRS Tessera knows');
    // The CRS is the subject, so the message reads as a sentence rather than "file: detail".
    this.message = `EPSG:${epsg} is not a CRS Tessera knows`;
  }
}

/**
 * A grid that cannot be turned into a footprint or pixel areas: a singular or non-finite geotransform, a size
 * that is not whole pixels, latitudes beyond ±90°, corners outside the projection's domain.
 */
export class GeoInputError extends RasterError {
  override readonly name = 'GeoInputError';
  constructor(subject: string, detail: string) {
    super('INVALID_ARGUMENT', subject, detail);
  }
}
