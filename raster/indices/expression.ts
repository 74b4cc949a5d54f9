/**
 * Compiles a spectral-index formula into a per-pixel kernel.
 *
 * Safety: the formula text never reaches the JavaScript compiler. It is parsed into a tree
 * (expression-parser.ts); identifiers are resolved to input slots or constant values, numbers are
 * re-serialised from their parsed value, and operators come from a fixed set. Only that generated text,
 * built from the validated tree, is given to `new Function`.
 */
import { ExpressionError } from '../errors';
import { assertOutput, assertViewCovers, type BandView, type KernelOptions } from './band-view';
import { formulaNames, parseFormula, type FormulaNode } from './expression-parser';

export interface CompileOptions {
  /** Names the formula may use as per-pixel inputs. */
  bands: string[];
  /** Named scalar constants (e.g. the catalog's `L`, `g`, `C1`); each must be a finite number. */
  constants?: Record<string, number>;
}

/** A compiled formula. */
export interface CompiledIndex {
  name: string;
  formula: string;
  /** The bands the formula actually uses, in order of first appearance; `run` needs a view for each. */
  bands: string[];
  /** The constants the formula uses, with the values compiled in. */
  constants: Record<string, number>;
  ast: FormulaNode;
  /**
   * Evaluates the formula on `count` pixels into `out` (float64 arithmetic, one rounding to float32).
   * A pixel is NaN when any band the formula uses is NaN or equals `opts.nodata` (raw sample). Otherwise
   * IEEE rules apply as in numpy: x/0 is ±Infinity and 0/0 is NaN.
   * @throws ExpressionError when a used band has no view; RasterError when a view or `out` is too short.
   */
  run(inputs: Record<string, BandView>, count: number, out: Float32Array, opts?: KernelOptions): Float32Array;
}

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

/**
 * C's pow (what numpy calls) and JavaScript's differ on two edge cases: pow(1, y) is 1 for every y,
 * and pow(-1, ±Infinity) is 1; JavaScript gives NaN for both.
 */
function cPow(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return Math.pow(x, y);
}

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

function resolveConstants(name: string, opts: CompileOptions): Map<string, number> {
  const constants = new Map<string, number>();
  for (const [key, value] of Object.entries(opts.constants ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ExpressionError(name, `constant ${key} = ${String(value)} is not a finite number`);
    }
    constants.set(key, value);
  }
  return constants;
}

/** Finds the first node naming `id`, for its position in messages. */
function firstUse(node: FormulaNode, id: string): FormulaNode | undefined {
  if (node.kind === 'name') return node.name === id ? node : undefined;
  if (node.kind === 'unary') return firstUse(node.arg, id);
  if (node.kind === 'binary') return firstUse(node.left, id) ?? firstUse(node.right, id);
  return undefined;
}

/**
 * Parses and compiles `formula`. Identifiers must be listed in `opts.bands` or `opts.constants`.
 *
 * @param name the formula's name (e.g. the catalog short name); every error starts with it.
 * @throws ExpressionError on bad syntax, an unknown identifier, a name that is both band and constant,
 *   or a non-finite constant; messages give the 1-based column in the formula.
 */
export function compileFormula(name: string, formula: string, opts: CompileOptions): CompiledIndex {
  const ast = parseFormula(name, formula);
  const constants = resolveConstants(name, opts);
  const bandSet = new Set(opts.bands);
  const used = formulaNames(ast);
  const slots = new Map<string, number>();
  const usedConstants: Record<string, number> = {};
  for (const id of used) {
    const pos = (firstUse(ast, id)?.pos ?? 0) + 1;
    if (bandSet.has(id) && constants.has(id)) {
      throw new ExpressionError(name, `'${id}' at column ${pos} is both a band and a constant`);
    }
    if (bandSet.has(id)) slots.set(id, slots.size);
    else if (constants.has(id)) usedConstants[id] = constants.get(id) as number;
    else {
      const known = [...bandSet, ...constants.keys()].join(', ') || 'none';
      throw new ExpressionError(name, `unknown identifier '${id}' at column ${pos} of "${formula}" (known: ${known})`);
    }
  }
  const bands = [...slots.keys()];
  const kernel = buildKernel(generate(ast, slots, constants), bands.length);

  return {
    name,
    formula,
    bands,
    constants: usedConstants,
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
