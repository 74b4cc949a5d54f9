/**
 * A custom product's definition from its request: the formula's identifiers classified (catalog band key,
 * wavelength name, constant, product it reads), a comparison made a mask, `where` checked to be a mask, the
 * formula compiled once without a sensor (syntax, a division that is constant whatever the bands hold), the
 * storage, statistics and preview the request asks for.
 */
import catalogBands from '../../indices/catalog/bands.json';
import catalogConstants from '../../indices/catalog/constants.json';
import { formulaNames, type FormulaNode } from '../../indices/expression-parser';
import { compileFormulas } from '../../indices/formula-set';
import { parseWavelengthName } from '../../indices/wavelength-bands';
import { DEFAULT_HISTOGRAM_RANGE, INT16_NODATA, isMask, MASK_NODATA, type ProductDefinition, type ProductKernel } from './definition';
import { onSide, parseSide, polynomialRange, sideNumber, splitComparison, type FormulaSide } from './formula-text';
import { ProductRequestError, UnknownProductError, type ProductRequest } from './request';

const STANDARD = catalogBands as Record<string, unknown>;
const CONSTANTS = catalogConstants as Record<string, unknown>;
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** A standard band key of the catalog (`N`, `RE1`): a per-pixel input of a formula. */
export function isBandKey(id: string): boolean {
  return own(STANDARD, id);
}

/** A constant of the catalog (`L`, `g`, `PAR`, `lambdaN`). */
export function isFormulaConstant(id: string): boolean {
  return own(CONSTANTS, id);
}

/**
 * A custom product's definition. `define` resolves (and defines) a product a formula names; `defined` returns a
 * definition already made, to check masks.
 */
export function customProduct(req: ProductRequest, define: (name: string) => string, defined: (name: string) => ProductDefinition | undefined): ProductDefinition {
  const { name, formula } = req;
  const shape = splitComparison(name, formula);
  const sides: FormulaSide[] = shape.kind === 'formula' ? [shape.value] : [shape.left, shape.right];
  const roles: string[] = [];
  const refs: Record<string, string> = {};
  const params: Record<string, number | null> = {};
  for (const side of sides) {
    if (shape.kind === 'mask' && side === shape.right && sideNumber(side) !== undefined) continue;
    const ast = parseSide(name, formula, side);
    for (const id of formulaNames(ast)) {
      const wl = parseWavelengthName(id);
      if (isBandKey(id) || wl?.kind === 'R') {
        if (!roles.includes(id)) roles.push(id);
      } else if (wl?.kind === 'W') {
        // A band centre: valued on the sensor.
      } else if (req.constants && own(req.constants, id)) {
        params[id] = req.constants[id];
      } else if (own(CONSTANTS, id)) {
        const v = (CONSTANTS[id] as { default?: unknown }).default;
        params[id] = typeof v === 'number' ? v : null;
      } else {
        let target: string;
        try {
          target = define(id);
        } catch (err) {
          if (!(err instanceof UnknownProductError)) throw err;
          const pos = firstPos(ast, id) + side.offset;
          const hint = err.suggestions.length ? `; did you mean ${err.suggestions.join(' or ')}?` : '';
          throw new ProductRequestError(name, `unknown identifier '${id}' at column ${pos + 1} of "${formula}" (not a band key, wavelength name, constant or product${hint})`);
        }
        if (target === name) throw new ProductRequestError(name, `refers to itself (${name} → ${name})`);
        refs[id] = target;
      }
    }
  }
  for (const k of Object.keys(req.constants ?? {})) {
    if (!own(params, k)) throw new ProductRequestError(name, `constant ${k} is not used by its formula "${formula}"`);
  }

  // The formula as the tile job will compile it, without a sensor: catches a division that is constant whatever
  // the bands hold. A division only the sensor's wavelengths make constant is caught when the product is bound.
  const known = Object.fromEntries(Object.entries(params).filter((e): e is [string, number] => e[1] !== null));
  for (const side of sides) {
    if (shape.kind === 'mask' && side === shape.right && sideNumber(side) !== undefined) continue;
    const ids = formulaNames(parseSide(name, formula, side)).filter((id) => !own(known, id));
    onSide(name, formula, side, (text) => compileFormulas([{ name, formula: text }], { bands: ids, constants: known }));
  }

  let where: string | undefined;
  if (req.where !== undefined) {
    where = define(req.where);
    const mask = defined(where);
    if (mask && !isMask(mask)) {
      throw new ProductRequestError(name, `--where ${req.where}: ${where} is not a mask (it holds ${mask.dtype} values); a mask is water or a comparison such as 'bloom=NDCI > 0.3'`);
    }
  }
  const mask = shape.kind === 'mask';
  if (mask && req.calibration) throw new ProductRequestError(name, 'a mask (a comparison) cannot be calibrated');
  if (mask && req.dtype === 'int16') throw new ProductRequestError(name, 'a mask is written as uint8');

  const kernel: ProductKernel =
    shape.kind === 'mask' ? { kind: 'mask', formula, left: shape.left.text.trim(), op: shape.op, right: shape.right.text.trim() } : { kind: 'formula', formula };
  const calibration = req.calibration ? { kind: 'polynomial' as const, ...req.calibration } : undefined;
  const histogramRange: [number, number] = req.statistics?.range
    ? [...req.statistics.range]
    : calibration
      ? polynomialRange(calibration.coefficients, DEFAULT_HISTOGRAM_RANGE[0], DEFAULT_HISTOGRAM_RANGE[1])
      : [...DEFAULT_HISTOGRAM_RANGE];
  const int16 = req.dtype === 'int16';
  const def: ProductDefinition = {
    name,
    description: req.description ?? `${formula}${where ? ` where ${where} is 1` : ''}${calibration ? `, calibrated: ${calibration.coefficients.map((c, k) => (k === 0 ? `${c}` : `${c}·x${k > 1 ? `^${k}` : ''}`)).join(' + ')}` : ''}`,
    source: 'custom',
    roles,
    dependsOn: [...new Set([...Object.values(refs), ...(where ? [where] : [])])],
    kernel,
    params,
    version: 1,
    output: 'cog',
    dtype: mask ? 'uint8' : int16 ? 'int16' : 'float32',
    nodata: mask ? MASK_NODATA : int16 ? INT16_NODATA : 'nan',
    overviewResampling: mask ? 'nearest' : 'average',
    statistics: { histogramRange },
  };
  if (Object.keys(refs).length > 0) def.refs = refs;
  if (where) def.where = where;
  if (calibration) def.calibration = calibration;
  if (int16 && req.scale) def.scale = { factor: req.scale.factor, offset: req.scale.offset };
  if (req.preview) def.preview = { kind: 'colormap', colormap: req.preview.colormap, range: [...req.preview.range] };
  return def;
}

function firstPos(node: FormulaNode, id: string): number {
  if (node.kind === 'name') return node.name === id ? node.pos : -1;
  if (node.kind === 'unary') return firstPos(node.arg, id);
  if (node.kind === 'binary') {
    const l = firstPos(node.left, id);
    return l >= 0 ? l : firstPos(node.right, id);
  }
  return -1;
}

