/**
 * Built-in line-height indices defined by wavelength rather than by catalog band role: MCI, FLH and CI_cyano.
 * The definitions are data (wavelength-indices.json: formula, published definition, reference); this module
 * looks them up and compiles them for a sensor.
 *
 * All three measure how far the value at a centre wavelength λ lies above (MCI, FLH) or below (CI = −SS) the
 * straight line between two neighbouring wavelengths λ− and λ+:
 *   height(λ) = R(λ) − R(λ−) − (R(λ+) − R(λ−)) · (λ − λ−) / (λ+ − λ−)
 * The published definitions use their sensor's band centres (MERIS: 665, 681, 709, 753 nm). On another sensor
 * the bands picked for those wavelengths sit a few nm away, and the baseline is only a straight line through the
 * samples when its slope uses the wavelengths the samples were taken at. So the formulas use `W681`-style terms,
 * the *matched* band centres: on a sensor with bands exactly at the MERIS centres they reduce to the published
 * coefficients (for MCI (709 − 681)/(753 − 681) = 0.3889), elsewhere they keep the line height a line height.
 *
 * CI_cyano = −SS(681) with λ− = 665 and λ+ = 709 (Wynne et al. 2008, 2010), which is −FLH on the same bands; both
 * are kept because products and papers name them separately. Inputs may be reflectance or radiance: a line height
 * is linear, so it is in the unit of its input.
 */
import type { Sensor } from '../sensor';
import { closestNames } from './did-you-mean';
import { compileFormula, type CompiledIndex } from './expression';
import { UnknownIndexError } from './formula-errors';
import type { WavelengthMatchOptions } from './wavelength-bands';
import definitionsJson from './wavelength-indices.json';

/** One built-in wavelength index. */
export interface WavelengthIndex {
  shortName: string;
  longName: string;
  /** In wavelength names: `R709` is the band nearest 709 nm, `W709` its centre in nm (wavelength-bands.ts). */
  formula: string;
  /** The published definition, in its own (nominal) wavelengths. */
  definition: string;
  reference: string;
  applicationDomain: string;
}

interface RawDefinition {
  long_name: string;
  formula: string;
  definition: string;
  reference: string;
  application_domain: string;
}

const DEFINITIONS = definitionsJson as Record<string, RawDefinition>;

/** Short names of the built-in wavelength indices, sorted. */
export function wavelengthIndexNames(): string[] {
  return Object.keys(DEFINITIONS).sort();
}

/** Finds a name case-insensitively; undefined when absent. */
export function findWavelengthIndex(name: string): WavelengthIndex | undefined {
  const key = Object.keys(DEFINITIONS).find((k) => k === name) ?? Object.keys(DEFINITIONS).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key) return undefined;
  const d = DEFINITIONS[key];
  return { shortName: key, longName: d.long_name, formula: d.formula, definition: d.definition, reference: d.reference, applicationDomain: d.application_domain };
}

/**
 * Looks a built-in wavelength index up by name (case-insensitive: `mci`, `ci_CYANO`).
 * @throws UnknownIndexError with "did you mean" suggestions.
 */
export function wavelengthIndex(name: string): WavelengthIndex {
  const found = findWavelengthIndex(name);
  if (!found) throw new UnknownIndexError(name, closestNames(name, wavelengthIndexNames()));
  return found;
}

/**
 * Compiles a built-in wavelength index for a sensor; `result.wavelengthBands` says which band each `R…` input is.
 * @throws UnknownIndexError; WavelengthMatchError when a wavelength has no band within tolerance;
 *   WavelengthCollisionError when two of its wavelengths land on the same band.
 */
export function compileWavelengthIndex(name: string, sensor: Sensor, opts: { wavelengthMatch?: WavelengthMatchOptions } = {}): CompiledIndex {
  const index = wavelengthIndex(name);
  return compileFormula(index.shortName, index.formula, { bands: [], sensor, wavelengthMatch: opts.wavelengthMatch });
}
