import type { CogBuilder } from '../raster/cog/builder';
import { Sha256Stream } from '../raster/stac/manifest';
import type { ObjectStore } from '../platform/storage/object-store';

const COG_CONTENT_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';

/**
 * Streams a finished CogBuilder into an atomic writer (multipart upload on S3, temp file + rename on disk), hashing
 * as it goes. Nothing appears under `target` unless the whole file was written: on any failure, a cancellation
 * included, the upload is aborted.
 * @param onChunk called with each chunk's size, for heartbeats.
 */
export async function writeCog(
  store: ObjectStore,
  target: string,
  builder: CogBuilder,
  signal: AbortSignal | undefined,
  onChunk: (bytes: number) => void = () => undefined,
): Promise<{ sizeBytes: number; sha256: string }> {
  const writer = await store.createWriter(target, { contentType: COG_CONTENT_TYPE });
  const sha = new Sha256Stream();
  try {
    await builder.finish(async (chunk) => {
      signal?.throwIfAborted();
      sha.update(chunk);
      onChunk(chunk.byteLength);
      await writer.write(chunk);
    });
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const info = await writer.commit();
  return { sizeBytes: info.sizeBytes, sha256: sha.digest() };
}
