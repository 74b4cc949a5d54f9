/** Public surface of the index kernels, the formula compiler and the catalog. */
export * from './band-view';
export * from './catalog';
export * from './catalog-sensor';
export * from './expression';
export { parseFormula, formulaNames, type FormulaNode, type BinaryOp } from './expression-parser';
export * from './formula-errors';
export { compileFormulas, clearFormulaCache, type CompiledFormulaSet, type FormulaSpec, type FormulaSetOptions } from './formula-set';
export type { ResolvedFormula } from './formula-resolve';
export * from './hab';
export * from './hab-fused';
export * from './ndci';
export * from './ndvi';
export * from './ndwi';
export * from './water-mask';
export * from './wavelength-bands';
export * from './wavelength-indices';
