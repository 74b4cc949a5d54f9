/**
 * The text of a custom product's formula: a value formula, or one comparison of two formulas (a mask). The index
 * engine parses arithmetic only; this module finds the comparison, hands each side to the engine, and maps the
 * engine's error positions back onto the whole formula, so the caret lands under the user's own text.
 */
import { parseFormula, type FormulaNode } from '../../indices/expression-parser';
import { ConstantDivisionError, FormulaSyntaxError } from '../../indices/formula-errors';
import type { ComparisonOp } from './definition';

/** One side of a comparison (or the whole value formula) and where it starts in the formula. */
export interface FormulaSide {
  text: string;
  offset: number;
}

export type FormulaShape = { kind: 'formula'; value: FormulaSide } | { kind: 'mask'; left: FormulaSide; op: ComparisonOp; right: FormulaSide };

const OPS: readonly ComparisonOp[] = ['>=', '<=', '==', '!=', '>', '<'];

/**
 * Splits `formula` at its comparison, if any (outside parentheses; at most one).
 * @throws FormulaSyntaxError with a caret under a second comparison, or under a side left empty.
 */
export function splitComparison(name: string, formula: string): FormulaShape {
  const found: Array<{ op: ComparisonOp; pos: number }> = [];
  let depth = 0;
  for (let i = 0; i < formula.length; i++) {
    const c = formula[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth !== 0) continue;
    const op = OPS.find((o) => formula.startsWith(o, i));
    if (!op) continue;
    found.push({ op, pos: i });
    i += op.length - 1;
  }
  if (found.length === 0) return { kind: 'formula', value: { text: formula, offset: 0 } };
  if (found.length > 1) {
    throw new FormulaSyntaxError(name, formula, found[1].pos, `unexpected '${found[1].op}'`, ' (a mask compares two formulas once)');
  }
  const { op, pos } = found[0];
  const left = { text: formula.slice(0, pos), offset: 0 };
  const right = { text: formula.slice(pos + op.length), offset: pos + op.length };
  if (left.text.trim() === '') throw new FormulaSyntaxError(name, formula, pos, `nothing before '${op}'`);
  if (right.text.trim() === '') throw new FormulaSyntaxError(name, formula, formula.length, 'unexpected end of formula');
  return { kind: 'mask', left, op, right };
}

/**
 * Runs `fn` on one side; engine errors that carry a position are rethrown against the whole formula.
 * @throws what `fn` throws, positions shifted by `side.offset`.
 */
export function onSide<T>(name: string, formula: string, side: FormulaSide, fn: (text: string) => T): T {
  try {
    return fn(side.text);
  } catch (err) {
    if (side.offset === 0 && side.text === formula) throw err;
    if (err instanceof FormulaSyntaxError) throw new FormulaSyntaxError(name, formula, err.position + side.offset, err.problem);
    if (err instanceof ConstantDivisionError) throw new ConstantDivisionError(name, formula, err.position + side.offset, err.reason);
    throw err;
  }
}

/** Parses one side with the engine's parser. @throws FormulaSyntaxError against the whole formula. */
export function parseSide(name: string, formula: string, side: FormulaSide): FormulaNode {
  return onSide(name, formula, side, (text) => parseFormula(name, text));
}

/** A side that is a plain number (`0.3`, `-1e-3`): compared as a constant instead of compiled. */
export function sideNumber(side: FormulaSide): number | undefined {
  const t = side.text.trim();
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) ? Number(t) : undefined;
}

/**
 * The formula of a calibrated product: the polynomial c0 + c1·x + c2·x² + … of `formula`, in Horner form
 * (c0 + x·(c1 + x·(c2 + …))), which the engine evaluates in float64 before the one rounding to float32.
 */
export function calibratedFormula(formula: string, coefficients: readonly number[]): string {
  const c = (v: number) => (v < 0 ? `(${v})` : `${v}`);
  let expr = c(coefficients[coefficients.length - 1]);
  for (let k = coefficients.length - 2; k >= 0; k--) expr = `${c(coefficients[k])} + (${formula}) * (${expr})`;
  return expr;
}

/** The polynomial's extreme values over [lo, hi] (ends and stationary points), for a calibrated histogram range. */
export function polynomialRange(coefficients: readonly number[], lo: number, hi: number): [number, number] {
  const f = (x: number) => coefficients.reduceRight((acc, ck) => acc * x + ck, 0);
  const xs = [lo, hi];
  // Stationary points of up to a quadratic exactly; higher degrees are sampled.
  if (coefficients.length === 3 && coefficients[2] !== 0) xs.push(-coefficients[1] / (2 * coefficients[2]));
  if (coefficients.length > 3) for (let i = 1; i < 64; i++) xs.push(lo + ((hi - lo) * i) / 64);
  const ys = xs.filter((x) => x >= lo && x <= hi).map(f);
  const min = Math.min(...ys);
  const max = Math.max(...ys);
  return max > min ? [min, max] : [min - 1, min + 1];
}
