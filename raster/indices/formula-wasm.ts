/**
 * Formula graph → a WebAssembly kernel: the same fused loop as formula-codegen.ts, two pixels at a time in
 * float64x2 SIMD lanes (with a scalar loop for an odd last pixel).
 *
 * Why a second backend. For 20 catalog indices on a 512² tile the generated JavaScript took 14.5 ms. Two things
 * bound it, neither of them arithmetic (replacing every division by a multiplication changed nothing): TurboFan
 * re-checks each typed array's map, length and data pointer on every element access (it does not hoist loop
 * invariants), about 12 instructions per access and 29 accesses per pixel, ~830 instructions per pixel in all;
 * and the caller's arrays, each allocated on its own, start at the same offset modulo 4 KiB, so 29 streams fight
 * over the same L1 sets (the same loop over staggered arrays took 8.8 ms). Here every access is one instruction
 * on staggered scratch regions, and V8 compiles f64x2 operations to SSE/AVX, so a division or square root serves
 * two pixels: 4.8 ms including the copies in and out.
 *
 * Exactness: every operation is the IEEE float64 one JavaScript performs (add, sub, mul, div, sqrt, neg are exact
 * and deterministic in both), pow calls the same JavaScript functions, and float32 rounding (f32.demote /
 * f32x4.demote_f64x2_zero) is round-to-nearest-even like a Float32Array store. Results are therefore bit-for-bit
 * those of the JavaScript kernel and of the reference evaluator, which the tests check.
 *
 * Safety: the module is assembled from the validated graph with a fixed opcode table; no text is compiled.
 *
 * The driver that copies data in and out is formula-wasm-run.ts.
 */
import type { TypedArray } from '../types';
import type { KernelOutput } from './formula-codegen';
import type { FormulaDag } from './formula-dag';
import { Code, encodeModule, Op, SimdOp, ValType, type ImportedFunction } from './wasm-encoder';

type Elem = 'f32' | 'f64' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32';

const ELEM_OF: Record<string, Elem> = {
  Float32Array: 'f32',
  Float64Array: 'f64',
  Int8Array: 'i8',
  Uint8Array: 'u8',
  Int16Array: 'i16',
  Uint16Array: 'u16',
  Int32Array: 'i32',
  Uint32Array: 'u32',
};

/** The element kind of a typed array the wasm kernel can read, or undefined (then the JavaScript kernel runs). */
export function wasmElem(data: TypedArray): Elem | undefined {
  return ELEM_OF[data.constructor.name];
}

/** How the kernel reads one input slot: element kind, and whether consecutive pixels are adjacent elements. */
export interface WasmSlotLayout {
  elem: Elem;
  contiguous: boolean;
}

const IMPORTS: ImportedFunction[] = [
  { module: 'env', name: 'cpow', params: [ValType.F64, ValType.F64], results: [ValType.F64] },
  { module: 'env', name: 'mpow', params: [ValType.F64, ValType.F64], results: [ValType.F64] },
];
const CPOW = 0;
const MPOW = 1;

function scalarLoad(c: Code, elem: Elem): void {
  switch (elem) {
    case 'f32':
      c.mem(Op.F32Load, 2).op(Op.F64PromoteF32);
      return;
    case 'f64':
      c.mem(Op.F64Load, 3);
      return;
    case 'i8':
      c.mem(Op.I32Load8S, 0).op(Op.F64ConvertI32S);
      return;
    case 'u8':
      c.mem(Op.I32Load8U, 0).op(Op.F64ConvertI32S);
      return;
    case 'i16':
      c.mem(Op.I32Load16S, 1).op(Op.F64ConvertI32S);
      return;
    case 'u16':
      c.mem(Op.I32Load16U, 1).op(Op.F64ConvertI32S);
      return;
    case 'i32':
      c.mem(Op.I32Load, 2).op(Op.F64ConvertI32S);
      return;
    case 'u32':
      c.mem(Op.I32Load, 2).op(Op.F64ConvertI32U);
      return;
  }
}

function v128f64(c: Code, v: number): void {
  c.simd(SimdOp.V128Const).f64(v).f64(v);
}

/** Local indices of the generated function. */
interface Locals {
  types: ValType[];
  next: number;
  add(t: ValType): number;
}

function localsAfter(paramCount: number): Locals {
  const l: Locals = {
    types: [],
    next: paramCount,
    add(t) {
      this.types.push(t);
      return this.next++;
    },
  };
  return l;
}

/**
 * Assembles the kernel. Parameters: `count` (i32), `nodata` (f64); per slot of `slots`: byte address of its
 * first pixel, stride in bytes (i32), scale, add (f64); per output: byte address (i32, float32 elements).
 */
export function wasmKernelBytes(dag: FormulaDag, outputs: KernelOutput[], slots: number[], layout: Map<number, WasmSlotLayout>): Uint8Array {
  const nodes = dag.reachable(outputs.map((o) => o.root)).filter((id) => {
    const op = dag.node(id).op;
    return op !== 'const' && op !== 'band';
  });
  const P_COUNT = 0;
  const P_NODATA = 1;
  const pAddr = (k: number) => 2 + 4 * k;
  const pStride = (k: number) => 3 + 4 * k;
  const pScale = (k: number) => 4 + 4 * k;
  const pAdd = (k: number) => 5 + 4 * k;
  const pOut = (j: number) => 2 + 4 * slots.length + j;
  const params: ValType[] = [ValType.I32, ValType.F64];
  for (let k = 0; k < slots.length; k++) params.push(ValType.I32, ValType.I32, ValType.F64, ValType.F64);
  for (let j = 0; j < outputs.length; j++) params.push(ValType.I32);

  const L = localsAfter(params.length);
  const I = L.add(ValType.I32);
  const IB = L.add(ValType.I32); // i * 4: byte offset of pixel i in each output
  const ptr = slots.map(() => L.add(ValType.I32));
  const raw = slots.map(() => L.add(ValType.F64));
  const val = slots.map(() => L.add(ValType.F64));
  const tmp = new Map(nodes.map((id) => [id, L.add(ValType.F64)]));
  const RAW = slots.map(() => L.add(ValType.V128));
  const VAL = slots.map(() => L.add(ValType.V128));
  const SC = slots.map(() => L.add(ValType.V128));
  const AD = slots.map(() => L.add(ValType.V128));
  const ND = L.add(ValType.V128);
  const TMP = new Map(nodes.map((id) => [id, L.add(ValType.V128)]));
  const slotIndex = new Map(slots.map((s, k) => [s, k]));
  const masked = (o: KernelOutput) => (o.maskSlots ?? []).map((s) => slotIndex.get(s) as number);

  const c = new Code();
  // Scalar operand: a constant, a band value or a computed node.
  const sGet = (id: number) => {
    const n = dag.node(id);
    if (n.op === 'const') c.f64c(n.value);
    else if (n.op === 'band') c.get(val[slotIndex.get(n.slot) as number]);
    else c.get(tmp.get(id) as number);
  };
  const vGet = (id: number) => {
    const n = dag.node(id);
    if (n.op === 'const') v128f64(c, n.value);
    else if (n.op === 'band') c.get(VAL[slotIndex.get(n.slot) as number]);
    else c.get(TMP.get(id) as number);
  };

  // Prologue: running input addresses and the loop-invariant splats.
  slots.forEach((_, k) => {
    c.get(pAddr(k)).set(ptr[k]);
    c.get(pScale(k)).simd(SimdOp.F64x2Splat).set(SC[k]);
    c.get(pAdd(k)).simd(SimdOp.F64x2Splat).set(AD[k]);
  });
  c.get(P_NODATA).simd(SimdOp.F64x2Splat).set(ND);
  c.i32(0).set(I);

  // Two pixels per iteration while at least two remain.
  c.op(Op.Block).byte(0x40).op(Op.Loop).byte(0x40);
  c.get(I).i32(2).op(Op.I32Add).get(P_COUNT).op(Op.I32GtS).op(Op.BrIf).u32(1);
  slots.forEach((_, k) => {
    const { elem, contiguous } = layout.get(slots[k]) as WasmSlotLayout;
    if (contiguous && elem === 'f32') {
      c.get(ptr[k]).simdMem(SimdOp.V128Load64Zero, 2).simd(SimdOp.F64x2PromoteLowF32x4);
    } else {
      c.get(ptr[k]);
      scalarLoad(c, elem);
      c.simd(SimdOp.F64x2Splat);
      c.get(ptr[k]).get(pStride(k)).op(Op.I32Add);
      scalarLoad(c, elem);
      c.simd(SimdOp.F64x2ReplaceLane).byte(1);
    }
    c.set(RAW[k]);
    // value = raw == nodata ? NaN : raw * scale + add
    v128f64(c, NaN);
    c.get(RAW[k]).get(SC[k]).simd(SimdOp.F64x2Mul).get(AD[k]).simd(SimdOp.F64x2Add);
    c.get(RAW[k]).get(ND).simd(SimdOp.F64x2Eq);
    c.simd(SimdOp.V128Bitselect).set(VAL[k]);
  });
  for (const id of nodes) {
    const n = dag.node(id);
    switch (n.op) {
      case 'neg':
        vGet(n.a);
        c.simd(SimdOp.F64x2Neg);
        break;
      case '+':
      case '-':
      case '*':
      case '/':
        vGet(n.a);
        vGet(n.b);
        c.simd(n.op === '+' ? SimdOp.F64x2Add : n.op === '-' ? SimdOp.F64x2Sub : n.op === '*' ? SimdOp.F64x2Mul : SimdOp.F64x2Div);
        break;
      case 'square':
        vGet(n.a);
        vGet(n.a);
        c.simd(SimdOp.F64x2Mul);
        break;
      case 'sqrt':
        // Math.pow(x, 0.5): +Infinity for -Infinity, else sqrt(0 + x) (which turns -0 into +0).
        v128f64(c, Infinity);
        v128f64(c, 0);
        vGet(n.a);
        c.simd(SimdOp.F64x2Add).simd(SimdOp.F64x2Sqrt);
        vGet(n.a);
        v128f64(c, -Infinity);
        c.simd(SimdOp.F64x2Le).simd(SimdOp.V128Bitselect);
        break;
      case 'powc':
      case 'pow':
        for (const lane of [0, 1]) {
          vGet(n.a);
          c.simd(SimdOp.F64x2ExtractLane).byte(lane);
          if (n.op === 'powc') c.f64c(n.value);
          else {
            vGet(n.b);
            c.simd(SimdOp.F64x2ExtractLane).byte(lane);
          }
          c.op(Op.Call).u32(n.op === 'powc' ? MPOW : CPOW);
          if (lane === 0) c.simd(SimdOp.F64x2Splat);
          else c.simd(SimdOp.F64x2ReplaceLane).byte(1);
        }
        break;
      default:
        throw new Error(`internal: no wasm for ${n.op}`);
    }
    c.set(TMP.get(id) as number);
  }
  c.get(I).i32(2).op(Op.I32Shl).set(IB);
  outputs.forEach((o, j) => {
    c.get(pOut(j)).get(IB).op(Op.I32Add);
    const m = masked(o);
    if (m.length) v128f64(c, NaN);
    vGet(o.root);
    if (m.length) {
      m.forEach((k, x) => {
        c.get(RAW[k]).get(RAW[k]).simd(SimdOp.F64x2Ne).get(RAW[k]).get(ND).simd(SimdOp.F64x2Eq).simd(SimdOp.V128Or);
        if (x > 0) c.simd(SimdOp.V128Or);
      });
      c.simd(SimdOp.V128Bitselect);
    }
    c.simd(SimdOp.F32x4DemoteF64x2Zero).simdMem(SimdOp.V128Store64Lane, 2).byte(0);
  });
  slots.forEach((_, k) => c.get(ptr[k]).get(pStride(k)).get(pStride(k)).op(Op.I32Add).op(Op.I32Add).set(ptr[k]));
  c.get(I).i32(2).op(Op.I32Add).set(I);
  c.op(Op.Br).u32(0).op(Op.End).op(Op.End);

  // The odd last pixel, one at a time.
  c.op(Op.Block).byte(0x40).op(Op.Loop).byte(0x40);
  c.get(I).get(P_COUNT).op(Op.I32GeS).op(Op.BrIf).u32(1);
  slots.forEach((_, k) => {
    c.get(ptr[k]);
    scalarLoad(c, (layout.get(slots[k]) as WasmSlotLayout).elem);
    c.set(raw[k]);
    c.f64c(NaN);
    c.get(raw[k]).get(pScale(k)).op(Op.F64Mul).get(pAdd(k)).op(Op.F64Add);
    c.get(raw[k]).get(P_NODATA).op(Op.F64Eq);
    c.op(Op.Select).set(val[k]);
  });
  for (const id of nodes) {
    const n = dag.node(id);
    switch (n.op) {
      case 'neg':
        sGet(n.a);
        c.op(Op.F64Neg);
        break;
      case '+':
      case '-':
      case '*':
      case '/':
        sGet(n.a);
        sGet(n.b);
        c.op(n.op === '+' ? Op.F64Add : n.op === '-' ? Op.F64Sub : n.op === '*' ? Op.F64Mul : Op.F64Div);
        break;
      case 'square':
        sGet(n.a);
        sGet(n.a);
        c.op(Op.F64Mul);
        break;
      case 'sqrt':
        c.f64c(Infinity).f64c(0);
        sGet(n.a);
        c.op(Op.F64Add).op(Op.F64Sqrt);
        sGet(n.a);
        c.f64c(-Infinity).op(Op.F64Le).op(Op.Select);
        break;
      case 'powc':
        sGet(n.a);
        c.f64c(n.value).op(Op.Call).u32(MPOW);
        break;
      case 'pow':
        sGet(n.a);
        sGet(n.b);
        c.op(Op.Call).u32(CPOW);
        break;
      default:
        throw new Error(`internal: no wasm for ${n.op}`);
    }
    c.set(tmp.get(id) as number);
  }
  c.get(I).i32(2).op(Op.I32Shl).set(IB);
  outputs.forEach((o, j) => {
    c.get(pOut(j)).get(IB).op(Op.I32Add);
    const m = masked(o);
    if (m.length) c.f64c(NaN);
    sGet(o.root);
    if (m.length) {
      m.forEach((k, x) => {
        c.get(raw[k]).get(raw[k]).op(Op.F64Ne).get(raw[k]).get(P_NODATA).op(Op.F64Eq).op(Op.I32Or);
        if (x > 0) c.op(Op.I32Or);
      });
      c.op(Op.Select);
    }
    c.op(Op.F32DemoteF64).mem(Op.F32Store, 2);
  });
  slots.forEach((_, k) => c.get(ptr[k]).get(pStride(k)).op(Op.I32Add).set(ptr[k]));
  c.get(I).i32(1).op(Op.I32Add).set(I);
  c.op(Op.Br).u32(0).op(Op.End).op(Op.End);

  return encodeModule(IMPORTS, params, L.types, c);
}
