import { encodeRgbaPng, encodeRgbPng } from '../raster/preview/png';
import { percentiles, stretchToByte } from '../raster/preview/stretch';
import { colorize } from '../raster/preview/viridis';
import { planesFromBytes } from '../raster/jobs/tile-part';
import { sha256Hex } from '../raster/stac/manifest';
import { previewsOf, productDefinition, type PreviewStyle } from '../workflows/products';
import type { OutputFile, ScenePlan } from '../workflows/types';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import { previewUri, tilePartUri } from './output-keys';
import { tiles } from './scene-geometry';
import { PREFETCH_DEPTH, readTilePartHead, readTilePartRange } from './tile-parts';
import { prefetchInOrder } from './prefetch';

/** A colour map's range with parameter names replaced by the run's values (`[-0.3, 'threshold']` for NDCI). */
export function previewRange(style: Extract<PreviewStyle, { kind: 'colormap' }>, params: Readonly<Record<string, number>>): [number, number] {
  const value = (v: number | string) => (typeof v === 'number' ? v : params[v]);
  return [value(style.range[0]), value(style.range[1])];
}

/**
 * Stitches the preview blocks the tile jobs left (planes averaged over previewFactor² pixels) and writes one PNG
 * per previewed product, in the style its definition gives: RGB (a percentile stretch per band to 1..255,
 * 0 = nodata → transparent), or a colour map over a value range (viridis; transparent where the product is nodata,
 * e.g. NDCI outside water).
 */
export function createRenderPreviews(deps: ActivityDeps) {
  return async function renderPreviews({ plan }: { plan: ScenePlan }): Promise<OutputFile[]> {
    const log = activityLogger(deps.logger, { scene: plan.sceneId });
    let done = 0;
    return withHeartbeat(
      () => ({ done }),
      async (signal) => {
        const f = plan.previewFactor;
        const block = plan.tileSizePx / f;
        const width = Math.ceil(plan.width / f);
        const height = Math.ceil(plan.height / f);
        const previewed = previewsOf(plan.products, plan.definitions).map((p) => ({ product: p, style: productDefinition(p, plan.definitions).preview! }));
        const names = previewed.flatMap(({ product, style }) => (style.kind === 'rgb' ? ['rgb.red', 'rgb.green', 'rgb.blue'] : [product]));
        const canvas = Object.fromEntries(names.map((n) => [n, new Float32Array(width * height).fill(NaN)]));
        const parts = prefetchInOrder([...tiles(plan)], PREFETCH_DEPTH, async (t) => {
          const uri = tilePartUri(plan.workUri, 'preview', t.col, t.row);
          const { layout, head } = await readTilePartHead(deps.store, uri, signal);
          const bytes = await readTilePartRange(deps.store, uri, head, layout.planesOffset, layout.tileOffset - layout.planesOffset, signal);
          return { t, layout, planes: planesFromBytes(layout, bytes) };
        });
        for await (const { t, layout, planes } of parts) {
          const x0 = t.col * block;
          const y0 = t.row * block;
          const w = Math.min(block, width - x0);
          const h = Math.min(block, height - y0);
          layout.header.planes!.names.forEach((name, i) => {
            const dst = canvas[name];
            if (!dst) return;
            for (let y = 0; y < h; y++) dst.set(planes[i].subarray(y * block, y * block + w), (y0 + y) * width + x0);
          });
          done++;
        }

        const outputs: OutputFile[] = [];
        const put = async (name: string, png: Uint8Array) => {
          const variant = plan.variants[name] ?? name;
          const uri = previewUri(plan.outUri, plan.sceneId, variant);
          const info = await deps.store.put(uri, png, { contentType: 'image/png' });
          outputs.push({ uri, sizeBytes: info.sizeBytes, sha256: sha256Hex(png), role: 'preview', product: variant });
        };
        for (const { product, style } of previewed) {
          if (style.kind === 'rgb') {
            const [r, g, b] = ['rgb.red', 'rgb.green', 'rgb.blue'].map((n) => {
              const [lo, hi] = percentiles(canvas[n], style.stretchPercent);
              return stretchToByte(canvas[n], lo ?? 0, hi ?? 1);
            });
            // A pixel missing in any band is nodata in all three, so the PNG shows it transparent.
            for (let i = 0; i < r.length; i++) if (r[i] === 0 || g[i] === 0 || b[i] === 0) r[i] = g[i] = b[i] = 0;
            await put(product, await encodeRgbPng(r, g, b, width, height));
          } else {
            const [lo, hi] = previewRange(style, plan.params[product] ?? {});
            await put(product, await encodeRgbaPng(colorize(canvas[product], lo, hi), width, height));
          }
        }
        log.info({ width, height, factor: f, previews: previewed.map((p) => p.product) }, 'previews written');
        return outputs;
      },
    );
  };
}
