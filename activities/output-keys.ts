/**
 * The one place object keys of a run are built. Every key is derived from the output root, the scene id and the
 * parameter hash, so a retried or repeated run overwrites the same objects instead of adding new ones.
 *
 *   <out>/scenes/<sceneId>/cog/<product>.tif       (and <product>.<epsg>.tif: reprojected copies)
 *   <out>/scenes/<sceneId>/vectors/<mask>.{parquet,geojson}
 *   <out>/scenes/<sceneId>/index.html        quick-look page
 *   <out>/scenes/<sceneId>/preview/{rgb,ndci}.png
 *   <out>/scenes/<sceneId>/item.json          STAC item of the outputs
 *   <out>/scenes/<sceneId>/manifest.json      written last: its presence means the scene is complete
 *   <out>/tables/tile_stats/scene=<id>/product=<p>/part-0.parquet   hive-partitioned across scenes
 *   <out>/_work/<sceneId>-<hash>/...          intermediates, deleted when the run completes
 */
import { joinUri } from '../platform/storage/uri';

export const sceneRootUri = (out: string, sceneId: string) => joinUri(out, 'scenes', sceneId);
export const cogUri = (out: string, sceneId: string, product: string) => joinUri(sceneRootUri(out, sceneId), 'cog', `${product}.tif`);
export const previewUri = (out: string, sceneId: string, name: string) => joinUri(sceneRootUri(out, sceneId), 'preview', `${name}.png`);
export const stacItemUri = (out: string, sceneId: string) => joinUri(sceneRootUri(out, sceneId), 'item.json');
export const manifestUri = (out: string, sceneId: string) => joinUri(sceneRootUri(out, sceneId), 'manifest.json');
export const tileStatsTableRoot = (out: string) => joinUri(out, 'tables', 'tile_stats');
export const workRootUri = (out: string, sceneId: string, hash: string) => joinUri(out, '_work', `${sceneId}-${hash}`);
export const tilePartUri = (workUri: string, product: string, col: number, row: number) =>
  joinUri(workUri, 'tiles', product, `${col}_${row}.part`);
/** `<out>/scenes/<id>/vectors/<mask>.{parquet,geojson}`: polygons of a mask (GeoParquet in the scene CRS, GeoJSON in WGS 84). */
export const vectorUri = (out: string, sceneId: string, name: string, format: 'geoparquet' | 'geojson') =>
  joinUri(sceneRootUri(out, sceneId), 'vectors', `${name}.${format === 'geoparquet' ? 'parquet' : 'geojson'}`);
/** `<out>/scenes/<id>/cog/<variant>.<epsg>.tif`: a product's COG reprojected to EPSG:<epsg>. */
export const reprojectedCogUri = (out: string, sceneId: string, variant: string, epsg: number) =>
  joinUri(sceneRootUri(out, sceneId), 'cog', `${variant}.${epsg}.tif`);
/** `<out>/scenes/<id>/index.html`: the static quick-look page. */
export const quicklookUri = (out: string, sceneId: string) => joinUri(sceneRootUri(out, sceneId), 'index.html');
