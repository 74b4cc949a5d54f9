/**
 * The reference evaluator: one formula, one loop, its tree emitted node by node with no sharing, folding or
 * rewriting, and an explicit nodata test of every input. This was the engine before the fused loops of
 * formula-set.ts; it is kept as their oracle (results must be identical) because it is simple enough to check
 * by reading.
 *
 * Safety: the formula text never reaches the JavaScript compiler. It is parsed into a tree
 * (expression-parser.ts); identifiers are resolved to input slots or constant values, numbers are
 * re-serialised from their parsed value, and operators come from a fixed set. Only that generated text,
 * built from the validated tree, is given to `new Function`.
 */
import { ExpressionError } from '../errors';
import { assertOutput, assertViewCovers, type BandView } from './band-view';
import type { FormulaNode } from './expression-parser';
import type { CompiledIndex } from './expression';
import { cPow } from './formula-dag';
import { resolveFormula, type CompileOptions } from './formula-resolve';

type Kernel = (
  data: BandView['data'][],
  offsets: number[],
  strides: number[],
  scales: number[],
  adds: number[],
  out: Float32Array,
  count: number,
  nodata: number,
) => void;

/** A JavaScript literal for a finite number, parenthesised so a sign can never merge with an operator. */
function literal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`internal: non-finite literal ${value}`);
  return `(${Object.is(value, -0) ? '-0' : String(value)})`;
}

function generate(node: FormulaNode, slots: Map<string, number>, constants: Map<string, number>): string {
  switch (node.kind) {
    case 'number':
      return literal(node.value);
    case 'name': {
      const slot = slots.get(node.name);
      if (slot !== undefined) return `v${slot}`;
      return literal(constants.get(node.name) as number);
    }
    case 'unary':
      return `(${node.op}${generate(node.arg, slots, constants)})`;
    case 'binary': {
      const l = generate(node.left, slots, constants);
      const r = generate(node.right, slots, constants);
      return node.op === '**' ? `pow(${l}, ${r})` : `(${l} ${node.op} ${r})`;
    }
  }
}

function buildKernel(expr: string, slotCount: number): Kernel {
  const head: string[] = [];
  const load: string[] = [];
  const bad: string[] = [];
  for (let k = 0; k < slotCount; k++) {
    head.push(`const d${k} = data[${k}], s${k} = strides[${k}], m${k} = scales[${k}], a${k} = adds[${k}]; let p${k} = offsets[${k}];`);
    load.push(`const r${k} = d${k}[p${k}]; p${k} += s${k}; const v${k} = r${k} * m${k} + a${k};`);
    bad.push(`r${k} !== r${k} || r${k} === nodata`);
  }
  const test = bad.length ? `${bad.join(' || ')} ? NaN : ` : '';
  const body = [
    '"use strict";',
    'return function kernel(data, offsets, strides, scales, adds, out, count, nodata) {',
    ...head,
    'for (let i = 0; i < count; i++) {',
    ...load,
    `out[i] = ${test}${expr};`,
    '}',
    '};',
  ].join('\n');
  // Safe: `body` is generated from the validated tree only (see the module doc), never from formula text.
  return new Function('pow', body)(cPow) as Kernel;
}

/**
 * Parses and compiles `formula` the reference way; same contract as {@link compileFormula}, without the checks
 * for constant divisions (it evaluates whatever it is given).
 */
export function compileFormulaReference(name: string, formula: string, opts: CompileOptions): CompiledIndex {
  const resolved = resolveFormula(name, formula, opts);
  const { ast, bands } = resolved;
  const slots = new Map(bands.map((b, k) => [b, k]));
  const constants = new Map(Object.entries(resolved.constants));
  const kernel = buildKernel(generate(ast, slots, constants), bands.length);

  return {
    name,
    formula,
    bands,
    constants: resolved.constants,
    wavelengthBands: resolved.wavelengthBands,
    ast,
    run(inputs, count, out, runOpts = {}) {
      const views = bands.map((b) => {
        const view = Object.prototype.hasOwnProperty.call(inputs, b) ? inputs[b] : undefined;
        if (!view) throw new ExpressionError(name, `no input supplied for band '${b}'`);
        assertViewCovers(view, count, `${name} ${b}`);
        return view;
      });
      assertOutput(out, count, name);
      kernel(
        views.map((v) => v.data),
        views.map((v) => v.offset),
        views.map((v) => v.stride),
        views.map((v) => v.scale ?? 1),
        views.map((v) => v.addOffset ?? 0),
        out,
        count,
        runOpts.nodata ?? NaN,
      );
      return out;
    },
  };
}
