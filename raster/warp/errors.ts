import { RasterError } from '../errors';

/**
 * A warp that cannot be done: a source grid whose edges do not transform into the target CRS (too many points
 * outside the projection's domain), an output size past 2³¹ pixels, a source window or tile that does not fit
 * its grid, a sample type the kernels do not handle. Thrown by raster/warp; the input is wrong, so retrying
 * cannot help.
 */
export class WarpInputError extends RasterError {
  override readonly name = 'WarpInputError';
  constructor(subject: string, detail: string) {
    super('INVALID_ARGUMENT', subject, detail);
  }
}
