/**
 * GeoKeyDirectory (tag 34735) parsing, GeoTIFF 1.0 §2.4 / OGC 19-008: a header [version, revision, minor,
 * count] then per key [id, location, count, value]. Location 0 = the value itself, 34736 = index into
 * GeoDoubleParams, 34737 = offset into GeoAsciiParams ('|'-terminated strings).
 */
import { TiffFormatError } from '../errors';
import { GeoKey, ModelType, RasterType, TiffTag } from './const';

export type GeoKeyValue = number | number[] | string;

/** EPSG "user-defined" marker: the CRS is described by other keys, not by a code. */
const USER_DEFINED = 32767;

/**
 * Parses the directory into a key -> value map.
 * @throws TiffFormatError BAD_TAG when the directory is shorter than its header says, or a key points outside its params tag.
 */
export function parseGeoKeys(
  file: string,
  directory: number[],
  doubles: number[] = [],
  ascii = '',
): Map<number, GeoKeyValue> {
  const keys = new Map<number, GeoKeyValue>();
  if (directory.length < 4) throw new TiffFormatError('BAD_TAG', file, `GeoKeyDirectory has ${directory.length} values, expected at least 4`);
  const count = directory[3];
  if (directory.length < 4 + count * 4) {
    throw new TiffFormatError('BAD_TAG', file, `GeoKeyDirectory declares ${count} keys but holds ${(directory.length - 4) >> 2}`);
  }
  for (let k = 0; k < count; k++) {
    const [id, location, n, value] = directory.slice(4 + k * 4, 8 + k * 4);
    if (location === 0) {
      keys.set(id, value);
    } else if (location === TiffTag.GeoDoubleParams) {
      if (value + n > doubles.length) throw new TiffFormatError('BAD_TAG', file, `GeoKey ${id} points past GeoDoubleParams`);
      keys.set(id, n === 1 ? doubles[value] : doubles.slice(value, value + n));
    } else if (location === TiffTag.GeoAsciiParams) {
      if (value + n > ascii.length + 1) throw new TiffFormatError('BAD_TAG', file, `GeoKey ${id} points past GeoAsciiParams`);
      keys.set(id, ascii.slice(value, value + n).replace(/\|$/, ''));
    } else if (location === TiffTag.GeoKeyDirectory) {
      if (value + n > directory.length) throw new TiffFormatError('BAD_TAG', file, `GeoKey ${id} points past GeoKeyDirectory`);
      keys.set(id, directory.slice(value, value + n));
    }
  }
  return keys;
}

/** What the reader needs from the keys. */
export interface GeoKeySummary {
  /** EPSG code of the projected CRS (ProjectedCSType, 3072) or, for geographic models, of GeographicType (2048). */
  epsg?: number;
  /** GTRasterType (1025) = PixelIsPoint. */
  pixelIsPoint: boolean;
}

export function summarizeGeoKeys(keys: Map<number, GeoKeyValue>): GeoKeySummary {
  const code = (id: number): number | undefined => {
    const v = keys.get(id);
    return typeof v === 'number' && v > 0 && v !== USER_DEFINED ? v : undefined;
  };
  const model = keys.get(GeoKey.GTModelType);
  const projected = code(GeoKey.ProjectedCSType);
  const geographic = code(GeoKey.GeographicType);
  // A projected model names its CRS by ProjectedCSType; GeographicType there is only its base CRS.
  const epsg = model === ModelType.Geographic ? geographic : (projected ?? (model === ModelType.Projected ? undefined : geographic));
  return { epsg, pixelIsPoint: keys.get(GeoKey.GTRasterType) === RasterType.PixelIsPoint };
}
