/**
 * The few pieces of the WebAssembly binary format that the formula compiler emits: one module that imports a
 * memory and some functions and exports one function. Opcodes are named as in the spec
 * (https://webassembly.github.io/spec/core/binary/instructions.html), SIMD ones as in the fixed-width SIMD
 * proposal's final opcode table.
 */

export const enum ValType {
  I32 = 0x7f,
  F64 = 0x7c,
  V128 = 0x7b,
}

/** Opcodes of the core instruction set that we use. */
export const enum Op {
  Block = 0x02,
  Loop = 0x03,
  End = 0x0b,
  Br = 0x0c,
  BrIf = 0x0d,
  Call = 0x10,
  Select = 0x1b,
  LocalGet = 0x20,
  LocalSet = 0x21,
  LocalTee = 0x22,
  I32Load = 0x28,
  F32Load = 0x2a,
  F64Load = 0x2b,
  I32Load8S = 0x2c,
  I32Load8U = 0x2d,
  I32Load16S = 0x2e,
  I32Load16U = 0x2f,
  F32Store = 0x38,
  I32Const = 0x41,
  F64Const = 0x44,
  I32GtS = 0x4a,
  I32GeS = 0x4e,
  F64Eq = 0x61,
  F64Ne = 0x62,
  F64Le = 0x65,
  I32Add = 0x6a,
  I32Or = 0x72,
  I32Shl = 0x74,
  F64Neg = 0x9a,
  F64Sqrt = 0x9f,
  F64Add = 0xa0,
  F64Sub = 0xa1,
  F64Mul = 0xa2,
  F64Div = 0xa3,
  F32DemoteF64 = 0xb6,
  F64ConvertI32S = 0xb7,
  F64ConvertI32U = 0xb8,
  F64PromoteF32 = 0xbb,
  SimdPrefix = 0xfd,
}

/** Opcodes after the 0xfd prefix (encoded as unsigned LEB128). */
export const enum SimdOp {
  I8x16Shuffle = 0x0d,
  V128Load64Zero = 0x5d,
  V128Store16Lane = 0x59,
  V128Store64Lane = 0x5b,
  V128Const = 0x0c,
  F64x2Splat = 0x14,
  F64x2ExtractLane = 0x21,
  F64x2ReplaceLane = 0x22,
  F64x2Eq = 0x47,
  F64x2Ne = 0x48,
  F64x2Lt = 0x49,
  F64x2Gt = 0x4a,
  F64x2Le = 0x4b,
  V128Not = 0x4d,
  V128And = 0x4e,
  V128Or = 0x50,
  V128Bitselect = 0x52,
  F32x4DemoteF64x2Zero = 0x5e,
  F64x2PromoteLowF32x4 = 0x5f,
  F64x2Neg = 0xed,
  F64x2Sqrt = 0xef,
  F64x2Add = 0xf0,
  F64x2Sub = 0xf1,
  F64x2Mul = 0xf2,
  F64x2Div = 0xf3,
}

/** A growable byte buffer with the format's integer encodings. */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]);
    return this;
  }

  u32(v: number): this {
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  s32(v: number): this {
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return this;
      }
      this.byte(b | 0x80);
    }
  }

  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer); // little-endian on every platform V8 runs on
    return this.bytes(b);
  }

  name(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.u32(b.length).bytes(b);
  }

  /** Appends `other` prefixed with its length (sections, function bodies). */
  sized(other: Bytes): this {
    return this.u32(other.length).bytes(other.view());
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Instruction emitter for one function body. */
export class Code extends Bytes {
  op(o: Op): this {
    return this.byte(o);
  }

  simd(o: SimdOp): this {
    return this.byte(Op.SimdPrefix).u32(o);
  }

  get(local: number): this {
    return this.byte(Op.LocalGet).u32(local);
  }

  set(local: number): this {
    return this.byte(Op.LocalSet).u32(local);
  }

  i32(v: number): this {
    return this.byte(Op.I32Const).s32(v);
  }

  f64c(v: number): this {
    return this.byte(Op.F64Const).f64(v);
  }

  /** A memory access with its alignment hint (log2 bytes) and a zero offset. */
  mem(o: Op, alignLog2: number): this {
    return this.byte(o).u32(alignLog2).u32(0);
  }

  simdMem(o: SimdOp, alignLog2: number): this {
    return this.simd(o).u32(alignLog2).u32(0);
  }
}

export interface ImportedFunction {
  module: string;
  name: string;
  params: ValType[];
  results: ValType[];
}

/**
 * A module importing `env.memory` and `imports`, exporting one function `run` with `params` and no results,
 * whose locals are `locals` (after the params) and whose instructions are `body` (without the final `end`).
 */
export function encodeModule(imports: ImportedFunction[], params: ValType[], locals: ValType[], body: Code): Uint8Array {
  const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const section = (id: number, content: Bytes) => out.byte(id).sized(content);

  const types = new Bytes().u32(imports.length + 1);
  const funcType = (p: ValType[], r: ValType[]) => types.byte(0x60).u32(p.length).bytes(p).u32(r.length).bytes(r);
  for (const f of imports) funcType(f.params, f.results);
  funcType(params, []);
  section(1, types);

  const imp = new Bytes().u32(imports.length + 1);
  imp.name('env').name('memory').byte(0x02).byte(0x00).u32(1); // memory, limits: min 1 page, no max
  imports.forEach((f, k) => imp.name(f.module).name(f.name).byte(0x00).u32(k));
  section(2, imp);

  section(3, new Bytes().u32(1).u32(imports.length)); // one function, of the last type

  section(7, new Bytes().u32(1).name('run').byte(0x00).u32(imports.length)); // export func index = after imports

  // Locals are grouped by runs of the same type.
  const groups: Array<[number, ValType]> = [];
  for (const t of locals) {
    const last = groups[groups.length - 1];
    if (last && last[1] === t) last[0]++;
    else groups.push([1, t]);
  }
  const fn = new Bytes().u32(groups.length);
  for (const [n, t] of groups) fn.u32(n).byte(t);
  fn.bytes(body.view()).byte(Op.End);
  section(10, new Bytes().u32(1).sized(fn));
  return out.view().slice();
}
