/** SHA-256 of output files, in one call or chunk by chunk while the bytes stream to storage. */
import { createHash, type Hash } from 'node:crypto';
import { RasterError } from '../errors';

/** Lower-case hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Incremental SHA-256: feed chunks in order with `update`, then read `digest()`. Lets a writer hash a COG as it
 * streams the parts out, without holding the whole file. `digest()` may be called again and returns the same value.
 */
export class Sha256Stream {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private hex: string | undefined;

  /**
   * Adds a chunk; returns this for chaining.
   * @throws RasterError (INVALID_ARGUMENT) after `digest()`: the hash is final and a late chunk would be lost.
   */
  update(chunk: Uint8Array): this {
    if (this.hex !== undefined) {
      throw new RasterError('INVALID_ARGUMENT', 'sha256', `update of ${chunk.byteLength} bytes after digest of ${this.bytes} bytes`);
    }
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
    return this;
  }

  /** Bytes hashed so far. */
  get sizeBytes(): number {
    return this.bytes;
  }

  /** Lower-case hex digest of every chunk so far; finalises the stream. */
  digest(): string {
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }
}
