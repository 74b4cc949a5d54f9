/**
 * PackBits (compression 32773, TIFF 6.0 §9): header byte n in [0, 127] = copy the next n + 1 bytes,
 * n in [-127, -1] = repeat the next byte 1 - n times, -128 = no-op.
 */

/** Decodes into at most `outSize` bytes; returns the bytes actually decoded (shorter when the input ends early). */
export function packBitsDecode(input: Uint8Array, outSize: number): Uint8Array {
  const out = new Uint8Array(outSize);
  const inLength = input.length;
  let ip = 0;
  let pos = 0;
  while (ip < inLength && pos < outSize) {
    const n = (input[ip++] << 24) >> 24;
    if (n >= 0) {
      let count = n + 1;
      if (count > inLength - ip) count = inLength - ip;
      if (count > outSize - pos) count = outSize - pos;
      out.set(input.subarray(ip, ip + count), pos);
      ip += n + 1;
      pos += count;
    } else if (n !== -128) {
      if (ip >= inLength) break;
      let count = 1 - n;
      if (count > outSize - pos) count = outSize - pos;
      out.fill(input[ip++], pos, pos + count);
      pos += count;
    }
  }
  return pos >= outSize ? out : out.subarray(0, pos);
}
