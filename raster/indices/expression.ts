/**
 * Compiles one spectral-index formula into a per-pixel kernel: the single-formula face of the fused engine
 * (formula-set.ts), with the same API the pipeline has always used.
 */
import type { SensorBand } from '../sensor';
import type { BandView, KernelOptions } from './band-view';
import type { FormulaNode } from './expression-parser';
import { compileFormulas } from './formula-set';
import type { CompileOptions } from './formula-resolve';

export type { CompileOptions } from './formula-resolve';

/** A compiled formula. */
export interface CompiledIndex {
  name: string;
  formula: string;
  /** The bands the formula actually uses, in order of first appearance; `run` needs a view for each. */
  bands: string[];
  /** The constants the formula uses, with the values compiled in (`W709`-style wavelengths included). */
  constants: Record<string, number>;
  /** The sensor band behind each wavelength name the formula uses (`R709`, `W709`); empty without a sensor. */
  wavelengthBands: Record<string, SensorBand>;
  ast: FormulaNode;
  /**
   * Evaluates the formula on `count` pixels into `out` (float64 arithmetic, one rounding to float32).
   * A pixel is NaN when any band the formula uses is NaN or equals `opts.nodata` (raw sample). Otherwise
   * IEEE rules apply as in numpy: x/0 is ±Infinity and 0/0 is NaN.
   * @throws ExpressionError when a used band has no view; RasterError when a view or `out` is too short.
   */
  run(inputs: Record<string, BandView>, count: number, out: Float32Array, opts?: KernelOptions): Float32Array;
}

/**
 * Parses and compiles `formula`. Identifiers must be listed in `opts.bands` or `opts.constants`, or be
 * wavelength names (`R709`, `W709`) when `opts.sensor` is given.
 *
 * @param name the formula's name (e.g. the catalog short name); every error starts with it.
 * @throws FormulaSyntaxError on bad syntax (with the column and a caret line); ExpressionError on an unknown
 *   identifier, a name that is both band and constant, or a non-finite constant; ConstantDivisionError on a
 *   division the formula makes constant; WavelengthMatchError / WavelengthCollisionError for wavelength names.
 */
export function compileFormula(name: string, formula: string, opts: CompileOptions): CompiledIndex {
  const set = compileFormulas([{ name, formula }], opts);
  const f = set.formulas[0];
  return {
    name,
    formula,
    bands: [...f.bands],
    constants: { ...f.constants },
    wavelengthBands: { ...f.wavelengthBands },
    ast: f.ast,
    run(inputs, count, out, runOpts) {
      set.run(inputs, count, [out], runOpts);
      return out;
    },
  };
}
