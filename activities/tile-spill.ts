/**
 * Encoded COG tiles parked in a local temporary file until CogBuilder.finish() writes them, so a large
 * reprojected copy (up to MAX_REPROJECTED_PIXELS) does not hold all its compressed tiles in memory: only the
 * overviews stay there (about a third of the base, compressed). The file lives as long as one activity attempt;
 * a retry starts a new one.
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TileRef } from '../raster/cog/builder';

export class TileSpill {
  private end = 0;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly file: FileHandle,
  ) {}

  static async create(): Promise<TileSpill> {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-tiles-'));
    try {
      return new TileSpill(dir, await open(join(dir, 'tiles.bin'), 'w+'));
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Appends one tile; the ref loads it back (once the append is done). */
  async add(bytes: Uint8Array): Promise<TileRef> {
    const offset = this.end;
    const length = bytes.byteLength;
    this.end += length;
    const written = this.writes.then(() => this.file.write(bytes, 0, length, offset));
    this.writes = written.catch(() => undefined);
    await written;
    return {
      byteLength: length,
      load: async () => {
        const out = new Uint8Array(length);
        const { bytesRead } = await this.file.read(out, 0, length, offset);
        if (bytesRead !== length) throw new Error(`tile spill: read ${bytesRead} of ${length} bytes at ${offset}`);
        return out;
      },
    };
  }

  /** Closes and deletes the file. */
  async close(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
