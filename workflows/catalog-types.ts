/**
 * The catalog contract (SceneFilters, SceneRef, SourceKind) as the workflows and the CLI see it. It is defined
 * beside the listing code, in platform/catalog/scene-types.ts; workflows take it as types only.
 */
export type { Bbox, SceneFilters, SceneRef, SourceKind } from '../platform/catalog/scene-types';
