import type { HabProduct, HabRole, HabTileJob, HabTileOutput } from '../raster/jobs/hab-tile';
import type { BlockPayload } from '../raster/jobs/extract-bands';
import type { TiffImage } from '../raster/tiff/image';
import type { ByteSource } from '../raster/source';
import { TiffFormatError } from '../raster/errors';
import { RASTER_PRODUCTS, wantsPreviews, type RasterProduct, type TileInput, type TileResult } from '../workflows/types';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import type { InputCache } from './input-cache';
import { tilePartUri } from './output-keys';
import { hasOverviews, productEncoding } from './product-spec';
import { rowAreasM2 } from './pixel-areas';

export function createProcessTile(deps: ActivityDeps, inputs: InputCache) {
  return async function processTile({ plan, col, row }: TileInput): Promise<TileResult> {
    const log = activityLogger(deps.logger, { scene: plan.sceneId, tile: `${col}_${row}` });
    const products = RASTER_PRODUCTS.filter((p) => plan.products.includes(p)) as HabProduct[];
    const partUris = Object.fromEntries(products.map((p) => [p, tilePartUri(plan.workUri, p, col, row)]));
    const previewUri = tilePartUri(plan.workUri, 'preview', col, row);

    let stage = 'read';
    return withHeartbeat(
      () => ({ col, row, stage }),
      async (signal) => {
        const started = performance.now();
        const tiff = await inputs.open(plan.inputUri, plan.inputVersion.sizeBytes > 0 ? plan.inputVersion : undefined);
        const image = tiff.images[0];
        const ts = plan.tileSizePx;
        const window = { x: col * ts, y: row * ts, width: Math.min(ts, plan.width - col * ts), height: Math.min(ts, plan.height - row * ts) };
        const roleBands = { g: 0, n: 0, re: 0, r: 0, red: 0, green: 0, blue: 0 } as Record<HabRole, number>;
        // Roles a run does not need still get a band (the first matched one), so the fused kernel has inputs.
        const anyBand = Object.values(plan.bands)[0]?.index ?? 0;
        for (const role of Object.keys(roleBands) as HabRole[]) roleBands[role] = plan.bands[role]?.index ?? anyBand;
        const blocks = await fetchBlocks(tiff.source, image, window, [...new Set(Object.values(roleBands))], signal);
        const fetchedBytes = blocks.reduce((n, b) => n + b.bytes.byteLength, 0);

        stage = 'compute';
        const job: HabTileJob = {
          file: plan.inputUri,
          codec: image.blockCodec(),
          blocks,
          col,
          row,
          window,
          tileSizePx: ts,
          bands: roleBands,
          nodata: plan.nodata,
          products,
          overviews: hasOverviews(plan),
          previewFactor: wantsPreviews(plan.products) ? plan.previewFactor : 0,
          previewPlanes: plan.products.includes('rgb') ? ['red', 'green', 'blue', 'ndci'] : ['ndci'],
          encodings: { float: productEncoding('ndwi'), mask: productEncoding('water') },
          waterThreshold: plan.params.water?.threshold,
          bloomThreshold: plan.params.ndci?.threshold,
          rowAreasM2: rowAreasM2(plan, window.y, window.height),
        };
        const out = (await deps.pool.run({ kind: 'hab-tile', job }, blocks.map((b) => b.bytes.buffer as ArrayBuffer), signal)) as HabTileOutput;

        stage = 'write';
        await Promise.all([
          ...products.map((p: RasterProduct) => deps.store.put(partUris[p], out.parts[p])),
          ...(out.parts.preview ? [deps.store.put(previewUri, out.parts.preview)] : []),
        ]);
        log.debug({ fetchedBytes, blocks: blocks.length, ms: Math.round(performance.now() - started) }, 'tile done');
        return { col, row, ...out.counts };
      },
    );
  };
}

/**
 * Fetches the compressed blocks covering `window` (for planar files only the planes of `bands`), merging blocks
 * that are adjacent in the file into one ranged read. Each block is read once; sparse blocks (0 bytes) are skipped
 * and stay nodata.
 */
async function fetchBlocks(source: ByteSource, image: TiffImage, window: { x: number; y: number; width: number; height: number }, bands: number[], signal?: AbortSignal): Promise<BlockPayload[]> {
  const bw = image.blockWidth;
  const bh = image.blockHeight;
  const planes = image.planar ? bands : [0];
  const wanted: Array<{ offset: number; length: number; x: number; y: number; rows: number; plane: number }> = [];
  for (const plane of planes) {
    for (let r = Math.floor(window.y / bh); r <= Math.floor((window.y + window.height - 1) / bh); r++) {
      for (let c = Math.floor(window.x / bw); c <= Math.floor((window.x + window.width - 1) / bw); c++) {
        const range = image.blockRange(c, r, plane);
        if (range.length === 0) continue;
        const rows = image.tiled ? bh : Math.min(bh, image.height - r * bh);
        wanted.push({ ...range, x: c * bw, y: r * bh, rows, plane });
      }
    }
  }
  wanted.sort((a, b) => a.offset - b.offset);
  const out: BlockPayload[] = [];
  for (let i = 0; i < wanted.length; ) {
    let j = i + 1;
    let end = wanted[i].offset + wanted[i].length;
    while (j < wanted.length && wanted[j].offset === end) end += wanted[j++].length;
    const bytes = await source.fetch(wanted[i].offset, end - wanted[i].offset, { signal });
    if (bytes.byteLength < end - wanted[i].offset) {
      throw new TiffFormatError('OUT_OF_BOUNDS', source.url, `blocks at bytes ${wanted[i].offset}..${end} lie past the end of the file (got ${bytes.byteLength} of ${end - wanted[i].offset} bytes)`);
    }
    for (let k = i; k < j; k++) {
      const w = wanted[k];
      const start = w.offset - wanted[i].offset;
      // Each block gets its own buffer so it can be transferred to the thread on its own.
      out.push({ bytes: bytes.slice(start, start + w.length), x: w.x, y: w.y, rows: w.rows, plane: w.plane });
    }
    i = j;
  }
  return out;
}
