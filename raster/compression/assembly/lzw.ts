/**
 * TIFF LZW decoder compiled to WebAssembly (AssemblyScript; built by `npm run build` into
 * dist/raster/compression/lzw.wasm). The same algorithm as ../lzw.ts, which stays the reference and the fallback:
 * entries are (offset, length) runs of the output, the 256 literals sit ahead of the output so every code takes
 * one path, and strings of up to SLACK bytes are copied with a fixed number of moves. Compiled, the loop runs about
 * 1.8x faster than the JIT-compiled one on float32 hyperspectral blocks (bench/decode.bench.ts).
 *
 * Memory layout, shared with ../lzw-wasm.ts: the code table in the first 32 KiB (offsets, then lengths; the module
 * reserves it with --memoryBase 32768), then whatever the caller places from INPUT_BASE on: the input bytes, and
 * the output region [256 literals][outSize bytes][SLACK spare bytes].
 */

const CLEAR: i32 = 256;
const FIRST_FREE: i32 = 258;
const MAX_CODES: i32 = 4096;
const LITERALS: i32 = 256;
const SLACK: i32 = 4;
const OFFSETS: usize = 0;
const LENGTHS: usize = 16384;

/** The offending code and the next free code after a failed decode, for the error message. */
export let badCode: i32 = 0;
export let badNext: i32 = 0;

/**
 * Decodes `inLen` bytes at `inPtr` into the output region at `bufPtr` (its first 256 bytes are set here).
 * Returns the number of bytes decoded (at most `outSize`), or -1 - (input byte offset) on a code that is not in
 * the table (then `badCode` and `badNext` say which).
 */
export function decode(inPtr: usize, inLen: i32, bufPtr: usize, outSize: i32): i32 {
  for (let c: i32 = 0; c < LITERALS; c++) {
    store<u8>(bufPtr + <usize>c, <u8>c);
    store<i32>(OFFSETS + (<usize>c << 2), c);
    store<i32>(LENGTHS + (<usize>c << 2), 1);
  }
  // CLEAR and EOI: length 0 marks a control code.
  store<i32>(LENGTHS + (<usize>256 << 2), 0);
  store<i32>(LENGTHS + (<usize>257 << 2), 0);

  const end: i32 = LITERALS + outSize;
  let ip: i32 = 0;
  let acc: u32 = 0;
  let nbits: i32 = 0;
  let width: i32 = 9;
  let mask: i32 = 511;
  let next: i32 = FIRST_FREE;
  let pos: i32 = LITERALS;
  let prevOffset: i32 = -1;
  let prevLength: i32 = 0;

  while (pos < end) {
    if (nbits < width) {
      if (ip + 1 < inLen) {
        acc = (acc << 16) | (<u32>load<u8>(inPtr + <usize>ip) << 8) | <u32>load<u8>(inPtr + <usize>ip + 1);
        ip += 2;
        nbits += 16;
      } else if (ip < inLen) {
        acc = (acc << 8) | <u32>load<u8>(inPtr + <usize>ip);
        ip += 1;
        nbits += 8;
        if (nbits < width) break;
      } else {
        break;
      }
    }
    nbits -= width;
    const code: i32 = <i32>(acc >>> <u32>nbits) & mask;

    let src: i32;
    let length: i32;
    if (code < next) {
      src = load<i32>(OFFSETS + (<usize>code << 2));
      length = load<i32>(LENGTHS + (<usize>code << 2));
      if (length == 0) {
        if (code == CLEAR) {
          width = 9;
          mask = 511;
          next = FIRST_FREE;
          prevOffset = -1;
          continue;
        }
        break; // EOI
      }
    } else if (code == next && prevOffset >= 0 && next < MAX_CODES) {
      // KwKwK: prev + prev[0], produced by the overlapping forward copy.
      src = prevOffset;
      length = prevLength + 1;
    } else {
      badCode = code;
      badNext = next;
      return -1 - ip;
    }

    if (length <= SLACK) {
      const s = bufPtr + <usize>src;
      const d = bufPtr + <usize>pos;
      store<u8>(d, load<u8>(s));
      store<u8>(d + 1, load<u8>(s + 1));
      store<u8>(d + 2, load<u8>(s + 2));
      store<u8>(d + 3, load<u8>(s + 3));
    } else {
      let stop = pos + length;
      if (stop > end) stop = end;
      for (let d = pos, s = src; d < stop; d++, s++) store<u8>(bufPtr + <usize>d, load<u8>(bufPtr + <usize>s));
    }

    if (prevOffset >= 0 && next < MAX_CODES) {
      store<i32>(OFFSETS + (<usize>next << 2), prevOffset);
      store<i32>(LENGTHS + (<usize>next << 2), prevLength + 1);
      next++;
      if (next >= mask && width < 12) {
        width++;
        mask = (1 << width) - 1;
      }
    }
    prevOffset = pos;
    prevLength = length;
    pos += length;
  }
  return (pos < end ? pos : end) - LITERALS;
}
