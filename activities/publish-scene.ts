import { buildManifest, sha256Hex } from '../raster/stac/manifest';
import { buildOutputItem } from '../raster/stac/output-item';
import type { OutputFile, ScenePlan, SceneSummary } from '../workflows/types';
import { activityLogger } from './context';
import type { ActivityDeps } from './deps';
import { manifestUri, stacItemUri } from './output-keys';
import { sceneBbox } from './scene-geometry';

const ASSET_TYPES: Record<OutputFile['role'], { type: string; roles: string[] }> = {
  cog: { type: 'image/tiff; application=geotiff; profile=cloud-optimized', roles: ['data'] },
  table: { type: 'application/vnd.apache.parquet', roles: ['metadata'] },
  preview: { type: 'image/png', roles: ['overview', 'visual'] },
  stac: { type: 'application/geo+json', roles: ['metadata'] },
  manifest: { type: 'application/json', roles: ['metadata'] },
};

/**
 * Writes the STAC item of the outputs, then the manifest (inputs, parameters, code version, sha256 and size of
 * every output, the STAC item included). The manifest is written last: its presence marks a complete scene.
 */
export function createPublishScene(deps: ActivityDeps) {
  return async function publishScene({ plan, outputs, summary }: { plan: ScenePlan; outputs: OutputFile[]; summary: SceneSummary }): Promise<OutputFile[]> {
    const log = activityLogger(deps.logger, { scene: plan.sceneId });
    const bbox = sceneBbox(plan);
    const createdAt = new Date().toISOString();
    const gt = plan.geoTransform;
    const item = buildOutputItem({
      sceneId: plan.sceneId,
      // Without an acquisition time in the input, the item is stamped with the processing time and says so.
      datetime: plan.datetime ?? createdAt,
      // STAC bboxes are WGS84 longitude/latitude; only a geographic input gives one without reprojection.
      bbox: plan.epsg === 4326 && bbox ? bbox : null,
      epsg: plan.epsg ?? undefined,
      shape: [plan.height, plan.width],
      transform: gt ? [gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]] : undefined,
      sourceHref: plan.inputUri,
      properties: {
        'tessera:sensor': plan.sensorName,
        'tessera:datetime_source': plan.datetime ? 'input' : 'processing',
        'tessera:bands': plan.bands,
        'tessera:bloom_fraction': summary.bloomFraction,
        'tessera:water_pixels': summary.waterPixels,
        'tessera:valid_pixels': summary.validPixels,
      },
      assets: outputs.map((o) => {
        const key = o.role === 'table' ? `tile_stats_${o.product}` : o.role === 'preview' ? `preview_${o.product}` : (o.product ?? o.role);
        const stats = o.role === 'cog' && o.product ? summary.products[o.product] : undefined;
        return {
          key,
          href: o.uri,
          title: `${o.product ?? o.role} ${o.role}`,
          ...ASSET_TYPES[o.role],
          product: o.product,
          dataType: o.role === 'cog' ? (o.product === 'water' ? 'uint8' : 'float32') : undefined,
          nodata: o.role === 'cog' ? (o.product === 'water' ? 255 : 'nan') : undefined,
          statistics: stats && stats.mean !== null ? { minimum: stats.minimum!, maximum: stats.maximum!, mean: stats.mean, valid_percent: stats.validPercent } : undefined,
        };
      }),
    });
    const itemBytes = new TextEncoder().encode(JSON.stringify(item, null, 2));
    const itemUri = stacItemUri(plan.outUri, plan.sceneId);
    const itemInfo = await deps.store.put(itemUri, itemBytes, { contentType: 'application/geo+json' });
    const stac: OutputFile = { uri: itemUri, sizeBytes: itemInfo.sizeBytes, sha256: sha256Hex(itemBytes), role: 'stac' };

    const manifest = buildManifest({
      sceneId: plan.sceneId,
      inputs: [{ uri: plan.inputUri, sizeBytes: plan.inputSizeBytes }],
      parameters: { products: plan.products, bands: plan.bands, tileSizePx: plan.tileSizePx, previewFactor: plan.previewFactor, paramsHash: plan.paramsHash },
      codeVersion: deps.codeVersion,
      outputs: [...outputs, stac].map((o) => ({ uri: o.uri, sizeBytes: o.sizeBytes, sha256: o.sha256, role: o.role })),
      createdAt,
    });
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
    const mUri = manifestUri(plan.outUri, plan.sceneId);
    const mInfo = await deps.store.put(mUri, manifestBytes, { contentType: 'application/json' });
    log.info({ stac: itemUri, manifest: mUri }, 'scene published');
    return [stac, { uri: mUri, sizeBytes: mInfo.sizeBytes, sha256: sha256Hex(manifestBytes), role: 'manifest' }];
  };
}
