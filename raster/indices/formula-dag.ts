/**
 * Formula trees → one shared expression graph (a DAG), the input of the fused-loop code generator.
 *
 * Every rewrite here leaves each formula's float64 result bit-for-bit what evaluating its tree node by node
 * gives (expression-reference.ts), so the fused path can replace that one:
 * - Common subexpressions: structurally equal subtrees get one node, shared across formulas, so `(N - R)` used
 *   by five indices is computed once per pixel.
 * - `a + b` and `a * b` take their operands in a canonical order: IEEE addition and multiplication are exactly
 *   commutative, so `N + R` and `R + N` become one node. Nothing is reassociated (that would change rounding).
 * - Subtrees without bands are folded with the same float64 operations the loop would do.
 * - `x ** 2` becomes `x * x` and `x ** 0.5` the square root: V8's own Math.pow special-cases these exponents
 *   to exactly these results (checked on ±0, ±Infinity, NaN and subnormals), and numpy does the same.
 *
 * Constant divisions. While building, every division is checked with one sound rule. An expression is
 * "identically zero" when it is the constant 0, `a - a` (the same node on both sides, after the canonical
 * ordering), `-z`, `z * x`, `x * z`, `z / x`, `z ** c` (c > 0), `z ** 2`, `z ** 0.5`, or a sum or difference of
 * two zeros (z identically zero); it is "zero by cancellation" when that zero comes from some `a - a` whose `a`
 * reads a band. A division is rejected (ConstantDivisionError) when
 * - its denominator is identically zero (the result is ±Infinity or NaN everywhere), or, if it reads a band,
 * - its numerator is zero by cancellation (`(N - N) / (N + R)` is 0 everywhere), or
 * - its numerator and denominator are the same node (`(N + R) / (R + N)` is 1 everywhere).
 * A numerator that is zero only because of a constant is accepted: with the catalog default gamma = 1, NDTI4RE's
 * `(1 - gamma) * (N - RE3) / (N + RE3)` is a term the constant switches off, not a mistake in the formula.
 * Whatever the rule flags is constant (or undefined) for every finite input; it does not try to find every
 * constant expression (`2 * N - N - N` passes).
 */
import { ConstantDivisionError } from './formula-errors';
import type { FormulaNode } from './expression-parser';

export type DagOp = 'const' | 'band' | 'neg' | '+' | '-' | '*' | '/' | 'pow' | 'powc' | 'square' | 'sqrt';

/**
 * One node. `a`/`b` are operand node ids (always smaller than the node's own id, so ids are a topological
 * order); `value` is the constant (op `const`) or the constant exponent (op `powc`); `slot` the input (op `band`).
 */
export interface DagNode {
  readonly op: DagOp;
  readonly a: number;
  readonly b: number;
  readonly value: number;
  readonly slot: number;
  /** The node reads at least one band (is not a constant). */
  readonly hasBand: boolean;
  /** The node is identically zero by the rule in the module doc. */
  readonly zero: boolean;
  /** The node is zero by cancellation of a band expression (`a - a`), not just by a constant factor. */
  readonly cancels: boolean;
  /**
   * Some path below can turn a NaN input into a number (`x ** 0` is 1, and C's pow(1, y) is 1 for any y), so
   * NaN propagation alone does not make nodata pixels NaN; the code generator then tests the inputs explicitly.
   */
  readonly absorbsNaN: boolean;
}

/**
 * C's pow (what numpy calls) and JavaScript's differ on two edge cases: pow(1, y) is 1 for every y,
 * and pow(-1, ±Infinity) is 1; JavaScript gives NaN for both.
 */
export function cPow(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return Math.pow(x, y);
}

/** How a formula's identifiers map to graph leaves. */
export type LeafResolver = (name: string) => { slot: number } | { value: number };

/** Where a formula comes from, for the messages of ConstantDivisionError. */
export interface FormulaSource {
  name: string;
  formula: string;
}

function constKey(v: number): string {
  return Object.is(v, -0) ? 'c:-0' : `c:${v}`;
}

export class FormulaDag {
  readonly nodes: DagNode[] = [];
  private readonly ids = new Map<string, number>();

  /** Adds a formula's tree; returns its root node id. @throws ConstantDivisionError (see the module doc). */
  add(ast: FormulaNode, resolve: LeafResolver, source: FormulaSource): number {
    const visit = (node: FormulaNode): number => {
      switch (node.kind) {
        case 'number':
          return this.constant(node.value);
        case 'name': {
          const leaf = resolve(node.name);
          return 'slot' in leaf ? this.band(leaf.slot) : this.constant(leaf.value);
        }
        case 'unary':
          // Unary plus is the identity on numbers; unary minus only flips the sign bit.
          return node.op === '+' ? visit(node.arg) : this.neg(visit(node.arg));
        case 'binary': {
          const a = visit(node.left);
          const b = visit(node.right);
          if (node.op === '**') return this.pow(a, b);
          if (node.op === '/') this.checkDivision(a, b, source, node.pos);
          return this.binary(node.op, a, b);
        }
      }
    };
    return visit(ast);
  }

  node(id: number): DagNode {
    return this.nodes[id];
  }

  /** Ids of every node reachable from `roots`, ascending (a valid evaluation order). */
  reachable(roots: number[]): number[] {
    const seen = new Uint8Array(this.nodes.length);
    const stack = [...roots];
    while (stack.length) {
      const id = stack.pop() as number;
      if (seen[id]) continue;
      seen[id] = 1;
      const n = this.nodes[id];
      if (n.a >= 0) stack.push(n.a);
      if (n.b >= 0) stack.push(n.b);
    }
    const out: number[] = [];
    for (let i = 0; i < seen.length; i++) if (seen[i]) out.push(i);
    return out;
  }

  private intern(key: string, make: () => Omit<DagNode, 'absorbsNaN'> & { absorbsNaN?: boolean }): number {
    const found = this.ids.get(key);
    if (found !== undefined) return found;
    const n = make();
    const id = this.nodes.length;
    const absorbs = n.absorbsNaN ?? ((n.a >= 0 && this.nodes[n.a].absorbsNaN) || (n.b >= 0 && this.nodes[n.b].absorbsNaN));
    this.nodes.push({ ...n, absorbsNaN: absorbs });
    this.ids.set(key, id);
    return id;
  }

  private constant(value: number): number {
    return this.intern(constKey(value), () => ({ op: 'const', a: -1, b: -1, value, slot: -1, hasBand: false, zero: value === 0, cancels: false }));
  }

  private band(slot: number): number {
    return this.intern(`b:${slot}`, () => ({ op: 'band', a: -1, b: -1, value: 0, slot, hasBand: true, zero: false, cancels: false }));
  }

  private isConst(id: number): boolean {
    return this.nodes[id].op === 'const';
  }

  private neg(a: number): number {
    if (this.isConst(a)) return this.constant(-this.nodes[a].value);
    const x = this.nodes[a];
    return this.intern(`neg:${a}`, () => ({ op: 'neg', a, b: -1, value: 0, slot: -1, hasBand: true, zero: x.zero, cancels: x.cancels }));
  }

  private binary(op: '+' | '-' | '*' | '/', a: number, b: number): number {
    const x = this.nodes[a];
    const y = this.nodes[b];
    if (x.op === 'const' && y.op === 'const') return this.constant(fold(op, x.value, y.value));
    if ((op === '+' || op === '*') && a > b) return this.binary(op, b, a);
    let zero: boolean;
    let cancels: boolean;
    if (op === '*') {
      zero = x.zero || y.zero;
      cancels = x.cancels || y.cancels;
    } else if (op === '/') {
      zero = x.zero;
      cancels = x.cancels;
    } else {
      // Same node on both sides of '-' (it reads a band, or it would have been folded): a - a.
      cancels = (op === '-' && a === b) || (x.zero && y.zero && (x.cancels || y.cancels));
      zero = cancels || (x.zero && y.zero);
    }
    return this.intern(`${op}:${a}:${b}`, () => ({ op, a, b, value: 0, slot: -1, hasBand: true, zero, cancels }));
  }

  private pow(a: number, b: number): number {
    const x = this.nodes[a];
    const y = this.nodes[b];
    if (x.op === 'const' && y.op === 'const') return this.constant(cPow(x.value, y.value));
    if (y.op === 'const' && Number.isFinite(y.value)) {
      const c = y.value;
      // For a finite constant exponent cPow is Math.pow: its special cases need y = ±Infinity or x = 1 (then
      // Math.pow(1, c) is 1 as well).
      const z = { zero: x.zero && c > 0, cancels: x.cancels && c > 0 };
      if (c === 2) return this.intern(`sq:${a}`, () => ({ op: 'square', a, b: -1, value: 2, slot: -1, hasBand: true, ...z }));
      if (c === 0.5) return this.intern(`sqrt:${a}`, () => ({ op: 'sqrt', a, b: -1, value: 0.5, slot: -1, hasBand: true, ...z }));
      return this.intern(`powc:${a}:${constKey(c)}`, () => ({
        op: 'powc',
        a,
        b: -1,
        value: c,
        slot: -1,
        hasBand: true,
        ...z,
        absorbsNaN: c === 0 || x.absorbsNaN, // Math.pow(NaN, 0) is 1
      }));
    }
    return this.intern(`pow:${a}:${b}`, () => ({ op: 'pow', a, b, value: 0, slot: -1, hasBand: true, zero: false, cancels: false, absorbsNaN: true }));
  }

  private checkDivision(a: number, b: number, source: FormulaSource, pos: number): void {
    const x = this.nodes[a];
    const y = this.nodes[b];
    const fail = (reason: ConstantDivisionError['reason']) => {
      throw new ConstantDivisionError(source.name, source.formula, pos, reason);
    };
    if (y.zero) fail('zero-denominator');
    if (!x.hasBand && !y.hasBand) return;
    if (x.cancels) fail('zero-numerator');
    // After canonical ordering and sharing, equal ids mean structurally equal operands.
    if (a === b) fail('same-operands');
  }
}

function fold(op: '+' | '-' | '*' | '/', x: number, y: number): number {
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
  }
}
