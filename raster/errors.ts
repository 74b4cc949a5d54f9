/**
 * Typed errors of the raster library. Every message starts with the file (URL or path) it is about,
 * so a failure seen in a log or in the Temporal UI names the input and the problem.
 *
 * All of these describe the *input* (or a caller's argument): retrying the same call cannot help, so every
 * RasterError says `retryable: false` and the activity layer turns it into a non-retryable failure. Subclasses
 * elsewhere in raster/ inherit that decision. I/O errors from a ByteSource are not wrapped here: they stay plain
 * errors, which are retried.
 */
export type RasterErrorCode =
  | 'TRUNCATED' // the file ends before a structure it declares
  | 'BAD_HEADER' // not a TIFF/BigTIFF, or a malformed IFD
  | 'BAD_TAG' // a tag with an impossible type, count or value
  | 'OUT_OF_BOUNDS' // an offset/byte count pointing past the end of the file
  | 'TOO_LARGE' // declared sizes beyond what the library accepts
  | 'UNSUPPORTED' // valid TIFF, but a feature we do not read or write (compression, bit depth, ...)
  | 'DECODE_FAILED' // a compressed block that does not decode to the expected size
  | 'BAND_NOT_FOUND' // no band of the sensor falls inside a role's wavelength range
  | 'BAD_EXPRESSION' // a spectral index formula that does not parse or names unknown inputs
  | 'INVALID_ARGUMENT'; // a caller passed something impossible (window outside the image, ...)

export class RasterError extends Error {
  override readonly name: string = 'RasterError';
  constructor(
    readonly code: RasterErrorCode,
    /** The file (path or URL) the error is about; for formulas, the formula's name. */
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }

  /** Never: the same input fails the same way. Read by the activity layer (duck-typed, so raster/ imports nothing). */
  get retryable(): boolean {
    return false;
  }
}

/** The bytes are not a well-formed TIFF: truncated, bad header, bad tag, offsets past the end, decode failure. */
export class TiffFormatError extends RasterError {
  override readonly name = 'TiffFormatError';
}

/** A well-formed file that uses a feature Tessera does not support. */
export class UnsupportedFormatError extends RasterError {
  override readonly name = 'UnsupportedFormatError';
  constructor(file: string, detail: string) {
    super('UNSUPPORTED', file, detail);
  }
}

/** A file that declares sizes beyond the library's limits (guards against out-of-memory on hostile headers). */
export class RasterLimitError extends RasterError {
  override readonly name = 'RasterLimitError';
  constructor(file: string, detail: string) {
    super('TOO_LARGE', file, detail);
  }
}

/** No band of the sensor matches a wavelength role (e.g. NDCI on Landsat 7, which has no 695–715 nm band). */
export class BandMatchError extends RasterError {
  override readonly name = 'BandMatchError';
  constructor(product: string, detail: string) {
    super('BAND_NOT_FOUND', product, detail);
  }
}

/** A spectral-index formula that cannot be compiled. */
export class ExpressionError extends RasterError {
  override readonly name = 'ExpressionError';
  constructor(formulaName: string, detail: string) {
    super('BAD_EXPRESSION', formulaName, detail);
  }
}
