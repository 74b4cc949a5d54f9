/**
 * The formula compiler: grammar and precedence (checked against Python's evaluation of the same text),
 * error messages with positions and caret lines, constant divisions, nodata handling and strided inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors';
import { compileFormula } from './expression';
import { formulaNames, parseFormula } from './expression-parser';
import { ConstantDivisionError, FormulaSyntaxError } from './formula-errors';
import { assertClose } from './testing/compare';
import { runNumpy } from './testing/numpy-oracle';

/** Evaluates a constant-only formula through the compiler (one pixel, no bands). */
function scalar(formula: string): number {
  const out = new Float32Array(1);
  compileFormula('t', formula, { bands: [] }).run({}, 1, out);
  return out[0];
}

describe('formula grammar', () => {
  const cases = [
    '-2 ** 2',
    '2 ** -1',
    '2 ** 3 ** 2',
    '(-2) ** 2',
    '1 - 2 - 3',
    '8 / 4 / 2',
    '2 * 3 + 4 * 5',
    '- - 3',
    '+4 - -2',
    '1e-3 * 2.5E+2',
    '.5 + 10.',
    '-(1 + 2) * 3 ** 0.5 / 7',
    '2 ** 0.5 ** 2',
  ];
  it('evaluates like Python', () => {
    const py = runNumpy('RES = [float(eval(f, {"__builtins__": {}})) for f in P]', {}, cases).result as number[];
    cases.forEach((f, i) => assert.equal(scalar(f), Math.fround(py[i]), f));
  });

  it('builds the expected tree for -x ** 2', () => {
    const ast = parseFormula('t', '-N ** 2');
    assert.equal(ast.kind, 'unary');
    assert.ok(ast.kind === 'unary' && ast.arg.kind === 'binary' && ast.arg.op === '**');
  });
});

describe('formula errors name the formula and the column', () => {
  const bad: Array<[string, RegExp]> = [
    ['(N - R', /^X: expected '\)' at column 7 of "\(N - R" \(the '\(' at column 1 is never closed\)\n/],
    ['(N - R R)', /^X: expected '\)' but found 'R' at column 8/],
    ['N + * R', /^X: unexpected '\*' at column 5/],
    ['N R', /^X: unexpected 'R' at column 3/],
    ['sqrt(N)', /^X: function call 'sqrt\(\.\.\.\)' is not supported at column 1/],
    ['N > R', /^X: unexpected character '>' at column 3/],
    ['N - ', /^X: unexpected end of formula at column 5/],
    ['N.real', /^X: unexpected character '\.' at column 2/],
    ['N + Q', /^X: unknown identifier 'Q' at column 5 of "N \+ Q" \(known: N, R, L\)$/],
    ['', /^X: unexpected end of formula at column 1/],
    ['1e999 * N', /^X: number 1e999 is out of range at column 1/],
    ['('.repeat(300) + 'N' + ')'.repeat(300), /^X: formula nests too deeply/],
  ];
  for (const [formula, message] of bad) {
    it(JSON.stringify(formula.slice(0, 20)), () => {
      assert.throws(
        () => compileFormula('X', formula, { bands: ['N', 'R'], constants: { L: 0.5 } }),
        (err: unknown) => err instanceof ExpressionError && message.test(err.message),
      );
    });
  }
  it('rejects a name that is both band and constant, and non-finite constants', () => {
    assert.throws(() => compileFormula('X', 'N + L', { bands: ['N', 'L'], constants: { L: 1 } }), /'L' at column 5 is both/);
    assert.throws(() => compileFormula('X', 'N * L', { bands: ['N'], constants: { L: NaN } }), /constant L = NaN/);
  });
  it('refuses to run without a view for a used band', () => {
    const f = compileFormula('X', 'N - R', { bands: ['N', 'R'] });
    assert.throws(() => f.run({ N: { data: new Float32Array(1), offset: 0, stride: 1 } }, 1, new Float32Array(1)), /no input supplied for band 'R'/);
  });
  it('never hands identifiers to the JavaScript compiler', () => {
    // Would be code if it reached new Function; here it is just an unknown name.
    assert.throws(() => compileFormula('X', 'constructor', { bands: ['N'] }), /unknown identifier 'constructor'/);
    assert.throws(() => compileFormula('X', 'N + __proto__', { bands: ['N'], constants: {} }), /unknown identifier '__proto__'/);
  });
});

describe('compiled formulas on strided, scaled, nodata-salted inputs', () => {
  it('match numpy', () => {
    const count = 500;
    const tile = new Float32Array(count * 3);
    for (let i = 0; i < tile.length; i++) tile[i] = ((i * 7919) % 1000) / 1000 - 0.1;
    tile[3 * 10] = NaN;
    tile[3 * 20 + 1] = -1;
    tile[3 * 30 + 2] = -1;
    const formula = '(N - R) / (N + R + L) * (1 + L) - 0.5 * G ** 2';
    const f = compileFormula('SAVIX', formula, { bands: ['G', 'R', 'N'], constants: { L: 0.5 } });
    assert.deepEqual(f.bands, ['N', 'R', 'G']);
    const inputs = {
      G: { data: tile, offset: 0, stride: 3 },
      R: { data: tile, offset: 1, stride: 3, scale: 2, addOffset: 0.01 },
      N: { data: tile, offset: 2, stride: 3 },
    };
    const got = f.run(inputs, count, new Float32Array(count), { nodata: -1 });
    const want = runNumpy(
      `
      t = A['t'].reshape(-1, 3)
      raw = {'G': t[:, 0], 'R': t[:, 1], 'N': t[:, 2]}
      env = {'G': raw['G'].astype(np.float64), 'R': raw['R'] * 2.0 + 0.01, 'N': raw['N'].astype(np.float64), 'L': 0.5}
      bad = np.zeros(len(t), bool)
      for r in raw.values():
          bad |= np.isnan(r) | (r == -1)
      with np.errstate(all='ignore'):
          v = eval(P['f'], {'__builtins__': {}}, env)
      OUT['v'] = np.where(bad, np.nan, v).astype(np.float32)
      `,
      { t: tile },
      { f: formula },
    ).arrays['v'];
    assertClose(got, want, formula);
    assert.ok(Number.isNaN(got[10]) && Number.isNaN(got[20]) && Number.isNaN(got[30]));
  });
});

describe('syntax errors carry the position and a caret line', () => {
  function syntaxError(name: string, formula: string): FormulaSyntaxError {
    try {
      parseFormula(name, formula);
    } catch (e) {
      assert.ok(e instanceof FormulaSyntaxError && e instanceof ExpressionError, String(e));
      return e;
    }
    assert.fail(`${formula} parsed`);
  }

  it('an unclosed parenthesis points at the end, where the ")" is expected', () => {
    const e = syntaxError('NDVI', '(N - R / (N + R)');
    assert.equal(e.position, 16);
    assert.equal(e.column, 17);
    assert.equal(e.problem, "expected ')'");
    assert.equal(
      e.message,
      `NDVI: expected ')' at column 17 of "(N - R / (N + R)" (the '(' at column 1 is never closed)\n` +
        'NDVI = (N - R / (N + R)\n' +
        `${' '.repeat('NDVI = '.length + 16)}^ expected ')'`,
    );
  });

  it('the caret sits under the offending character', () => {
    for (const [formula, pos, problem] of [
      ['N + * R', 4, "unexpected '*'"],
      ['(N - R R)', 7, "expected ')' but found 'R'"],
      ['N - R)', 5, "unexpected ')'"],
      ['2 * sqrt(N)', 4, "function call 'sqrt(...)' is not supported"],
      ['N ^ 2', 2, "unexpected character '^'"],
      ['N +\n\t* R', 5, "unexpected '*'"],
    ] as const) {
      const e = syntaxError('IDX', formula);
      assert.equal(e.position, pos, formula);
      const [, shown, caret] = e.message.split('\n');
      assert.equal(shown, `IDX = ${formula.replace(/[\t\n]/g, ' ')}`);
      assert.equal(caret.indexOf('^'), 'IDX = '.length + pos, formula);
      assert.equal(caret.slice(caret.indexOf('^') + 2), problem);
    }
  });
});

describe('wavelength names', () => {
  it('tokenise with an optional decimal part', () => {
    assert.deepEqual(formulaNames(parseFormula('t', 'R709.5 - W681 * R0753.25 / R665')), ['R709.5', 'W681', 'R0753.25', 'R665']);
  });
  it('other names still cannot take a dot', () => {
    assert.throws(() => parseFormula('t', 'N.5 + R'), /unexpected '.5' at column 2|unexpected character/);
    assert.throws(() => parseFormula('t', 'R709. + N'), /unexpected character '\.' at column 5/);
  });
  it('need a sensor', () => {
    assert.throws(() => compileFormula('X', 'R709 - N', { bands: ['N'] }), /unknown identifier 'R709' at column 1 .*wavelength names need a sensor/);
  });
});

describe('divisions the formula makes constant', () => {
  const opts = { bands: ['N', 'R', 'G'], constants: { L: 1, gamma: 1 } };
  function reason(formula: string): string | undefined {
    try {
      compileFormula('X', formula, opts);
      return undefined;
    } catch (e) {
      if (e instanceof ConstantDivisionError) return `${e.reason}@${e.position}`;
      throw e;
    }
  }
  it('are rejected with the reason and the position of the "/"', () => {
    assert.equal(reason('(N - N)/(N + R)'), 'zero-numerator@7');
    assert.equal(reason('(N - N) * G / R'), 'zero-numerator@12');
    assert.equal(reason('N / (R - R)'), 'zero-denominator@2');
    assert.equal(reason('N / (L - 1)'), 'zero-denominator@2');
    assert.equal(reason('N / 0'), 'zero-denominator@2');
    assert.equal(reason('1 / (2 - 2)'), 'zero-denominator@2');
    assert.equal(reason('(N + R) / (R + N)'), 'same-operands@8');
    assert.equal(reason('G + (N * R) / (R * N)'), 'same-operands@12');
  });
  it('the message says why and points at the division', () => {
    assert.throws(
      () => compileFormula('X', '(N - N)/(N + R)', opts),
      (e: unknown) =>
        e instanceof ConstantDivisionError &&
        e.message ===
          'X: constant division: its numerator cancels to zero, so it is always 0 (column 8 of "(N - N)/(N + R)")\n' +
            'X = (N - N)/(N + R)\n' +
            `${' '.repeat(4 + 7)}^ this division`,
    );
  });
  it('are accepted when only a constant switches a term off, or when nothing is constant', () => {
    // NDTI4RE with the catalog default gamma = 1.
    assert.equal(reason('gamma * (N - R)/(N + R) + (1 - gamma) * (N - G)/(N + G)'), undefined);
    assert.equal(reason('(N - R) / (N + R)'), undefined);
    assert.equal(reason('(N - R) / (R - N)'), undefined);
    assert.equal(reason('(1 - 1) * N'), undefined);
    assert.equal(reason('6 / 3 * N'), undefined);
  });
});
