/**
 * TIFF LZW encoder producing streams libtiff (and so GDAL) decodes: MSB-first codes, 9 to 12 bits, Clear (256)
 * first, EOI (257) last, first free code 258. Width grows after the entry that makes nextFree exceed 2^width - 1,
 * which lines up with the decoder's "early change" (it adds each entry one code later). When the table reaches
 * 4094 entries a Clear is emitted at the current width and the table restarts, as libtiff's LZWEncode does.
 * libtiff also resets when its compression ratio drops; that is an encoder choice, not part of the format, and is left out.
 *
 * The dictionary is an open-addressing hash table of packed (prefix << 8 | byte) << 12 | code words in an Int32Array,
 * small enough to stay in cache; scratch buffers are kept per thread and reused across tiles.
 */

const CLEAR = 256;
const EOI = 257;
const FIRST_FREE = 258;
const MAX_FREE = 4094; // libtiff: CODE_MAX - 1 with CODE_MAX = 2^12 - 1
const HASH_BITS = 14;
const HASH_SIZE = 1 << HASH_BITS;
const HASH_MASK = HASH_SIZE - 1;

const table = new Int32Array(HASH_SIZE);
let scratch = new Uint8Array(0);

/** Encodes bytes as one TIFF LZW stream. The returned array owns its buffer (safe to transfer). */
export function lzwEncode(input: Uint8Array): Uint8Array {
  const n = input.length;
  // Worst case: one 12-bit code per input byte, plus a Clear every 3836 codes, plus Clear/EOI/padding.
  const bound = Math.ceil(n * 1.5) + Math.ceil(n / 2000) + 16;
  if (scratch.length < bound) scratch = new Uint8Array(bound);
  const out = scratch;
  let o = 0;
  let bitBuf = 0;
  let bitCount = 0;
  let nbits = 9;
  let maxCode = 511;
  let free = FIRST_FREE;
  table.fill(0);

  // Inline bit writer: codes are <= 12 bits, so bitBuf stays under 20 bits.
  bitBuf = CLEAR;
  bitCount = 9;
  while (bitCount >= 8) {
    bitCount -= 8;
    out[o++] = (bitBuf >>> bitCount) & 0xff;
  }
  bitBuf &= (1 << bitCount) - 1;

  if (n > 0) {
    let prefix = input[0];
    for (let i = 1; i < n; i++) {
      const c = input[i];
      const key = (prefix << 8) | c;
      let h = (Math.imul(key, 0x9e3779b1) >>> (32 - HASH_BITS)) & HASH_MASK;
      let found = -1;
      for (;;) {
        const e = table[h];
        if (e === 0) break;
        if (e >>> 12 === key) {
          found = e & 0xfff;
          break;
        }
        h = (h + 1) & HASH_MASK;
      }
      if (found >= 0) {
        prefix = found;
        continue;
      }
      // Emit the prefix code at the current width.
      bitBuf = (bitBuf << nbits) | prefix;
      bitCount += nbits;
      while (bitCount >= 8) {
        bitCount -= 8;
        out[o++] = (bitBuf >>> bitCount) & 0xff;
      }
      bitBuf &= (1 << bitCount) - 1;

      table[h] = (key << 12) | free;
      free++;
      if (free === MAX_FREE) {
        bitBuf = (bitBuf << nbits) | CLEAR;
        bitCount += nbits;
        while (bitCount >= 8) {
          bitCount -= 8;
          out[o++] = (bitBuf >>> bitCount) & 0xff;
        }
        bitBuf &= (1 << bitCount) - 1;
        table.fill(0);
        free = FIRST_FREE;
        nbits = 9;
        maxCode = 511;
      } else if (free > maxCode) {
        nbits++;
        maxCode = (1 << nbits) - 1;
      }
      prefix = c;
    }
    // Last pending string. The decoder adds one more entry after reading it, so mirror libtiff's LZWPostEncode:
    // count that entry and widen (or clear) before writing EOI.
    bitBuf = (bitBuf << nbits) | prefix;
    bitCount += nbits;
    while (bitCount >= 8) {
      bitCount -= 8;
      out[o++] = (bitBuf >>> bitCount) & 0xff;
    }
    bitBuf &= (1 << bitCount) - 1;
    free++;
    if (free === MAX_FREE) {
      bitBuf = (bitBuf << nbits) | CLEAR;
      bitCount += nbits;
      while (bitCount >= 8) {
        bitCount -= 8;
        out[o++] = (bitBuf >>> bitCount) & 0xff;
      }
      bitBuf &= (1 << bitCount) - 1;
      nbits = 9;
    } else if (free > maxCode) {
      nbits++;
    }
  }
  bitBuf = (bitBuf << nbits) | EOI;
  bitCount += nbits;
  while (bitCount >= 8) {
    bitCount -= 8;
    out[o++] = (bitBuf >>> bitCount) & 0xff;
  }
  if (bitCount > 0) out[o++] = (bitBuf << (8 - bitCount)) & 0xff;
  return out.slice(0, o);
}
