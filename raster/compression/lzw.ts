/**
 * TIFF LZW (compression 5) decoder, written for speed: decoding dominates reading a hyperspectral scene.
 *
 * Every dictionary string is also a run of bytes already written to the output (an entry is "the previous
 * code's string plus the first byte of this one", and those bytes sit side by side in the output). So an
 * entry is stored as (offset, length) into the output and emitting a code is a short forward copy: no
 * prefix-chain walk, no per-code allocation, one output buffer preallocated at the block's known size.
 *
 * Stream format (libtiff tif_lzw.c): codes packed MSB-first, 9 to 12 bits wide, 256 = Clear, 257 = EOI,
 * first free code 258, and the "early change": the width grows when the next free code reaches 2^width - 1.
 */

const CLEAR = 256;
const EOI = 257;
const FIRST_FREE = 258;
const MAX_CODES = 4096;
/** Single-byte strings stored ahead of the output. */
const LITERALS = 256;
/** Strings up to this long are copied with a fixed number of byte moves. */
const SLACK = 4;

/** A stream that is not valid LZW (code out of table, missing Clear), as opposed to one that is only short. */
export class LzwStreamError extends Error {
  /** Corrupt compressed bytes stay corrupt on a retry (decode-block.ts wraps this in a TiffFormatError). */
  get retryable(): boolean {
    return false;
  }
}

/**
 * Decodes one LZW-compressed block into `outSize` bytes.
 *
 * Stops at EOI, at the end of the input, or once `outSize` bytes are written (libtiff also tolerates a
 * missing EOI), and returns the output trimmed to the bytes actually decoded so the caller can reject a
 * short block.
 * @throws LzwStreamError on a code that is not in the table, or on old-style (bit-reversed, pre-1990) LZW.
 */
export function lzwDecode(input: Uint8Array, outSize: number): Uint8Array {
  if (input.length >= 2 && input[0] === 0 && (input[1] & 1) !== 0) {
    throw new LzwStreamError('old-style (bit-reversed) LZW is not supported');
  }
  // The buffer starts with the 256 single-byte strings, so a literal is an entry like any other (offset c,
  // length 1) and every code takes the same path. It ends with SLACK spare bytes, so short strings are copied
  // with a fixed number of byte moves whatever their length: a branch the CPU cannot predict costs more than the
  // few extra moves. Bytes written past a string's end are overwritten by the next code.
  const buf = new Uint8Array(LITERALS + outSize + SLACK);
  const entryOffset = new Int32Array(MAX_CODES);
  const entryLength = new Int32Array(MAX_CODES);
  for (let c = 0; c < LITERALS; c++) {
    buf[c] = c;
    entryOffset[c] = c;
    entryLength[c] = 1;
  }
  // CLEAR and EOI keep length 0, the mark of a control code.
  const end = LITERALS + outSize;
  const inLength = input.length;

  let ip = 0; // next input byte
  let acc = 0; // bit accumulator; only its low `nbits` bits are pending (higher bits are stale)
  let nbits = 0;
  let width = 9;
  let mask = 511;
  let next = FIRST_FREE;
  let pos = LITERALS;
  let prevOffset = -1; // buffer offset of the previous code's string; -1 right after Clear
  let prevLength = 0;

  while (pos < end) {
    // Refill two bytes at a time: with at most 11 bits pending, 27 fit in the 32-bit accumulator, and one
    // refill always covers a 12-bit code.
    if (nbits < width) {
      if (ip + 1 < inLength) {
        acc = (acc << 16) | (input[ip] << 8) | input[ip + 1];
        ip += 2;
        nbits += 16;
      } else if (ip < inLength) {
        acc = (acc << 8) | input[ip++];
        nbits += 8;
        if (nbits < width) break;
      } else {
        break;
      }
    }
    nbits -= width;
    const code = (acc >>> nbits) & mask;

    let src: number;
    let length: number;
    if (code < next) {
      src = entryOffset[code];
      length = entryLength[code];
      if (length === 0) {
        if (code === CLEAR) {
          width = 9;
          mask = 511;
          next = FIRST_FREE;
          prevOffset = -1;
          continue;
        }
        break; // EOI
      }
    } else if (code === next && prevOffset >= 0 && next < MAX_CODES) {
      // KwKwK: the entry being defined is prev + prev[0]; the overlapping forward copy produces it,
      // because it reads bytes it has just written.
      src = prevOffset;
      length = prevLength + 1;
    } else {
      throw new LzwStreamError(`LZW code ${code} is not in the table (next free ${next}) at input byte ${ip}`);
    }
    if (length <= SLACK) {
      for (let k = 0; k < SLACK; k++) buf[pos + k] = buf[src + k];
    } else {
      const stop = Math.min(pos + length, end);
      for (let d = pos, s = src; d < stop; ) buf[d++] = buf[s++];
    }

    if (prevOffset >= 0 && next < MAX_CODES) {
      entryOffset[next] = prevOffset;
      entryLength[next] = prevLength + 1;
      next++;
      // Early change (libtiff): widen once the next free code is 2^width - 1, capped at 12 bits.
      if (next >= mask && width < 12) {
        width++;
        mask = (1 << width) - 1;
      }
    }
    prevOffset = pos;
    prevLength = length;
    pos += length;
  }
  const decoded = Math.min(pos, end) - LITERALS;
  return buf.subarray(LITERALS, LITERALS + decoded);
}
