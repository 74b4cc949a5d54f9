import { RasterError } from '../errors';

/**
 * Input a quick-look page cannot show: a polygon position outside the scene's CRS domain, a preview size or
 * reduction factor that is not a positive whole number, masks of different lengths. Thrown by raster/quicklook;
 * the input is wrong, so retrying cannot help.
 */
export class QuicklookInputError extends RasterError {
  override readonly name = 'QuicklookInputError';
  constructor(detail: string) {
    super('INVALID_ARGUMENT', 'quicklook', detail);
  }
}
