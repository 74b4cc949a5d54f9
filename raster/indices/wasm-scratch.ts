/**
 * What the WebAssembly kernels share: the slice of the WebAssembly API they use (the project's TypeScript lib has
 * no DOM/wasm types), whether SIMD is available, and one scratch memory per thread that kernels copy chunks of
 * their inputs into and their outputs out of.
 */
import { Code, encodeModule, Op, SimdOp } from './wasm-encoder';

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmInstance {
  exports: Record<string, unknown>;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let simdSupport: boolean | undefined;

/** Whether this runtime validates WebAssembly SIMD (Node 16.4+ does). */
export function wasmSimdSupported(): boolean {
  if (simdSupport === undefined) {
    try {
      const body = new Code();
      body.f64c(1).simd(SimdOp.F64x2Splat).simd(SimdOp.F64x2Sqrt).simd(SimdOp.F64x2ExtractLane).byte(0).op(Op.F64Neg).byte(0x1a); // drop
      simdSupport = wasm !== undefined && wasm.validate(encodeModule([], [], [], body));
    } catch {
      simdSupport = false;
    }
  }
  return simdSupport === true;
}

/** Compiles module bytes and instantiates them against the thread's scratch memory and `functions`. */
export function instantiate(bytes: Uint8Array, functions: Record<string, unknown>): WasmInstance {
  if (!wasm) throw new Error('WebAssembly is not available in this runtime');
  return new wasm.Instance(new wasm.Module(bytes), { env: { memory: scratchMemory(0), ...functions } });
}

let scratch: WasmMemory | undefined;

/**
 * The thread's scratch memory (every kernel of the thread imports it; calls never overlap), grown to at least
 * `bytes`. Growing detaches the previous `buffer`, so take views after this call.
 */
export function scratchMemory(bytes: number): WasmMemory {
  if (!wasm) throw new Error('WebAssembly is not available in this runtime');
  if (!scratch) scratch = new wasm.Memory({ initial: 1 });
  const have = scratch.buffer.byteLength;
  if (bytes > have) scratch.grow(Math.ceil((bytes - have) / 65536));
  return scratch;
}

/**
 * Each scratch region (an input span, an output) starts 3 cache lines later modulo 4 KiB than the previous one.
 * Regions a multiple of 4 KiB apart map to the same L1 sets and alias in the CPU's store-to-load check; with 20
 * outputs plus inputs a fused pass ran 6x slower (20 outputs: 8.8–17 ms, 10 outputs: 1.4 ms, per 512² tile) until
 * the regions were staggered.
 */
const STAGGER_BYTES = 192;

/** Bytes to reserve for a region holding `bytes`, so the next region starts staggered. */
export function scratchRegion(bytes: number): number {
  return ((bytes + 4095) & ~4095) + STAGGER_BYTES;
}
