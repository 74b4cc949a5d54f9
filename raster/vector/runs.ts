/** Mask rows → runs of one value, the polygonizer's input. */

/**
 * Cuts mask rows into runs [start, end) of one byte value. Masks are mostly long stretches of one value, so the
 * scan goes four bytes at a time where it can: a word without the value's byte (searching for a run) or made
 * only of it (inside a run) is skipped whole, and only the word where a run starts or ends is looked at byte
 * by byte. Keeps a 32-bit view of the last mask buffer it scanned.
 */
export class RunScanner {
  private wordView: Uint32Array | null = null;
  private wordSource: Uint8Array | null = null;

  /**
   * Runs of `value` in mask[offset, offset + width), as columns relative to offset, into starts/ends.
   * @returns the number of runs.
   */
  scan(mask: Uint8Array, offset: number, width: number, value: number, starts: Int32Array, ends: Int32Array): number {
    const v = value;
    const end = offset + width;
    const words = this.words(mask);
    const pattern = (v * 0x01010101) | 0;
    // Index in mask of the byte word 0 starts at (the first 4-aligned one).
    const first = (4 - (mask.byteOffset & 3)) & 3;
    let n = 0;
    let i = offset;
    while (i < end) {
      // Find the next byte equal to v.
      while (i < end && mask[i] !== v) {
        if (((i - first) & 3) === 0 && i + 4 <= end) {
          const t = words[(i - first) >> 2] ^ pattern;
          // No zero byte in t: no byte of the word is v.
          if (((t - 0x01010101) & ~t & 0x80808080) === 0) {
            i += 4;
            continue;
          }
        }
        i++;
      }
      if (i === end) break;
      starts[n] = i - offset;
      while (i < end && mask[i] === v) {
        if (((i - first) & 3) === 0 && i + 4 <= end && (words[(i - first) >> 2] | 0) === pattern) {
          i += 4;
          continue;
        }
        i++;
      }
      ends[n++] = i - offset;
    }
    return n;
  }

  /** The mask's bytes as 32-bit words from its first 4-aligned byte. */
  private words(mask: Uint8Array): Uint32Array {
    if (this.wordSource !== mask || this.wordView === null) {
      const first = (4 - (mask.byteOffset & 3)) & 3;
      const count = Math.max(0, (mask.length - first) >> 2);
      this.wordView = new Uint32Array(mask.buffer, mask.byteOffset + first, count);
      this.wordSource = mask;
    }
    return this.wordView;
  }
}
