/**
 * From the products a run asks for to the definitions it computes, in two steps:
 *
 * - {@link collectProducts}, without a sensor: every name found (built-ins first, then this run's custom
 *   products, then the catalog and the wavelength indices, all case-insensitively), every custom formula parsed and
 *   its identifiers classified (band key, wavelength name, constant, product), masks and `where` checked, name
 *   clashes refused, the dependencies closed over. The CLI runs it before anything starts.
 * - {@link bindProducts}, on a scene's sensor: every band input matched, every constant valued (the catalog's
 *   `lambdaN` from the band matched for N, `W709` from the band matched for 709 nm), every formula compiled once
 *   as the tile job will compile it, so a missing band, a wavelength outside the sensor or a division that the
 *   constants make constant fails at plan time with the message the CLI shows.
 *
 * The built-in registry (workflows/products.ts) is passed in: raster/ imports nothing of the other layers.
 */
import { matchBand, standardRole, type Sensor } from '../../bands';
import { BandMatchError, ExpressionError } from '../../errors';
import { indexAvailability, indexNames, resolveIndexName } from '../../indices/catalog-sensor';
import { closestNames } from '../../indices/did-you-mean';
import { UnknownIndexError } from '../../indices/formula-errors';
import { compileFormulas } from '../../indices/formula-set';
import { HAB_ROLES } from '../../indices/hab';
import { parseWavelengthName } from '../../indices/wavelength-bands';
import { customProduct, isBandKey, isFormulaConstant } from './custom';
import type { HabRoleName, ProductDefinition, ProductKernel } from './definition';
import { calibratedFormula, onSide, sideNumber, splitComparison, type FormulaSide } from './formula-text';
import { catalogProduct, wavelengthProduct } from './named';
import { parseProductEntry, ProductRequestError, UnknownProductError, type ProductRequest } from './request';

export { UnknownProductError } from './request';

export type ProductRegistry = Readonly<Record<string, ProductDefinition>>;

/** A band input matched on a sensor (`ScenePlan.bands` entries). `index` is 0-based. */
export interface BandChoice {
  role: string;
  index: number;
  wavelengthNm: number;
}

/** The products of a run before a sensor is known. */
export interface RunProducts {
  /** Asked products by canonical name, in the order asked, each once. */
  asked: string[];
  /** Every definition the asked products need, dependencies before the products that read them. */
  definitions: Record<string, ProductDefinition>;
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Collects the products of a run from its `products` entries (names and custom requests).
 * @throws UnknownProductError; ProductRequestError for a bad or clashing name, an unknown identifier, a `where`
 *   that is not a mask, a calibrated mask, a reference cycle; FormulaSyntaxError / ConstantDivisionError with a
 *   caret under the offending character.
 */
export function collectProducts(entries: readonly string[], registry: ProductRegistry): RunProducts {
  const names: string[] = [];
  const customs = new Map<string, ProductRequest>();
  for (const e of entries) {
    const parsed = parseProductEntry(e);
    if ('name' in parsed) {
      if (parsed.name !== '') names.push(parsed.name);
      continue;
    }
    const req = parsed.request;
    const lower = req.name.toLowerCase();
    const builtin = Object.keys(registry).find((b) => b.toLowerCase() === lower);
    if (builtin) throw new ProductRequestError(req.name, `clashes with the built-in product ${builtin} (product names are case-insensitive); choose another name`);
    if (customs.has(lower)) throw new ProductRequestError(req.name, `defined twice in this run`);
    if (isBandKey(req.name) || isFormulaConstant(req.name) || parseWavelengthName(req.name)) {
      throw new ProductRequestError(req.name, `"${req.name}" is a band key, wavelength name or constant of the formula language; choose another name`);
    }
    customs.set(lower, req);
    names.push(req.name);
  }

  const definitions: Record<string, ProductDefinition> = {};
  const visiting: string[] = [];
  const lookup = (name: string): string => {
    const lower = name.toLowerCase();
    const builtin = Object.keys(registry).find((b) => b.toLowerCase() === lower);
    if (builtin) return builtin;
    const custom = customs.get(lower);
    if (custom) return custom.name;
    try {
      return resolveIndexName(name).shortName;
    } catch (err) {
      if (!(err instanceof UnknownIndexError)) throw err;
      // A catalog name that only differs in case from a built-in (NDVI) is the built-in: suggest it once.
      const known = [...Object.keys(registry), ...[...customs.values()].map((c) => c.name), ...indexNames()];
      const unique = known.filter((k, i) => known.findIndex((o) => o.toLowerCase() === k.toLowerCase()) === i);
      throw new UnknownProductError(name, closestNames(name, unique));
    }
  };
  const define = (name: string): string => {
    const canonical = lookup(name);
    if (definitions[canonical]) return canonical;
    if (visiting.includes(canonical)) {
      throw new ProductRequestError(canonical, `refers to itself (${[...visiting.slice(visiting.indexOf(canonical)), canonical].join(' → ')})`);
    }
    visiting.push(canonical);
    const custom = customs.get(canonical.toLowerCase());
    let def: ProductDefinition;
    if (registry[canonical]) def = registry[canonical];
    else if (custom) def = customProduct(custom, (id) => define(id), (id) => definitions[id]);
    else def = resolveIndexName(canonical).source === 'catalog' ? catalogProduct(canonical) : wavelengthProduct(canonical);
    for (const d of def.dependsOn) define(d);
    visiting.pop();
    definitions[canonical] = def;
    return canonical;
  };
  const asked: string[] = [];
  for (const n of names) {
    const c = define(n);
    if (!asked.includes(c)) asked.push(c);
  }
  return { asked, definitions };
}

/**
 * `--const K=V` for a run: the `<product>.K` parameters of every product that has a constant K.
 * @throws ProductRequestError when no product of the run uses K.
 */
export function constantParams(run: RunProducts, constants: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(constants)) {
    const users = Object.values(run.definitions).filter((d) => own(d.params, k));
    if (users.length === 0) {
      const all = [...new Set(Object.values(run.definitions).flatMap((d) => Object.keys(d.params)))];
      throw new ProductRequestError(`--const ${k}`, `no product of this run has a constant ${k} (${all.length ? `constants: ${all.join(', ')}` : 'they have none'})`);
    }
    for (const d of users) out[`${d.name}.${k}`] = v;
  }
  return out;
}

/** The products of a run bound to a sensor. */
export interface BoundProducts {
  /** The definitions of the run, formula constants valued. */
  definitions: Record<string, ProductDefinition>;
  /** Every band input of every definition → the band it reads. */
  bands: Record<string, BandChoice>;
}

/**
 * Binds a run's products to a sensor.
 * @param params effective parameters per product (defaults overridden by the run), numbers only.
 * @throws BandMatchError naming the product, the missing band (catalog key and range, or wavelength) and the
 *   nearest band; WavelengthMatchError / WavelengthCollisionError; ExpressionError for a constant without a
 *   value; ConstantDivisionError for a division the sensor's wavelengths make constant.
 */
export function bindProducts(run: RunProducts, sensor: Sensor, params: Readonly<Record<string, Readonly<Record<string, number>>>>): BoundProducts {
  const bands: Record<string, BandChoice> = {};
  const put = (role: string, b: { index: number; wavelengthNm: number }) => {
    bands[role] ??= { role, index: b.index, wavelengthNm: b.wavelengthNm };
  };
  // A built-in role missing on the sensor is reported for the asked product that needs it (`ndci: needs RE1 …`).
  const owner = (product: string): string => run.asked.find((a) => chainOf(run, a).includes(product)) ?? product;
  const definitions: Record<string, ProductDefinition> = {};
  for (const def of Object.values(run.definitions)) {
    const values = params[def.name] ?? {};
    if (def.kernel.kind === 'hab' || def.kernel.kind === 'rgb') {
      for (const role of def.roles) if (!bands[role]) put(role, matchBand(sensor, HAB_ROLES[role as HabRoleName], owner(def.name)));
      definitions[def.name] = def;
    } else if (def.source === 'catalog' || def.source === 'wavelength') {
      const a = indexAvailability(def.name, sensor, { constants: { ...values } });
      if (!a.computable) {
        if (a.missing.kind === 'constant') throw new ExpressionError(a.shortName, `${a.reason} (--const ${a.missing.constant}=VALUE)`);
        throw new BandMatchError(a.shortName, `${a.reason} (sensor ${sensor.name})`);
      }
      for (const [role, b] of Object.entries(a.bands)) put(role, b);
      definitions[def.name] = { ...def, kernel: { kind: 'formula', formula: (def.kernel as { formula: string }).formula, constants: a.constants } };
    } else {
      definitions[def.name] = bindCustom(def, sensor, values, put);
    }
  }
  return { definitions, bands };
}

function chainOf(run: RunProducts, name: string, into: string[] = []): string[] {
  if (into.includes(name)) return into;
  into.push(name);
  for (const d of run.definitions[name]?.dependsOn ?? []) chainOf(run, d, into);
  return into;
}

function bindCustom(def: ProductDefinition, sensor: Sensor, values: Readonly<Record<string, number>>, put: (role: string, b: { index: number; wavelengthNm: number }) => void): ProductDefinition {
  const kernel = def.kernel as Extract<ProductKernel, { kind: 'formula' | 'mask' }>;
  for (const role of def.roles) if (isBandKey(role)) put(role, matchBand(sensor, standardRole(role), def.name));
  const constants: Record<string, number> = {};
  for (const [k, dflt] of Object.entries(def.params)) {
    const v = own(values, k) ? values[k] : dflt;
    if (v !== null && v !== undefined) {
      constants[k] = v;
      continue;
    }
    // lambdaN: "NIR central wavelength (nm)", the centre of the band that plays N.
    const role = /^lambda(.+)$/.exec(k)?.[1];
    if (role && isBandKey(role)) {
      constants[k] = matchBand(sensor, standardRole(role), def.name).wavelengthNm;
      continue;
    }
    throw new ExpressionError(def.name, `constant ${k} has no default; pass a value for it (--const ${k}=VALUE)`);
  }
  const refIds = Object.keys(def.refs ?? {});
  const catalogRoles = def.roles.filter(isBandKey);
  const used: Record<string, number> = {};
  const compileSide = (side: FormulaSide) => {
    const [f] = onSide(def.name, kernel.formula, side, (text) =>
      compileFormulas([{ name: def.name, formula: text }], { bands: [...catalogRoles, ...refIds], constants, sensor }).formulas,
    );
    for (const [id, b] of Object.entries(f.wavelengthBands)) if (parseWavelengthName(id)?.kind === 'R') put(id, b);
    Object.assign(used, f.constants);
  };
  if (kernel.kind === 'formula') {
    compileSide({ text: kernel.formula, offset: 0 });
  } else {
    const shape = splitComparison(def.name, kernel.formula);
    if (shape.kind !== 'mask') throw new ProductRequestError(def.name, 'mask formula lost its comparison');
    compileSide(shape.left);
    if (sideNumber(shape.right) === undefined) compileSide(shape.right);
  }
  return { ...def, kernel: { ...kernel, constants: used } };
}

/** The formula a product's tile job evaluates: its own, calibrated when it has a calibration. */
export function evaluatedFormula(def: ProductDefinition): string | undefined {
  if (def.kernel.kind !== 'formula') return undefined;
  return def.calibration ? calibratedFormula(def.kernel.formula, def.calibration.coefficients) : def.kernel.formula;
}
