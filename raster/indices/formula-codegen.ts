/**
 * Formula graph → one JavaScript function that evaluates many formulas per pixel in a single loop.
 *
 * Why generated code is safe here: the source handed to `new Function` is assembled only from the validated
 * graph (formula-dag.ts), never from formula text. Identifiers never appear in it: bands became input slot
 * numbers and constants became numbers. Numbers are emitted with `Number(x).toString()` (or the fixed
 * `0 / 0` and `±1 / 0`), operators come from the fixed table in {@link expressionOf}, and every other name in the
 * source (`d0`, `v3`, `t17`, `o2`...) is made here from integers. A formula therefore cannot inject code: at
 * worst it fails to parse.
 *
 * Why generated code at all: one loop computes every formula of a pixel while its samples are in registers,
 * shares the graph's common subexpressions, and has its constants in the instruction stream; an interpreter or
 * one loop per formula reads each band once per formula and pays a dispatch per operation. Where the runtime has
 * WebAssembly SIMD, formula-wasm.ts compiles the same graph to a faster loop (see there for why); this one is the
 * fallback and gives the same bits.
 *
 * Nodata: a band sample that is NaN or equals `nodata` is loaded as NaN, and NaN then propagates through
 * + − × ÷, square, sqrt and pow with a non-zero constant exponent, so the pixel's result is NaN exactly when the
 * tree-walking reference says so, without a test per output. Formulas whose graph can absorb a NaN (`x ** 0`,
 * pow with a band in the exponent: C's pow(1, NaN) is 1) get the reference's explicit test of their inputs.
 */
import type { FormulaDag } from './formula-dag';

/** One output of a kernel: the graph node it stores, and the input slots to test when NaN may not propagate. */
export interface KernelOutput {
  root: number;
  /** Slots whose nodata makes the output NaN by explicit test; null when NaN propagation is enough. */
  maskSlots: number[] | null;
}

/** How one input slot is addressed: `contiguous` means offset 0 and stride 1 (a band-sequential array). */
export interface SlotLayout {
  contiguous: boolean;
}

/**
 * The generated kernel, called as `kernel(count, nodata, ...slotArgs, ...outs)` where each slot used by the
 * kernel contributes `data, offset, stride, scale, add` (see {@link kernelSlots}) and each output its array.
 * Value `i` of a slot is `data[offset + i * stride] * scale + add` (float64).
 *
 * Everything arrives as a plain parameter, not read from arrays in the prologue: V8 allocates a function's
 * feedback vector lazily, during the first call's loop, so keyed loads before the loop have no feedback on
 * that call, and the optimised code would deoptimise on the next call ("insufficient type feedback").
 */
export type FormulaKernel = (count: number, nodata: number, ...args: unknown[]) => void;

/**
 * A JavaScript literal for a number; negative values are parenthesised so a sign never merges with an operator.
 * NaN and ±Infinity are written as `0 / 0` and `±1 / 0`, never as the globals `NaN`/`Infinity`: a global read on a
 * path that has not run yet (the nodata branch of a tile without nodata) has no type feedback, so TurboFan compiles
 * it as a generic IC call returning a tagged value, and every band value merged with it gets boxed in a heap
 * number, on every pixel. The divisions fold to constants.
 */
export function literal(value: number): string {
  if (Number.isNaN(value)) return '(0 / 0)';
  if (value === Infinity) return '(1 / 0)';
  if (value === -Infinity) return '(-1 / 0)';
  if (Object.is(value, -0)) return '(-0)';
  const text = Number(value).toString();
  return value < 0 ? `(${text})` : text;
}

const NAN = literal(NaN);

function atom(dag: FormulaDag, id: number): string {
  const n = dag.node(id);
  if (n.op === 'const') return literal(n.value);
  if (n.op === 'band') return `v${n.slot}`;
  return `t${id}`;
}

/** The fixed operator table: the only way an operation becomes source text. */
function expressionOf(dag: FormulaDag, id: number): string {
  const n = dag.node(id);
  const a = n.a >= 0 ? atom(dag, n.a) : '';
  const b = n.b >= 0 ? atom(dag, n.b) : '';
  switch (n.op) {
    case 'neg':
      return `-${a}`;
    case '+':
      return `${a} + ${b}`;
    case '-':
      return `${a} - ${b}`;
    case '*':
      return `${a} * ${b}`;
    case '/':
      return `${a} / ${b}`;
    case 'square':
      return `${a} * ${a}`;
    case 'sqrt':
      // Exactly Math.pow(x, 0.5), which is sqrt except that pow(-Infinity, 0.5) is +Infinity and pow(-0, 0.5) +0.
      return `${a} <= ${literal(-Infinity)} ? ${literal(Infinity)} : sqrt(0 + ${a})`;
    case 'powc':
      return `mpow(${a}, ${literal(n.value)})`;
    case 'pow':
      return `cpow(${a}, ${b})`;
    case 'const':
    case 'band':
      throw new Error(`internal: ${n.op} node ${id} is not computed`);
  }
}

/** The input slots a kernel reads, ascending: the order of their parameters. */
export function kernelSlots(dag: FormulaDag, outputs: KernelOutput[]): number[] {
  const slots = new Set<number>();
  for (const id of dag.reachable(outputs.map((o) => o.root))) if (dag.node(id).op === 'band') slots.add(dag.node(id).slot);
  for (const o of outputs) for (const s of o.maskSlots ?? []) slots.add(s);
  return [...slots].sort((x, y) => x - y);
}

/** The source of a kernel body (also what tests and debugging look at). */
export function kernelSource(dag: FormulaDag, outputs: KernelOutput[], layout: SlotLayout[]): string {
  const nodes = dag.reachable(outputs.map((o) => o.root));
  const masked = new Set<number>();
  for (const o of outputs) for (const s of o.maskSlots ?? []) masked.add(s);
  const used = kernelSlots(dag, outputs);

  const params = ['count', 'nodata'];
  const head: string[] = [];
  const load: string[] = [];
  for (const k of used) {
    params.push(`d${k}`, `q${k}`, `s${k}`, `m${k}`, `a${k}`);
    if (layout[k].contiguous) {
      load.push(`const r${k} = d${k}[i];`);
    } else {
      head.push(`let p${k} = q${k};`);
      load.push(`const r${k} = d${k}[p${k}]; p${k} += s${k};`);
    }
    load.push(`const v${k} = r${k} === nodata ? ${NAN} : r${k} * m${k} + a${k};`);
    if (masked.has(k)) load.push(`const k${k} = r${k} !== r${k} || r${k} === nodata;`);
  }
  outputs.forEach((_, j) => params.push(`o${j}`));

  const body: string[] = [];
  for (const id of nodes) {
    const op = dag.node(id).op;
    if (op !== 'const' && op !== 'band') body.push(`const t${id} = ${expressionOf(dag, id)};`);
  }
  outputs.forEach((o, j) => {
    const value = atom(dag, o.root);
    const test = o.maskSlots && o.maskSlots.length ? `${o.maskSlots.map((s) => `k${s}`).join(' || ')} ? ${NAN} : ` : '';
    body.push(`o${j}[i] = ${test}${value};`);
  });

  return [
    '"use strict";',
    `return function formulaKernel(${params.join(', ')}) {`,
    ...head,
    'for (let i = 0; i < count; i++) {',
    ...load,
    ...body,
    '}',
    '};',
  ].join('\n');
}

/**
 * Compiles a kernel. Each call makes a fresh function, so each (formula set, layout) gets its own type feedback
 * and stays monomorphic.
 */
export function buildKernel(source: string, cPow: (x: number, y: number) => number): FormulaKernel {
  // Safe: `source` comes from kernelSource, built from the validated graph only (see the module doc).
  return new Function('cpow', 'mpow', 'sqrt', source)(cPow, Math.pow, Math.sqrt) as FormulaKernel;
}
