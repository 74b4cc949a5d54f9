/**
 * The scene's quick-look page (`<out>/scenes/<id>/index.html`, raster/quicklook/page.ts): its previews with the
 * polygons of every vectorised mask drawn over them, the summary numbers and links to the files. Every href is
 * relative to the page, so the folder works the same from a file system, a bucket or a copy of either.
 */
import { quicklookPage, type QuicklookLayer, type QuicklookPreview } from '../raster/quicklook/page';
import type { PolygonFeatureCollection } from '../raster/quicklook/overlay';
import { sha256Hex } from '../raster/stac/manifest';
import { productDefinition } from '../workflows/products';
import type { OutputFile, ProductName, ScenePlan, SceneSummary } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { manifestUri, quicklookUri, stacItemUri } from './output-keys';
import { previewRange } from './render-previews';
import { sceneAsset, vectorOf } from './scene-assets';

export interface QuicklookContext {
  plan: ScenePlan;
  /** Every output of the scene but the item and the manifest, this run's and the skipped partitions'. */
  files: OutputFile[];
  summary: SceneSummary;
  /** Polygons per mask name over the asked partitions. */
  polygons: Record<string, number>;
  /** The product of a partition variant (`ndci@1a2b` → `ndci`). */
  productOf: (variant: string) => ProductName | undefined;
}

/**
 * Writes the page when the scene has something to show (a preview or polygons) and returns its output; with
 * neither, writes nothing and returns undefined. The GeoJSON polygon files are read back from the store: a
 * skipped partition's are drawn as well as this run's.
 */
export async function writeQuicklook(deps: ActivityDeps, ctx: QuicklookContext): Promise<OutputFile | undefined> {
  const { plan, files } = ctx;
  const vectors = files.filter((o) => o.role === 'vector');
  const previewFiles = files.filter((o) => o.role === 'preview').sort((a, b) => previewOrder(a) - previewOrder(b) || (a.uri < b.uri ? -1 : 1));
  if (previewFiles.length === 0 && vectors.length === 0) return undefined;

  const uri = quicklookUri(plan.outUri, plan.sceneId);
  const geojson = vectors.filter((o) => vectorOf(o).format === 'geojson').sort((a, b) => layerOrder(vectorOf(a).name) - layerOrder(vectorOf(b).name) || (a.uri < b.uri ? -1 : 1));
  const layers: QuicklookLayer[] = await Promise.all(
    geojson.map(async (o) => ({ name: vectorOf(o).name, geojson: JSON.parse(new TextDecoder().decode(await deps.store.get(o.uri))) as PolygonFeatureCollection })),
  );
  const previews: QuicklookPreview[] = previewFiles.map((o) => {
    const variant = o.product ?? '';
    const product = ctx.productOf(variant) ?? variant;
    const style = productDefinition(product, plan.definitions).preview;
    return {
      label: product === 'rgb' ? 'True colour' : variant === product ? product.toUpperCase() : `${product.toUpperCase()} (${variant})`,
      href: relativeHref(uri, o.uri),
      ...(style?.kind === 'colormap' ? { range: previewRange(style, plan.params[product] ?? {}) } : {}),
    };
  });
  const f = plan.previewFactor;
  const bloom = plan.vectors?.sources.find((v) => v.name === 'bloom')?.bloomThreshold ?? plan.params.ndci?.threshold;
  const links = [
    ...files
      .filter((o) => o.role !== 'preview')
      .sort((a, b) => LINK_ORDER.indexOf(a.role) - LINK_ORDER.indexOf(b.role) || (a.uri < b.uri ? -1 : 1))
      .map((o) => ({ label: sceneAsset(o).title, href: relativeHref(uri, o.uri) })),
    { label: 'STAC item', href: relativeHref(uri, stacItemUri(plan.outUri, plan.sceneId)) },
    { label: 'manifest', href: relativeHref(uri, manifestUri(plan.outUri, plan.sceneId)) },
  ];
  const html = quicklookPage({
    sceneId: plan.sceneId,
    datetime: plan.datetime,
    grid: plan.epsg !== null && plan.geoTransform ? { epsg: plan.epsg, geoTransform: plan.geoTransform, width: plan.width, height: plan.height } : null,
    // The previews' size, as renderPreviews makes them: one pixel per factor × factor scene pixels, edges included.
    preview: { width: Math.ceil(plan.width / f), height: Math.ceil(plan.height / f), factor: f },
    previews,
    ...(bloom !== undefined ? { bloomNdciThreshold: bloom } : {}),
    layers,
    summary: {
      validKm2: ctx.summary.validAreaKm2,
      waterKm2: ctx.summary.waterAreaKm2,
      bloomKm2: ctx.summary.bloomAreaKm2,
      bloomFraction: ctx.summary.bloomFraction,
      polygons: ctx.polygons,
    },
    links,
  });
  const bytes = new TextEncoder().encode(html);
  const info = await deps.store.put(uri, bytes, { contentType: 'text/html; charset=utf-8' });
  return { uri, sizeBytes: info.sizeBytes, sha256: sha256Hex(bytes), role: 'quicklook' };
}

/**
 * `to` relative to the folder of `from` (both URIs of one store, as output-keys.ts builds them):
 * `…/scenes/s/index.html` → `…/scenes/s/cog/ndci.tif` is `cog/ndci.tif`, → `…/tables/…` is `../../tables/…`.
 * A URI of another store or bucket stays absolute.
 */
export function relativeHref(from: string, to: string): string {
  const dir = from.split('/').slice(0, -1);
  const target = to.split('/');
  // Scheme, the empty segment of `//` and the authority (bucket, store name; empty for file:///).
  if (dir.slice(0, 3).join('/') !== target.slice(0, 3).join('/')) return to;
  let i = 3;
  while (i < dir.length && i < target.length - 1 && dir[i] === target[i]) i++;
  return [...Array<string>(dir.length - i).fill('..'), ...target.slice(i)].join('/');
}

/** Links grouped as people look for them: rasters, their copies, polygons, then tables. */
const LINK_ORDER: ReadonlyArray<OutputFile['role']> = ['cog', 'reprojected', 'vector', 'table'];

function previewOrder(o: OutputFile): number {
  return o.product === 'rgb' ? 0 : o.product === 'ndci' ? 1 : 2;
}

function layerOrder(name: string): number {
  return name === 'water' ? 0 : name === 'bloom' ? 1 : 2;
}
