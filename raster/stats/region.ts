/**
 * The part of a tile buffer that statistics look at. Edge tiles are padded to the full tile size; only
 * their top-left validWidth × validHeight pixels are image.
 */
import { RasterError } from '../errors';

/** Where the image is inside a row-major tile buffer. Without validWidth/validHeight, the whole buffer counts. */
export interface TileRegion {
  /** Row length of the buffer in pixels; required with validWidth/validHeight. */
  width?: number;
  /** Rows in the buffer. @default length / width */
  height?: number;
  /** Image columns (from the left). @default width */
  validWidth?: number;
  /** Image rows (from the top). @default height */
  validHeight?: number;
}

/** A region resolved against a buffer length: rows of `cols` pixels starting every `rowStride` pixels. */
export interface ResolvedRegion {
  rows: number;
  cols: number;
  rowStride: number;
}

/**
 * Resolves and checks a region.
 * @throws RasterError (INVALID_ARGUMENT) when the region does not fit the buffer.
 */
export function resolveRegion(length: number, region: TileRegion, what: string): ResolvedRegion {
  const { validWidth, validHeight } = region;
  if (validWidth === undefined && validHeight === undefined) {
    if (region.width === undefined) return { rows: 1, cols: length, rowStride: length };
  }
  const width = region.width;
  if (width === undefined || !Number.isInteger(width) || width <= 0) {
    throw new RasterError('INVALID_ARGUMENT', what, 'a valid region needs the buffer width');
  }
  const height = region.height ?? Math.floor(length / width);
  const cols = validWidth ?? width;
  const rows = validHeight ?? height;
  const ok =
    Number.isInteger(cols) && Number.isInteger(rows) && cols >= 0 && rows >= 0 && cols <= width && rows <= height;
  if (!ok || width * height > length) {
    throw new RasterError(
      'INVALID_ARGUMENT',
      what,
      `region ${cols}x${rows} of a ${width}x${height} buffer does not fit ${length} values`,
    );
  }
  return { rows, cols, rowStride: width };
}
