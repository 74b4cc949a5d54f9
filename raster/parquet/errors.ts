import { RasterError } from '../errors';

/**
 * A tile-statistics row or partition value that cannot be written: a non-integer pixel window, a count below
 * its valid count, rows of several partitions in one file, an empty partition value. Thrown by
 * `statsTableToParquet` and `hiveKey`; the input is wrong, so retrying cannot help.
 */
export class StatsTableError extends RasterError {
  override readonly name = 'StatsTableError';
  constructor(detail: string) {
    super('INVALID_ARGUMENT', 'tile_stats', detail);
  }
}
