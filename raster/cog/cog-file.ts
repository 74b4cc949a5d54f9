/** Writing a finished COG (a CogBuilder) to the local file system, atomically. */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CogStream, CogWriteResult } from './cog-stream';

/**
 * Writes the COG to `path` through a temporary file in the same directory, renamed into place at the end, so the
 * final name never holds a partial file. The temporary file is removed on failure.
 */
export async function writeCogFile(path: string, cog: CogStream): Promise<CogWriteResult> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w');
  let closed = false;
  try {
    // Coalesce small chunks (leaders, trailers, small tiles) into fewer writes.
    const FLUSH_BYTES = 4 << 20;
    let queue: Uint8Array[] = [];
    let queued = 0;
    const flush = async (): Promise<void> => {
      if (queue.length === 0) return;
      const chunks = queue;
      queue = [];
      queued = 0;
      await fh.writev(chunks);
    };
    const result = await cog.finish(async (chunk) => {
      queue.push(chunk);
      queued += chunk.byteLength;
      if (queued >= FLUSH_BYTES || queue.length >= 512) await flush();
    });
    await flush();
    await fh.close();
    closed = true;
    await rename(tmp, path);
    return result;
  } catch (err) {
    if (!closed) await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
