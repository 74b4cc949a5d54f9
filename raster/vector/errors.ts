import { RasterError } from '../errors';

/**
 * A mask, value raster or option the vectoriser cannot use: a row buffer shorter than the rows it claims, rows
 * pushed after `finish()`, more rows than the declared height, a connectivity other than 4 or 8, a negative
 * minimum area. Thrown by the polygonizer and the feature builders; the caller's input is wrong, so retrying
 * cannot help.
 */
export class VectorInputError extends RasterError {
  override readonly name = 'VectorInputError';
  constructor(subject: string, detail: string) {
    super('INVALID_ARGUMENT', subject, detail);
  }
}
