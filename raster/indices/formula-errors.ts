/**
 * Typed errors of the formula engine. Each subclass keeps its parent's `name` (`ExpressionError` or
 * `BandMatchError`), because the activity layer decides retryability by that name; callers that need the
 * finer reason use `instanceof` and the readonly fields, which carry the numbers of the message.
 */
import { BandMatchError, ExpressionError } from '../errors';
import type { SensorBand } from '../sensor';

/** The formula with tabs and line breaks shown as spaces, so every message line is one line. */
export function oneLine(formula: string): string {
  return formula.replace(/[\t\n\r]/g, ' ');
}

/**
 * Two lines that point at a character of a formula:
 * ```
 * NDVI = (N - R / (N + R)
 *                        ^ expected ')'
 * ```
 * Whitespace is shown as a space so the caret stays under the character on a one-line display.
 */
export function caretLines(formulaName: string, formula: string, pos: number, label: string): string {
  const shown = oneLine(formula);
  const lead = `${formulaName} = `;
  return `${lead}${shown}\n${' '.repeat(lead.length + Math.max(0, Math.min(pos, shown.length)))}^ ${label}`;
}

/**
 * A formula that does not parse. Thrown by `parseFormula` (and everything that compiles formulas).
 * The message's first line names the problem and the 1-based column; the next two show the formula with a caret.
 */
export class FormulaSyntaxError extends ExpressionError {
  /** 1-based column of the offending character (formula.length + 1 at the end of the formula). */
  readonly column: number;
  constructor(
    formulaName: string,
    readonly formula: string,
    /** 0-based offset of the offending character in `formula`. */
    readonly position: number,
    /** What went wrong, e.g. `expected ')'` or `unexpected '*'`. */
    readonly problem: string,
    /** Extra context for the first line, e.g. where an unclosed parenthesis opened. */
    note = '',
  ) {
    super(
      formulaName,
      `${problem} at column ${position + 1} of "${oneLine(formula)}"${note}\n${caretLines(formulaName, formula, position, problem)}`,
    );
    this.column = position + 1;
  }
}

/** Why a division was rejected by {@link ConstantDivisionError}. */
export type ConstantDivisionReason = 'zero-denominator' | 'zero-numerator' | 'same-operands';

/**
 * A division whose value the formula itself fixes, whatever the bands hold: a denominator that is identically
 * zero (`N / (R - R)`), a numerator that is identically zero (`(N - N) / (N + R)`), or the same expression on
 * both sides (`(N + R) / (R + N)`). Such a formula is almost always a typo, and its output would be a constant
 * (or all ±Infinity/NaN) raster that looks like a result. See formula-dag.ts for the exact rule.
 */
export class ConstantDivisionError extends ExpressionError {
  constructor(
    formulaName: string,
    readonly formula: string,
    /** 0-based offset of the `/` in `formula`. */
    readonly position: number,
    readonly reason: ConstantDivisionReason,
  ) {
    const what =
      reason === 'zero-denominator'
        ? 'its denominator is identically zero'
        : reason === 'zero-numerator'
          ? 'its numerator cancels to zero, so it is always 0'
          : 'its numerator and denominator are the same expression, so it is always 1';
    const problem = `constant division: ${what}`;
    super(formulaName, `${problem} (column ${position + 1} of "${oneLine(formula)}")\n${caretLines(formulaName, formula, position, 'this division')}`);
  }
}

/** A name that is not an index of the catalog (or of the built-in wavelength indices). */
export class UnknownIndexError extends ExpressionError {
  constructor(
    readonly wanted: string,
    /** The closest known names by edit distance (best first); empty when nothing is close. */
    readonly suggestions: string[],
  ) {
    const hint = suggestions.length ? ` (did you mean ${suggestions.join(' or ')}?)` : '';
    super(wanted, `not an index of the spectral-index catalog${hint}`);
  }
}

function nm(x: number): string {
  return `${Number(x.toFixed(1))}`;
}

/**
 * A wavelength-named band (`R709`) with no sensor band close enough: the nearest band's centre is farther than
 * the tolerance (half that band's FWHM when known, else 10 nm). Band numbers in the message are 1-based, as
 * GDAL numbers them; `nearest.index` is 0-based.
 */
export class WavelengthMatchError extends BandMatchError {
  constructor(
    product: string,
    readonly wantedNm: number,
    readonly toleranceNm: number,
    /** The closest band, or undefined when the sensor has no band with a wavelength. */
    readonly nearest: SensorBand | undefined,
  ) {
    const near = nearest
      ? `nearest: band ${nearest.index + 1}${nearest.name ? ` (${nearest.name})` : ''} at ${nm(nearest.wavelengthNm)} nm`
      : 'the sensor has no band with a known wavelength';
    super(product, `no band within ${nm(toleranceNm)} nm of ${nm(wantedNm)} nm (${near})`);
  }
}

/**
 * Two different wavelength names of one formula resolve to the same sensor band (e.g. `R681` and `R690` on a
 * sensor whose only band there is 684 nm wide): a line height or a difference between them would be zero.
 */
export class WavelengthCollisionError extends BandMatchError {
  constructor(
    product: string,
    readonly names: [string, string],
    readonly band: SensorBand,
  ) {
    super(product, `${names[0]} and ${names[1]} both resolve to band ${band.index + 1} at ${nm(band.wavelengthNm)} nm`);
  }
}
