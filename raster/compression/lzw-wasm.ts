/**
 * Loads and drives the WebAssembly LZW decoder (assembly/lzw.ts, built into lzw.wasm beside this file). One
 * instance per thread; `initLzwDecoder()` (via `initCodecs()`) loads it, after which decoding is synchronous.
 * Until then LZW blocks go through the TypeScript decoder in lzw.ts, which yields
 * the same bytes (test: raster/compression/lzw.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LzwStreamError } from './lzw';

/** Where the caller's data starts: above the 32 KiB code table the module reserves (asc --memoryBase 32768). */
const INPUT_BASE = 65536;
/** Bytes ahead of the output (the 256 literals) and spare bytes after it, as in assembly/lzw.ts. */
const LITERALS = 256;
const SLACK = 4;
const PAGE = 65536;

interface LzwExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  decode(inPtr: number, inLen: number, bufPtr: number, outSize: number): number;
  badCode: { value: number };
  badNext: { value: number };
}

/** The part of the WebAssembly global this module uses (the project's TypeScript lib has no DOM/wasm types). */
interface WasmApi {
  instantiate(bytes: ArrayBufferView, imports: object): Promise<{ instance: { exports: unknown } }>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let decoder: LzwExports | undefined;

/** Path of the compiled module. */
export const LZW_WASM_PATH = join(__dirname, 'lzw.wasm');

/** Instantiates the module once per thread. @throws when lzw.wasm is missing or invalid (run `npm run build`). */
export async function initLzwDecoder(): Promise<void> {
  if (decoder) return;
  const { instance } = await wasm.instantiate(await readFile(LZW_WASM_PATH), { env: { abort: wasmAbort } });
  decoder = instance.exports as unknown as LzwExports;
}

/** True once `initLzwDecoder()` has resolved in this thread. */
export function lzwWasmReady(): boolean {
  return decoder !== undefined;
}

/**
 * Decodes one LZW block into at most `outSize` bytes; same contract as `lzwDecode` in lzw.ts (stops at EOI or at
 * the end of the input, returns the bytes decoded, a fresh buffer).
 * @throws LzwStreamError on a code that is not in the table or on old-style LZW; Error before initialisation.
 */
export function lzwDecodeWasm(input: Uint8Array, outSize: number): Uint8Array {
  return lzwDecodeWasmScratch(input, outSize).slice();
}

/**
 * `lzwDecodeWasm` without the copy: the bytes decoded, as a view of the module's memory. The view is valid only
 * until the next decode in this thread (which overwrites it, and may grow the memory, which detaches it), so the
 * caller must be done reading it before decoding again and must not keep it or hand it on. The caller may write to
 * it. Saves allocating (and later collecting) one block-sized buffer per block: 32 MiB for a 512² block of 31
 * float32 bands.
 * @throws as `lzwDecodeWasm`.
 */
export function lzwDecodeWasmScratch(input: Uint8Array, outSize: number): Uint8Array {
  const m = decoder;
  if (!m) throw new Error('WebAssembly LZW decoder used before initCodecs()');
  if (input.length >= 2 && input[0] === 0 && (input[1] & 1) !== 0) {
    throw new LzwStreamError('old-style (bit-reversed) LZW is not supported');
  }
  const bufPtr = INPUT_BASE + input.length + ((8 - (input.length % 8)) % 8);
  const needed = bufPtr + LITERALS + outSize + SLACK;
  if (m.memory.buffer.byteLength < needed) m.memory.grow(Math.ceil((needed - m.memory.buffer.byteLength) / PAGE));
  // Views are made after any grow(): growing detaches the old ArrayBuffer.
  new Uint8Array(m.memory.buffer, INPUT_BASE, input.length).set(input);
  const n = m.decode(INPUT_BASE, input.length, bufPtr, outSize);
  if (n < 0) throw new LzwStreamError(`LZW code ${m.badCode.value} is not in the table (next free ${m.badNext.value}) at input byte ${-1 - n}`);
  return new Uint8Array(m.memory.buffer, bufPtr + LITERALS, n);
}

function wasmAbort(): never {
  throw new Error('LZW WebAssembly module aborted');
}
