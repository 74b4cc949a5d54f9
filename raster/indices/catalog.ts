/**
 * The spectral-index catalog (Awesome Spectral Indices, vendored in ./catalog): formulas by short name and
 * constant defaults, plus compiling a catalog index in one call.
 */
import { ExpressionError } from '../errors';
import { closestNames } from './did-you-mean';
import { UnknownIndexError } from './formula-errors';
import constantsJson from './catalog/constants.json';
import indicesJson from './catalog/spectral-indices-dict.json';
import { compileFormula, type CompiledIndex } from './expression';

/** One catalog index. */
export interface CatalogIndex {
  shortName: string;
  longName: string;
  formula: string;
  /** Per-pixel inputs: standard band keys (`N`, `RE1`...) and the radar/kernel terms (`VV`, `kNN`...). */
  bands: string[];
  /** Constants the formula uses (`L`, `g`, `C1`...); defaults via {@link catalogConstant}. */
  constants: string[];
  applicationDomain: string;
}

interface RawIndex {
  short_name: string;
  long_name: string;
  formula: string;
  bands: string[];
  application_domain: string;
}

interface RawConstant {
  default: number | null;
}

const INDICES = (indicesJson as { SpectralIndices: Record<string, RawIndex> }).SpectralIndices;
const CONSTANTS = constantsJson as Record<string, RawConstant>;

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** Short names of every catalog index, sorted. */
export function catalogIndexNames(): string[] {
  return Object.keys(INDICES).sort();
}

/**
 * Looks an index up by short name: exact first, then case-insensitively when that is unambiguous
 * (`ndci` finds `NDCI`; `kndvi` finds `kNDVI`).
 * @throws UnknownIndexError (an ExpressionError) when the catalog has no such index, with the closest names by
 *   edit distance: `NDVJ: not an index of the spectral-index catalog (did you mean NDVI?)`.
 */
export function catalogIndex(shortName: string): CatalogIndex {
  let raw = own(INDICES, shortName);
  if (!raw) {
    const lower = shortName.toLowerCase();
    const matches = Object.keys(INDICES).filter((k) => k.toLowerCase() === lower);
    if (matches.length === 1) raw = INDICES[matches[0]];
  }
  if (!raw) throw new UnknownIndexError(shortName, closestNames(shortName, catalogIndexNames()));
  const isConstant = (name: string) => own(CONSTANTS, name) !== undefined;
  return {
    shortName: raw.short_name,
    longName: raw.long_name,
    formula: raw.formula,
    bands: raw.bands.filter((b) => !isConstant(b)),
    constants: raw.bands.filter(isConstant),
    applicationDomain: raw.application_domain,
  };
}

/**
 * The catalog's default value of a constant, or undefined when the name is unknown or the catalog gives
 * no default (PAR and the `lambda*` wavelengths must come from the caller).
 */
export function catalogConstant(name: string): number | undefined {
  const c = own(CONSTANTS, name);
  return c && typeof c.default === 'number' ? c.default : undefined;
}

/**
 * Compiles a catalog index with the catalog's constant defaults, overridden by `constants`.
 * @throws ExpressionError when the index is unknown or a constant it needs has no default and no override.
 */
export function compileCatalogIndex(shortName: string, constants: Record<string, number> = {}): CompiledIndex {
  const index = catalogIndex(shortName);
  const values: Record<string, number> = {};
  for (const name of index.constants) {
    const value = own(constants, name) ?? catalogConstant(name);
    if (value === undefined) {
      throw new ExpressionError(index.shortName, `constant ${name} has no catalog default; pass a value for it`);
    }
    values[name] = value;
  }
  return compileFormula(index.shortName, index.formula, { bands: index.bands, constants: values });
}
