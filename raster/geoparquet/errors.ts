import { RasterError } from '../errors';

/**
 * Polygon records that cannot be written as GeoParquet: an empty scene id, a datetime that is not ISO 8601.
 * Thrown by `featuresToGeoParquet`; the caller's data is wrong, so retrying cannot help.
 */
export class GeoParquetInputError extends RasterError {
  override readonly name = 'GeoParquetInputError';
  constructor(detail: string) {
    super('INVALID_ARGUMENT', 'geoparquet', detail);
  }
}
