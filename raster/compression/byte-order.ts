/** Byte swapping for big-endian ("MM") files read on a little-endian host (and the reverse). */

/** True on little-endian hosts (every platform Node ships for today, but checked, not assumed). */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `bytesPerSample`-wide word of `bytes[0, length)` in place. */
export function swapBytes(bytes: Uint8Array, bytesPerSample: number, length: number = bytes.length): void {
  const end = length - (length % bytesPerSample);
  switch (bytesPerSample) {
    case 1:
      return;
    case 2:
      for (let i = 0; i < end; i += 2) {
        const t = bytes[i];
        bytes[i] = bytes[i + 1];
        bytes[i + 1] = t;
      }
      return;
    case 4:
      for (let i = 0; i < end; i += 4) {
        const a = bytes[i];
        const b = bytes[i + 1];
        bytes[i] = bytes[i + 3];
        bytes[i + 1] = bytes[i + 2];
        bytes[i + 2] = b;
        bytes[i + 3] = a;
      }
      return;
    case 8:
      for (let i = 0; i < end; i += 8) {
        for (let j = 0; j < 4; j++) {
          const t = bytes[i + j];
          bytes[i + j] = bytes[i + 7 - j];
          bytes[i + 7 - j] = t;
        }
      }
      return;
    default:
      throw new RangeError(`cannot swap ${bytesPerSample}-byte words`);
  }
}
