/**
 * The fused HAB loop (hab-fused.ts) as a WebAssembly SIMD kernel, two pixels per iteration in float64x2 lanes,
 * for float32 band arrays (what the tile job passes).
 *
 * Why: the JavaScript loop is bound by typed-array access (TurboFan re-checks map, length and data pointer on
 * each of the 8 accesses per pixel), and a single tile ran 2.5–3.2 ms against numpy's 2.8, too close to call. Here
 * each access is one instruction and the three divisions serve two pixels each.
 *
 * Exactness: the same float64 operations in the same order as hab-fused.ts (clamps are `x < 0 ? 0 : x`, which
 * keeps −0 and NaN as they are; NDWI is rounded to float32 before the water test, as there), so outputs are
 * bit-for-bit those of the JavaScript loop; the tests check it.
 */
import { Code, encodeModule, Op, SimdOp, ValType } from './wasm-encoder';
import { instantiate, scratchMemory, scratchRegion, wasmSimdSupported, type WasmInstance } from './wasm-scratch';

/** Pixels per kernel call (even). */
const CHUNK_PX = 8192;
const F32_REGION = scratchRegion(CHUNK_PX * 4);
const U8_REGION = scratchRegion(CHUNK_PX);

/** Float32 band arrays, one value per pixel, and their GDAL scale/offset. */
export interface HabWasmInputs {
  g: Float32Array;
  n: Float32Array;
  re: Float32Array;
  r: Float32Array;
  scale: [number, number, number, number];
  add: [number, number, number, number];
}

export interface HabWasmOutputs {
  ndwi: Float32Array;
  water: Uint8Array;
  ndci: Float32Array;
  ndvi?: Float32Array;
}

function v128f64(c: Code, v: number): void {
  c.simd(SimdOp.V128Const).f64(v).f64(v);
}

function v128i64(c: Code, v: number): void {
  const lane = [v & 0xff, 0, 0, 0, 0, 0, 0, 0];
  c.simd(SimdOp.V128Const).bytes(lane).bytes(lane);
}

/**
 * Parameters: count (i32, even), nodata, threshold (f64), then scale, add (f64) for g, n, re, r, then byte addresses
 * (i32) of g, n, re, r, ndwi, water, ndci and, when `withNdvi`, ndvi.
 */
function habKernelBytes(withNdvi: boolean): Uint8Array {
  const params: ValType[] = [ValType.I32, ValType.F64, ValType.F64];
  for (let k = 0; k < 8; k++) params.push(ValType.F64);
  for (let k = 0; k < (withNdvi ? 8 : 7); k++) params.push(ValType.I32);
  const COUNT = 0;
  const NODATA = 1;
  const THRESHOLD = 2;
  const scale = (b: number) => 3 + 2 * b;
  const add = (b: number) => 4 + 2 * b;
  const addr = (a: number) => 11 + a; // 0..3 inputs g n re r, 4 ndwi, 5 water, 6 ndci, 7 ndvi
  const locals: ValType[] = [];
  let next = params.length;
  const local = (t: ValType) => {
    locals.push(t);
    return next++;
  };
  const I = local(ValType.I32);
  const I4 = local(ValType.I32);
  const ND = local(ValType.V128);
  const TH = local(ValType.V128);
  const SC = [0, 1, 2, 3].map(() => local(ValType.V128));
  const AD = [0, 1, 2, 3].map(() => local(ValType.V128));
  const RAW = [0, 1, 2, 3].map(() => local(ValType.V128));
  const BAD = [0, 1, 2, 3].map(() => local(ValType.V128));
  const VAL = [0, 1, 2, 3].map(() => local(ValType.V128));
  const NC = local(ValType.V128);
  const DEN = local(ValType.V128);
  const NDWI = local(ValType.V128);
  const WATER = local(ValType.V128);
  const EV = local(ValType.V128);
  const [G, N, E, R] = [0, 1, 2, 3];

  const c = new Code();
  for (let b = 0; b < 4; b++) {
    c.get(scale(b)).simd(SimdOp.F64x2Splat).set(SC[b]);
    c.get(add(b)).simd(SimdOp.F64x2Splat).set(AD[b]);
  }
  c.get(NODATA).simd(SimdOp.F64x2Splat).set(ND);
  c.get(THRESHOLD).simd(SimdOp.F64x2Splat).set(TH);
  c.i32(0).set(I);
  c.op(Op.Block).byte(0x40).op(Op.Loop).byte(0x40);
  c.get(I).get(COUNT).op(Op.I32GeS).op(Op.BrIf).u32(1);
  c.get(I).i32(2).op(Op.I32Shl).set(I4);
  const at = (a: number, offset: number) => c.get(addr(a)).get(offset).op(Op.I32Add);
  for (let b = 0; b < 4; b++) {
    at(b, I4);
    c.simdMem(SimdOp.V128Load64Zero, 2).simd(SimdOp.F64x2PromoteLowF32x4).set(RAW[b]);
    // bad = raw != raw | raw == nodata; value = raw * scale + add
    c.get(RAW[b]).get(RAW[b]).simd(SimdOp.F64x2Ne).get(RAW[b]).get(ND).simd(SimdOp.F64x2Eq).simd(SimdOp.V128Or).set(BAD[b]);
    c.get(RAW[b]).get(SC[b]).simd(SimdOp.F64x2Mul).get(AD[b]).simd(SimdOp.F64x2Add).set(VAL[b]);
  }
  // x < 0 ? 0 : x
  const clamp = (src: number, dst: number) => {
    v128f64(c, 0);
    c.get(src);
    c.get(src);
    v128f64(c, 0);
    c.simd(SimdOp.F64x2Lt).simd(SimdOp.V128Bitselect).set(dst);
  };
  // ratio = (a - b) / den, NaN where `badMask` (left on the stack by `pushBad`)
  const ratio = (a: number, b: number, den: number, pushBad: () => void) => {
    v128f64(c, NaN);
    c.get(a).get(b).simd(SimdOp.F64x2Sub).get(den).simd(SimdOp.F64x2Div);
    pushBad();
    c.get(den);
    v128f64(c, 0);
    c.simd(SimdOp.F64x2Eq).simd(SimdOp.V128Or).simd(SimdOp.V128Bitselect);
  };

  // NDWI, rounded to float32 (stored), and back to float64 for the water test.
  clamp(VAL[N], NC);
  c.get(VAL[G]).get(NC).simd(SimdOp.F64x2Add).set(DEN);
  at(4, I4);
  ratio(VAL[G], NC, DEN, () => c.get(BAD[G]).get(BAD[N]).simd(SimdOp.V128Or));
  c.simd(SimdOp.F32x4DemoteF64x2Zero);
  c.simd(SimdOp.F64x2PromoteLowF32x4).set(NDWI);
  c.get(NDWI).simd(SimdOp.F32x4DemoteF64x2Zero).simdMem(SimdOp.V128Store64Lane, 2).byte(0);

  // water = isNaN(ndwi) ? 255 : ndwi > threshold ? 1 : 0, one byte per pixel.
  c.get(NDWI).get(TH).simd(SimdOp.F64x2Gt).set(WATER);
  at(5, I);
  v128i64(c, 255);
  v128i64(c, 1);
  v128i64(c, 0);
  c.get(WATER).simd(SimdOp.V128Bitselect);
  c.get(NDWI).get(NDWI).simd(SimdOp.F64x2Ne).simd(SimdOp.V128Bitselect);
  // Byte 0 of each 64-bit lane to bytes 0 and 1; the shuffle takes two operands, here the same vector twice.
  c.byte(Op.LocalTee).u32(EV);
  c.get(EV);
  c.simd(SimdOp.I8x16Shuffle).bytes([0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  c.simdMem(SimdOp.V128Store16Lane, 0).byte(0);

  // NDCI on water pixels only (water == 1 exactly when ndwi > threshold: NaN compares false).
  clamp(VAL[E], EV);
  c.get(EV).get(VAL[R]).simd(SimdOp.F64x2Add).set(DEN);
  at(6, I4);
  ratio(EV, VAL[R], DEN, () => c.get(WATER).simd(SimdOp.V128Not).get(BAD[E]).simd(SimdOp.V128Or).get(BAD[R]).simd(SimdOp.V128Or));
  c.simd(SimdOp.F32x4DemoteF64x2Zero).simdMem(SimdOp.V128Store64Lane, 2).byte(0);

  if (withNdvi) {
    c.get(VAL[N]).get(VAL[R]).simd(SimdOp.F64x2Add).set(DEN);
    at(7, I4);
    ratio(VAL[N], VAL[R], DEN, () => c.get(BAD[N]).get(BAD[R]).simd(SimdOp.V128Or));
    c.simd(SimdOp.F32x4DemoteF64x2Zero).simdMem(SimdOp.V128Store64Lane, 2).byte(0);
  }

  c.get(I).i32(2).op(Op.I32Add).set(I);
  c.op(Op.Br).u32(0).op(Op.End).op(Op.End);
  return encodeModule([], params, locals, c);
}

const kernels = new Map<boolean, (...args: number[]) => void>();

function kernel(withNdvi: boolean): (...args: number[]) => void {
  let k = kernels.get(withNdvi);
  if (!k) {
    const instance: WasmInstance = instantiate(habKernelBytes(withNdvi), {});
    k = instance.exports['run'] as (...args: number[]) => void;
    kernels.set(withNdvi, k);
  }
  return k;
}

/** Whether {@link habWasm} can run here. */
export function habWasmAvailable(): boolean {
  return wasmSimdSupported();
}

/**
 * Runs the fused HAB products over the first `count & ~1` pixels (the kernel works in pairs) and returns how many
 * it did; the caller finishes an odd last pixel. Arrays must hold at least `count` values (checked by the caller).
 */
export function habWasm(inputs: HabWasmInputs, count: number, nodata: number, threshold: number, out: HabWasmOutputs): number {
  const even = count & ~1;
  if (even === 0) return 0;
  const withNdvi = out.ndvi !== undefined;
  const run = kernel(withNdvi);
  const outputsF32 = withNdvi ? 3 : 2;
  const memory = scratchMemory(4 * F32_REGION + outputsF32 * F32_REGION + U8_REGION);
  const f32 = new Float32Array(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);
  const inAt = [0, 1, 2, 3].map((k) => k * F32_REGION);
  const ndwiAt = 4 * F32_REGION;
  const ndciAt = 5 * F32_REGION;
  const ndviAt = 6 * F32_REGION;
  const waterAt = (withNdvi ? 7 : 6) * F32_REGION;
  const bands = [inputs.g, inputs.n, inputs.re, inputs.r];
  const args: number[] = [0, nodata, threshold];
  for (let b = 0; b < 4; b++) args.push(inputs.scale[b], inputs.add[b]);
  args.push(...inAt, ndwiAt, waterAt, ndciAt);
  if (withNdvi) args.push(ndviAt);
  for (let c0 = 0; c0 < even; c0 += CHUNK_PX) {
    const len = Math.min(CHUNK_PX, even - c0);
    for (let b = 0; b < 4; b++) f32.set(bands[b].subarray(c0, c0 + len), inAt[b] >> 2);
    args[0] = len;
    run(...args);
    out.ndwi.set(f32.subarray(ndwiAt >> 2, (ndwiAt >> 2) + len), c0);
    out.ndci.set(f32.subarray(ndciAt >> 2, (ndciAt >> 2) + len), c0);
    if (out.ndvi) out.ndvi.set(f32.subarray(ndviAt >> 2, (ndviAt >> 2) + len), c0);
    out.water.set(u8.subarray(waterAt, waterAt + len), c0);
  }
  return even;
}
