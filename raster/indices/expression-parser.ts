/**
 * Tokenizer and recursive-descent parser for spectral-index formulas (the catalog's Python-style arithmetic).
 *
 * Grammar, with Python's precedence (so `-x ** 2` is `-(x ** 2)` and `2 ** -1` is allowed):
 * ```
 * sum     := product (('+' | '-') product)*
 * product := unary (('*' | '/') unary)*
 * unary   := ('-' | '+') unary | power
 * power   := atom ('**' unary)?          right-associative: a ** b ** c = a ** (b ** c)
 * atom    := number | identifier | '(' sum ')'
 * ```
 * Numbers: `12`, `1.5`, `.5`, `1e-3`. Identifiers: `[A-Za-z_][A-Za-z0-9_]*`, and wavelength names may carry a
 * decimal part (`R709.5`, `W681.25`: `R` or `W`, digits, `.`, digits; see wavelength-bands.ts). Nothing else is
 * accepted: function calls, comparisons, attribute access and the like fail with a {@link FormulaSyntaxError}
 * that carries the position of the offending token and a caret line.
 */
import { ExpressionError } from '../errors';
import { FormulaSyntaxError } from './formula-errors';

export type BinaryOp = '+' | '-' | '*' | '/' | '**';

/** A formula's syntax tree. `pos` is the 0-based character offset of the node's token in the formula. */
export type FormulaNode =
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'name'; name: string; pos: number }
  | { kind: 'unary'; op: '-' | '+'; arg: FormulaNode; pos: number }
  | { kind: 'binary'; op: BinaryOp; left: FormulaNode; right: FormulaNode; pos: number };

type Token =
  | { type: 'number'; value: number; text: string; pos: number }
  | { type: 'name'; text: string; pos: number }
  | { type: 'op'; text: BinaryOp | '(' | ')'; pos: number }
  | { type: 'end'; text: ''; pos: number };

/** Longer than any real index formula; guards the recursive parser against hostile input. */
const MAX_FORMULA_CHARS = 4096;
const MAX_DEPTH = 200;

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
/** `R709` / `W709` may continue with a decimal part; any other name followed by '.' stays an error. */
const WAVELENGTH_NAME = /^[RW]\d+$/;
const DECIMALS = /\.\d+/y;

function fail(formulaName: string, formula: string, pos: number, what: string, note = ''): never {
  throw new FormulaSyntaxError(formulaName, formula, pos, what, note);
}

function tokenize(formulaName: string, formula: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < formula.length) {
    const c = formula[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(formula);
    if (num) {
      const value = Number(num[0]);
      if (!Number.isFinite(value)) fail(formulaName, formula, i, `number ${num[0]} is out of range`);
      tokens.push({ type: 'number', value, text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(formula);
    if (name) {
      let text = name[0];
      if (WAVELENGTH_NAME.test(text)) {
        DECIMALS.lastIndex = i + text.length;
        const frac = DECIMALS.exec(formula);
        if (frac) text += frac[0];
      }
      tokens.push({ type: 'name', text, pos: i });
      i += text.length;
      continue;
    }
    if (c === '*' && formula[i + 1] === '*') {
      tokens.push({ type: 'op', text: '**', pos: i });
      i += 2;
      continue;
    }
    if (c === '+' || c === '-' || c === '*' || c === '/' || c === '(' || c === ')') {
      tokens.push({ type: 'op', text: c, pos: i });
      i++;
      continue;
    }
    fail(formulaName, formula, i, `unexpected character '${c}'`);
  }
  tokens.push({ type: 'end', text: '', pos: formula.length });
  return tokens;
}

class Parser {
  private at = 0;
  private depth = 0;

  constructor(
    private readonly formulaName: string,
    private readonly formula: string,
    private readonly tokens: Token[],
  ) {}

  parse(): FormulaNode {
    const node = this.sum();
    const t = this.peek();
    if (t.type !== 'end') this.unexpected(t);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.type === 'op' && t.text === text;
  }

  private unexpected(t: Token): never {
    const what = t.type === 'end' ? 'unexpected end of formula' : `unexpected '${t.text}'`;
    return fail(this.formulaName, this.formula, t.pos, what);
  }

  private sum(): FormulaNode {
    let left = this.product();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.tokens[this.at++];
      left = { kind: 'binary', op: t.text as BinaryOp, left, right: this.product(), pos: t.pos };
    }
    return left;
  }

  private product(): FormulaNode {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/')) {
      const t = this.tokens[this.at++];
      left = { kind: 'binary', op: t.text as BinaryOp, left, right: this.unary(), pos: t.pos };
    }
    return left;
  }

  private unary(): FormulaNode {
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.tokens[this.at++];
      return { kind: 'unary', op: t.text as '-' | '+', arg: this.nested(() => this.unary(), t), pos: t.pos };
    }
    return this.power();
  }

  private power(): FormulaNode {
    const base = this.atom();
    if (!this.isOp('**')) return base;
    const t = this.tokens[this.at++];
    // The exponent is a unary, as in Python: 2 ** -1 is legal and a ** b ** c nests to the right.
    return { kind: 'binary', op: '**', left: base, right: this.nested(() => this.unary(), t), pos: t.pos };
  }

  private atom(): FormulaNode {
    const t = this.tokens[this.at];
    if (t.type === 'number') {
      this.at++;
      return { kind: 'number', value: t.value, pos: t.pos };
    }
    if (t.type === 'name') {
      this.at++;
      if (this.isOp('(')) {
        fail(this.formulaName, this.formula, t.pos, `function call '${t.text}(...)' is not supported`);
      }
      return { kind: 'name', name: t.text, pos: t.pos };
    }
    if (t.type === 'op' && t.text === '(') {
      this.at++;
      const inner = this.nested(() => this.sum(), t);
      const close = this.peek();
      if (!(close.type === 'op' && close.text === ')')) {
        if (close.type === 'end') {
          fail(this.formulaName, this.formula, close.pos, "expected ')'", ` (the '(' at column ${t.pos + 1} is never closed)`);
        }
        fail(this.formulaName, this.formula, close.pos, `expected ')' but found '${close.text}'`);
      }
      this.at++;
      return inner;
    }
    return this.unexpected(t);
  }

  private nested(parse: () => FormulaNode, t: Token): FormulaNode {
    if (++this.depth > MAX_DEPTH) fail(this.formulaName, this.formula, t.pos, 'formula nests too deeply');
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }
}

/**
 * Parses a formula into its syntax tree.
 * @throws FormulaSyntaxError (an ExpressionError) naming the formula, the 1-based column and the offending token,
 *   with the formula and a caret under that column on the next two lines; ExpressionError when the formula is
 *   longer than 4096 characters.
 */
export function parseFormula(formulaName: string, formula: string): FormulaNode {
  if (formula.length > MAX_FORMULA_CHARS) {
    throw new ExpressionError(formulaName, `formula is ${formula.length} characters long (limit ${MAX_FORMULA_CHARS})`);
  }
  return new Parser(formulaName, formula, tokenize(formulaName, formula)).parse();
}

/** Every identifier the tree uses, in order of first appearance. */
export function formulaNames(node: FormulaNode, into: string[] = []): string[] {
  switch (node.kind) {
    case 'name':
      if (!into.includes(node.name)) into.push(node.name);
      break;
    case 'unary':
      formulaNames(node.arg, into);
      break;
    case 'binary':
      formulaNames(node.left, into);
      formulaNames(node.right, into);
      break;
    case 'number':
      break;
  }
  return into;
}
