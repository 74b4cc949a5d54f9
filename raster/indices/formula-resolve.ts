/**
 * What each identifier of a formula stands for: a per-pixel input band, a named constant, or (with a sensor) a
 * wavelength-named band `R709` / its centre wavelength `W709`.
 */
import { ExpressionError } from '../errors';
import type { Sensor, SensorBand } from '../sensor';
import { formulaNames, parseFormula, type FormulaNode } from './expression-parser';
import { WavelengthCollisionError } from './formula-errors';
import { parseWavelengthName, resolveWavelengthBand, type WavelengthMatchOptions } from './wavelength-bands';

/** How a formula's identifiers are resolved. */
export interface CompileOptions {
  /** Names the formula may use as per-pixel inputs. */
  bands: string[];
  /** Named scalar constants (e.g. the catalog's `L`, `g`, `C1`); each must be a finite number. */
  constants?: Record<string, number>;
  /**
   * Enables wavelength names: `R709` (or `R709.5`) is an input band, the sensor band nearest 709 nm; `W709` is
   * that band's centre wavelength in nm. Names in `bands` and `constants` take precedence. @default none
   */
  sensor?: Sensor;
  /** Tolerance of wavelength names; see wavelength-bands.ts. */
  wavelengthMatch?: WavelengthMatchOptions;
}

/** A parsed formula with every identifier resolved. */
export interface ResolvedFormula {
  name: string;
  formula: string;
  ast: FormulaNode;
  /** Input bands the formula uses, in order of first appearance (including wavelength names like `R709`). */
  bands: string[];
  /** Constants the formula uses with their values (including `W709`-style wavelengths). */
  constants: Record<string, number>;
  /** The sensor band behind each wavelength name the formula uses (`R709` and `W709` alike). */
  wavelengthBands: Record<string, SensorBand>;
}

function validConstants(name: string, values: Record<string, number> | undefined): Map<string, number> {
  const constants = new Map<string, number>();
  for (const [key, value] of Object.entries(values ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ExpressionError(name, `constant ${key} = ${String(value)} is not a finite number`);
    }
    constants.set(key, value);
  }
  return constants;
}

/** The first node naming `id`, for its position in messages. */
function firstUse(node: FormulaNode, id: string): FormulaNode | undefined {
  if (node.kind === 'name') return node.name === id ? node : undefined;
  if (node.kind === 'unary') return firstUse(node.arg, id);
  if (node.kind === 'binary') return firstUse(node.left, id) ?? firstUse(node.right, id);
  return undefined;
}

/**
 * Parses `formula` and resolves its identifiers.
 * @throws FormulaSyntaxError on bad syntax; ExpressionError on an unknown identifier, a name that is both band and
 *   constant, or a non-finite constant; WavelengthMatchError when a wavelength name has no band within tolerance;
 *   WavelengthCollisionError when two wavelength names resolve to the same band.
 */
export function resolveFormula(name: string, formula: string, opts: CompileOptions): ResolvedFormula {
  const ast = parseFormula(name, formula);
  const constants = validConstants(name, opts.constants);
  const bandSet = new Set(opts.bands);
  const bands: string[] = [];
  const used: Record<string, number> = {};
  const wavelengthBands: Record<string, SensorBand> = {};
  const byBand = new Map<number, string>(); // sensor band index → first nominal wavelength name that took it
  for (const id of formulaNames(ast)) {
    const pos = (firstUse(ast, id)?.pos ?? 0) + 1;
    if (bandSet.has(id) && constants.has(id)) {
      throw new ExpressionError(name, `'${id}' at column ${pos} is both a band and a constant`);
    }
    if (bandSet.has(id)) {
      bands.push(id);
      continue;
    }
    if (constants.has(id)) {
      used[id] = constants.get(id) as number;
      continue;
    }
    const wl = opts.sensor ? parseWavelengthName(id) : undefined;
    if (opts.sensor && wl) {
      const band = resolveWavelengthBand(opts.sensor, wl.wavelengthNm, name, opts.wavelengthMatch);
      const nominal = `${wl.wavelengthNm}`;
      const taken = byBand.get(band.index);
      if (taken !== undefined && taken !== nominal) {
        throw new WavelengthCollisionError(name, [`R${taken}`, `R${nominal}`], band);
      }
      byBand.set(band.index, nominal);
      wavelengthBands[id] = band;
      if (wl.kind === 'R') bands.push(id);
      else used[id] = band.wavelengthNm;
      continue;
    }
    const known = [...bandSet, ...constants.keys()].join(', ') || 'none';
    const hint = !opts.sensor && parseWavelengthName(id) ? '; wavelength names need a sensor' : '';
    throw new ExpressionError(name, `unknown identifier '${id}' at column ${pos} of "${formula}" (known: ${known}${hint})`);
  }
  return { name, formula, ast, bands, constants: used, wavelengthBands };
}
