import { RasterError } from '../errors';

/**
 * Input that cannot become a valid STAC Item or manifest: a bbox outside lon/lat range, a geometry outside its
 * bbox, a malformed datetime, duplicate asset keys, a sha256 that is not 64 hex digits. Thrown by
 * `buildOutputItem` and `buildManifest`; the caller's data is wrong, so retrying cannot help.
 */
export class StacInputError extends RasterError {
  override readonly name = 'StacInputError';
  constructor(documentId: string, detail: string) {
    super('INVALID_ARGUMENT', documentId, detail);
  }
}
