/**
 * Which spectral indices a sensor can compute, with which bands, and compiling a named selection of them into
 * one fused pass.
 *
 * Catalog indices name standard band roles (`N`, `RE1`...); a role is filled by the sensor band inside the
 * catalog's wavelength range (bands.json) that is closest to the range centre, or to a caller's target
 * (bands.ts `matchBand`). Built-in wavelength indices (MCI, FLH, CI_cyano) name wavelengths instead
 * (wavelength-indices.ts). The catalog's `lambdaG`, `lambdaN`... constants are the centre wavelengths of the
 * bands chosen for those roles, unless the caller passes a value.
 */
import { matchBand, standardRole } from '../bands';
import { BandMatchError, ExpressionError } from '../errors';
import type { Sensor, SensorBand } from '../sensor';
import type { BandView } from './band-view';
import { catalogConstant, catalogIndex, catalogIndexNames } from './catalog';
import catalogBands from './catalog/bands.json';
import { closestNames } from './did-you-mean';
import { UnknownIndexError, WavelengthCollisionError, WavelengthMatchError } from './formula-errors';
import { compileFormulas, type CompiledFormulaSet, type FormulaSpec } from './formula-set';
import type { WavelengthMatchOptions } from './wavelength-bands';
import { findWavelengthIndex, wavelengthIndexNames } from './wavelength-indices';

/** The band a role or wavelength name was given. `index` is 0-based in the file. */
export interface BandPick {
  index: number;
  wavelengthNm: number;
  name?: string;
}

/** Why an index cannot be computed on a sensor. */
export type MissingInput =
  /** No band inside the role's catalog range; `nearest` is the band closest to the range. */
  | { kind: 'band'; role: string; minNm: number; maxNm: number; nearest?: BandPick }
  /** A wavelength name with no band within tolerance. */
  | { kind: 'wavelength'; role: string; wantedNm: number; toleranceNm: number; nearest?: BandPick }
  /** Two wavelength names of the index land on the same band (a line height would be zero). */
  | { kind: 'collision'; roles: [string, string]; band: BandPick }
  /** An input that is not an optical band (radar backscatter `VV`, kernel terms `kNN`). */
  | { kind: 'not-optical'; role: string }
  /** A constant without a catalog default (`PAR`) and without a value from the caller. */
  | { kind: 'constant'; constant: string };

interface AvailabilityBase {
  shortName: string;
  longName: string;
  formula: string;
  /** `catalog` (Awesome Spectral Indices) or `wavelength` (the built-in line heights). */
  source: 'catalog' | 'wavelength';
}

export interface ComputableIndex extends AvailabilityBase {
  computable: true;
  /** Role (catalog key, or wavelength name such as `R709`) → the band it uses. */
  bands: Record<string, BandPick>;
  /** Constants with the values that would be compiled in. */
  constants: Record<string, number>;
}

export interface UncomputableIndex extends AvailabilityBase {
  computable: false;
  /** One line for people, e.g. `needs RE1 (695–715 nm); nearest is band 4 at 835 nm`. */
  reason: string;
  missing: MissingInput;
}

export type IndexAvailability = ComputableIndex | UncomputableIndex;

export interface CatalogSensorOptions {
  /** Constant values over the catalog defaults (`{ L: 0.5 }`); also supplies those without one (`PAR`). */
  constants?: Record<string, number>;
  /** Preferred centre wavelength per catalog role, nm. @default the centre of the role's catalog range */
  targetsNm?: Record<string, number>;
  /** Tolerance of wavelength names (wavelength-bands.ts). */
  wavelengthMatch?: WavelengthMatchOptions;
}

const STANDARD = catalogBands as Record<string, unknown>;
const RADAR = new Set(['VV', 'VH', 'HH', 'HV']);

function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function pick(b: SensorBand): BandPick {
  return b.name ? { index: b.index, wavelengthNm: b.wavelengthNm, name: b.name } : { index: b.index, wavelengthNm: b.wavelengthNm };
}

function nm(x: number): string {
  return `${Number(x.toFixed(1))}`;
}

function describe(b: BandPick): string {
  return `band ${b.index + 1}${b.name ? ` (${b.name})` : ''} at ${nm(b.wavelengthNm)} nm`;
}

/** The band closest to a wavelength range (0 inside it); ties go to the band listed first. */
function nearestToRange(sensor: Sensor, minNm: number, maxNm: number): SensorBand | undefined {
  let best: SensorBand | undefined;
  let bestDist = Infinity;
  for (const b of sensor.bands) {
    const w = b.wavelengthNm;
    const d = w < minNm ? minNm - w : w > maxNm ? w - maxNm : 0;
    if (d < bestDist) {
      best = b;
      bestDist = d;
    }
  }
  return best;
}

function missingReason(m: MissingInput): string {
  switch (m.kind) {
    case 'band':
      return `needs ${m.role} (${nm(m.minNm)}–${nm(m.maxNm)} nm); ${m.nearest ? `nearest is ${describe(m.nearest)}` : 'the sensor has no band with a known wavelength'}`;
    case 'wavelength':
      return `needs ${m.role}: no band within ${nm(m.toleranceNm)} nm of ${nm(m.wantedNm)} nm${m.nearest ? ` (nearest: ${describe(m.nearest)})` : ''}`;
    case 'collision':
      return `${m.roles[0]} and ${m.roles[1]} both resolve to ${describe(m.band)}`;
    case 'not-optical':
      return `needs ${m.role}, ${RADAR.has(m.role) ? 'a radar backscatter' : 'a kernel'} term, which is not an optical band`;
    case 'constant':
      return `constant ${m.constant} has no catalog default; pass a value for it`;
  }
}

function catalogAvailability(shortName: string, sensor: Sensor, opts: CatalogSensorOptions): IndexAvailability {
  const index = catalogIndex(shortName);
  const base: AvailabilityBase = { shortName: index.shortName, longName: index.longName, formula: index.formula, source: 'catalog' };
  const fail = (missing: MissingInput): UncomputableIndex => ({ ...base, computable: false, reason: missingReason(missing), missing });
  const bands: Record<string, BandPick> = {};
  const pickRole = (role: string): BandPick | MissingInput => {
    const done = own(bands, role);
    if (done) return done;
    if (!own(STANDARD, role)) return { kind: 'not-optical', role };
    const r = standardRole(role, own(opts.targetsNm, role));
    try {
      return (bands[role] = pick(matchBand(sensor, r, index.shortName)));
    } catch (e) {
      if (!(e instanceof BandMatchError)) throw e;
      const nearest = nearestToRange(sensor, r.minNm, r.maxNm);
      return { kind: 'band', role, minNm: r.minNm, maxNm: r.maxNm, ...(nearest ? { nearest: pick(nearest) } : {}) };
    }
  };
  for (const role of index.bands) {
    const got = pickRole(role);
    if ('kind' in got) return fail(got);
  }
  const constants: Record<string, number> = {};
  for (const c of index.constants) {
    let value = own(opts.constants, c) ?? catalogConstant(c);
    // lambdaN is "NIR central wavelength (nm)": the centre of the band that plays N here.
    const role = /^lambda(.+)$/.exec(c)?.[1];
    if (value === undefined && role && own(STANDARD, role)) {
      const got = pickRole(role);
      if ('kind' in got) return fail(got);
      value = got.wavelengthNm;
    }
    if (value === undefined) return fail({ kind: 'constant', constant: c });
    constants[c] = value;
  }
  return { ...base, computable: true, bands, constants };
}

function wavelengthAvailability(shortName: string, sensor: Sensor, opts: CatalogSensorOptions): IndexAvailability {
  const index = findWavelengthIndex(shortName)!;
  const base: AvailabilityBase = { shortName: index.shortName, longName: index.longName, formula: index.formula, source: 'wavelength' };
  try {
    const set = compileFormulas([{ name: index.shortName, formula: index.formula }], { bands: [], sensor, wavelengthMatch: opts.wavelengthMatch });
    const f = set.formulas[0];
    const bands = Object.fromEntries(f.bands.map((b) => [b, pick(f.wavelengthBands[b])]));
    return { ...base, computable: true, bands, constants: { ...f.constants } };
  } catch (e) {
    let missing: MissingInput;
    if (e instanceof WavelengthMatchError) {
      missing = { kind: 'wavelength', role: `R${e.wantedNm}`, wantedNm: e.wantedNm, toleranceNm: e.toleranceNm, ...(e.nearest ? { nearest: pick(e.nearest) } : {}) };
    } else if (e instanceof WavelengthCollisionError) {
      missing = { kind: 'collision', roles: e.names, band: pick(e.band) };
    } else {
      throw e;
    }
    return { ...base, computable: false, reason: missingReason(missing), missing };
  }
}

/** Every known index name: the catalog's, then the built-in wavelength indices'. */
export function indexNames(): string[] {
  return [...catalogIndexNames(), ...wavelengthIndexNames()];
}

/**
 * The canonical short name for `name`, looked up case-insensitively among catalog and wavelength indices.
 * @throws UnknownIndexError with "did you mean" suggestions (edit distance over all names).
 */
export function resolveIndexName(name: string): { shortName: string; source: 'catalog' | 'wavelength' } {
  const w = findWavelengthIndex(name);
  if (w) return { shortName: w.shortName, source: 'wavelength' };
  try {
    return { shortName: catalogIndex(name).shortName, source: 'catalog' };
  } catch (e) {
    if (e instanceof UnknownIndexError) throw new UnknownIndexError(name, closestNames(name, indexNames()));
    throw e; // ambiguous case-insensitive catalog names are not possible in the vendored catalog, but stay loud
  }
}

/**
 * Whether one index (by name, case-insensitive) can be computed on `sensor`, and with which bands.
 * A pure function of its arguments. @throws UnknownIndexError for an unknown name.
 */
export function indexAvailability(name: string, sensor: Sensor, opts: CatalogSensorOptions = {}): IndexAvailability {
  const { shortName, source } = resolveIndexName(name);
  return source === 'catalog' ? catalogAvailability(shortName, sensor, opts) : wavelengthAvailability(shortName, sensor, opts);
}

/**
 * For every catalog index and every built-in wavelength index: computable on `sensor` or not; the bands it
 * would use (role → band index + wavelength) and its constants; or the reason (the missing role with its catalog
 * range and the nearest band, a non-optical input, a constant without a default). A pure function.
 */
export function computableIndices(sensor: Sensor, opts: CatalogSensorOptions = {}): IndexAvailability[] {
  return indexNames().map((n) => indexAvailability(n, sensor, opts));
}

/** Named indices compiled for one sensor into one fused pass. */
export interface SensorIndexSet {
  /** The compiled formulas, in the order asked for; outputs go by position or short name. */
  set: CompiledFormulaSet;
  /** What each index uses. */
  indices: ComputableIndex[];
  /** Every input of `set` (role or wavelength name) → the band it reads. */
  inputs: Record<string, BandPick>;
  /** Builds the views `set.run` needs from a band → view function (e.g. `b => interleavedBand(tile, b.index, spp)`). */
  views(viewOf: (band: BandPick) => BandView): Record<string, BandView>;
}

/**
 * Compiles named indices (catalog or wavelength, case-insensitive) for a sensor into one fused pass.
 * @throws UnknownIndexError for an unknown name; BandMatchError or ExpressionError naming the first index that
 *   cannot be computed, with the reason from {@link indexAvailability}.
 */
export function compileIndicesForSensor(names: string[], sensor: Sensor, opts: CatalogSensorOptions = {}): SensorIndexSet {
  const indices: ComputableIndex[] = [];
  for (const n of names) {
    const a = indexAvailability(n, sensor, opts);
    if (!a.computable) {
      if (a.missing.kind === 'constant') throw new ExpressionError(a.shortName, a.reason);
      throw new BandMatchError(a.shortName, `${a.reason} (sensor ${sensor.name})`);
    }
    indices.push(a);
  }
  const inputs: Record<string, BandPick> = {};
  for (const a of indices) {
    for (const [role, b] of Object.entries(a.bands)) {
      // Roles are matched with the same rule for every index, so a role always lands on the same band.
      inputs[role] = b;
    }
  }
  const specs: FormulaSpec[] = indices.map((a) => ({ name: a.shortName, formula: a.formula, constants: a.source === 'catalog' ? a.constants : undefined }));
  const catalogRoles = Object.keys(inputs).filter((r) => own(STANDARD, r));
  const set = compileFormulas(specs, { bands: catalogRoles, sensor, wavelengthMatch: opts.wavelengthMatch });
  return {
    set,
    indices,
    inputs,
    views: (viewOf) => Object.fromEntries(set.bands.map((b) => [b, viewOf(inputs[b])])),
  };
}
