/**
 * Definitions of the products a run names rather than defines: the spectral-index catalog (Awesome Spectral
 * Indices) and the built-in wavelength indices (MCI, FLH, CI_cyano). Built from their formulas on demand, so
 * every catalog index is a product without a registry entry.
 */
import { catalogConstant, catalogIndex } from '../../indices/catalog';
import indicesJson from '../../indices/catalog/spectral-indices-dict.json';
import { formulaNames, parseFormula } from '../../indices/expression-parser';
import { parseWavelengthName } from '../../indices/wavelength-bands';
import { findWavelengthIndex } from '../../indices/wavelength-indices';
import { DEFAULT_HISTOGRAM_RANGE, type ProductDefinition } from './definition';

const REFERENCES = Object.fromEntries(
  Object.entries((indicesJson as { SpectralIndices: Record<string, { reference?: string }> }).SpectralIndices).map(([k, v]) => [k, v.reference ?? '']),
);

/** Version of catalog and wavelength definitions; bump when their pixels change for the same bands. */
const NAMED_VERSION = 1;

function base(name: string): Omit<ProductDefinition, 'description' | 'source' | 'roles' | 'kernel' | 'params'> {
  return {
    name,
    dependsOn: [],
    version: NAMED_VERSION,
    output: 'cog',
    dtype: 'float32',
    nodata: 'nan',
    overviewResampling: 'average',
    statistics: { histogramRange: [...DEFAULT_HISTOGRAM_RANGE] },
  };
}

/**
 * A catalog index as a product: its formula over the catalog's band keys, its constants as parameters with the
 * catalog's defaults (`null` where the catalog has none: `PAR` must be given, `lambdaN` comes from the band
 * matched for N).
 */
export function catalogProduct(shortName: string): ProductDefinition {
  const index = catalogIndex(shortName);
  const reference = REFERENCES[index.shortName];
  return {
    ...base(index.shortName),
    description: index.longName,
    source: 'catalog',
    roles: [...index.bands],
    kernel: { kind: 'formula', formula: index.formula },
    params: Object.fromEntries(index.constants.map((c) => [c, catalogConstant(c) ?? null])),
    reference: `Awesome Spectral Indices${reference ? `; ${reference}` : ''}`,
  };
}

/** A built-in wavelength index (wavelength-indices.json) as a product: inputs are the `R<nm>` names it reads. */
export function wavelengthProduct(shortName: string): ProductDefinition {
  const index = findWavelengthIndex(shortName);
  if (!index) throw new Error(`${shortName} is not a wavelength index`);
  const roles = formulaNames(parseFormula(index.shortName, index.formula)).filter((n) => parseWavelengthName(n)?.kind === 'R');
  return {
    ...base(index.shortName),
    description: `${index.longName}: ${index.definition}`,
    source: 'wavelength',
    roles,
    kernel: { kind: 'formula', formula: index.formula },
    params: {},
    reference: index.reference,
  };
}
