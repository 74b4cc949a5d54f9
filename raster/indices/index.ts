/** Public surface of the index kernels, the formula compiler and the catalog. */
export * from './band-view';
export * from './catalog';
export * from './expression';
export { parseFormula, formulaNames, type FormulaNode, type BinaryOp } from './expression-parser';
export * from './hab';
export * from './hab-fused';
export * from './ndci';
export * from './ndvi';
export * from './ndwi';
export * from './water-mask';
