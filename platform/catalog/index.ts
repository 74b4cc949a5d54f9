/** Public surface of catalog listing. */
export * from './errors';
export { parseBbox, parseCollections, parseCql2Json, parseDatetime, parseLimit, compileFilters, matchesFilters, datetimeRangeMs } from './filters';
export { compileCql2, SUPPORTED_CQL2_OPERATORS, type ItemPredicate } from './cql2';
export { pickAsset } from './assets';
export { resolveHref } from './href';
export { listScenes, detectSource, DEFAULT_CONCURRENCY, type ListScenesOptions } from './list-scenes';
export { DEFAULT_PAGE_SIZE } from './api-search';
export type { StacItem, StacCatalog, StacLink, StacAsset } from './stac';
