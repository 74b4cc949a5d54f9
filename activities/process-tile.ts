import { createHash } from 'node:crypto';
import type { ProductTileJob, ProductTileOutput } from '../raster/jobs/product-tile';
import type { BlockPayload } from '../raster/jobs/extract-bands';
import type { ProductDtype } from '../raster/jobs/products/definition';
import type { TiffImage } from '../raster/tiff/image';
import type { ByteSource } from '../raster/source';
import { TiffFormatError } from '../raster/errors';
import { previewsOf, productDefinition, withDependencies } from '../workflows/products';
import { rasterProducts, type ScenePlan, type TileInput, type TileResult } from '../workflows/types';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import type { InputCache } from './input-cache';
import { tilePartUri } from './output-keys';
import { dtypeEncoding, hasOverviews } from './product-spec';
import { rowAreasM2 } from './pixel-areas';

/** What a plan's tiles compute, worked out once per plan object (a batch activity runs several tiles of one plan). */
interface TileProgramSpec {
  definitions: ProductTileJob['definitions'];
  bands: Record<string, number>;
  programKey: string;
  products: string[];
  previewPlanes: string[];
  encodings: ProductTileJob['encodings'];
}

const specs = new WeakMap<ScenePlan, TileProgramSpec>();

/**
 * The products a tile of `plan` computes: the COG products the run computes, everything they read (dependencies
 * first), the band each input reads, the preview planes; keyed by a hash the threads cache the compiled program
 * under.
 */
function programSpec(plan: ScenePlan): TileProgramSpec {
  const known = specs.get(plan);
  if (known) return known;
  const products = rasterProducts(plan);
  const previewed = previewsOf(plan.products, plan.definitions);
  const needed = [...new Set([...products, ...previewed].flatMap((p) => withDependencies(p, plan.definitions)))];
  const definitions = needed.map((p) => productDefinition(p, plan.definitions)).filter((d) => d.kernel.kind !== 'rgb');
  const previewPlanes = previewed.flatMap((p) => (productDefinition(p, plan.definitions).preview?.kind === 'rgb' ? ['rgb.red', 'rgb.green', 'rgb.blue'] : [p]));
  const roles = new Set([...definitions.flatMap((d) => d.roles), ...previewPlanes.filter((p) => p.startsWith('rgb.')).map((p) => p.slice(4))]);
  const bands = Object.fromEntries([...roles].filter((r) => plan.bands[r]).map((r) => [r, plan.bands[r].index]));
  const dtypes = [...new Set(definitions.map((d) => d.dtype))] as ProductDtype[];
  const programKey = createHash('sha256').update(JSON.stringify([definitions, bands])).digest('hex').slice(0, 32);
  const spec = { definitions, bands, programKey, products, previewPlanes, encodings: Object.fromEntries(dtypes.map((t) => [t, dtypeEncoding(t)])) };
  specs.set(plan, spec);
  return spec;
}

export function createProcessTile(deps: ActivityDeps, inputs: InputCache) {
  return async function processTile({ plan, col, row }: TileInput): Promise<TileResult> {
    const log = activityLogger(deps.logger, { scene: plan.sceneId, tile: `${col}_${row}` });
    const spec = programSpec(plan);
    const partUris = Object.fromEntries(spec.products.map((p) => [p, tilePartUri(plan.workUri, p, col, row)]));
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
        // Only the bands the products read: on band-interleaved input only their blocks are fetched at all.
        const { blocks, transfer } = await fetchBlocks(tiff.source, image, window, [...new Set(Object.values(spec.bands))], signal);
        const fetchedBytes = blocks.reduce((n, b) => n + b.bytes.byteLength, 0);

        stage = 'compute';
        const job: ProductTileJob = {
          file: plan.inputUri,
          codec: image.blockCodec(),
          blocks,
          col,
          row,
          window,
          tileSizePx: ts,
          bands: spec.bands,
          nodata: plan.nodata,
          definitions: spec.definitions,
          params: plan.params,
          products: spec.products,
          programKey: spec.programKey,
          overviews: hasOverviews(plan),
          previewFactor: spec.previewPlanes.length > 0 ? plan.previewFactor : 0,
          previewPlanes: spec.previewPlanes,
          encodings: spec.encodings,
          rowAreasM2: rowAreasM2(plan, window.y, window.height),
        };
        const out = (await deps.pool.run({ kind: 'product-tile', job }, transfer, signal)) as ProductTileOutput;

        stage = 'write';
        await Promise.all([
          ...spec.products.map((p) => deps.store.put(partUris[p], out.parts[p])),
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
 * @returns the blocks, views of the buffers read, and those buffers (each once) to transfer to the thread.
 *   Exported for tests.
 */
export async function fetchBlocks(
  source: ByteSource,
  image: TiffImage,
  window: { x: number; y: number; width: number; height: number },
  bands: number[],
  signal?: AbortSignal,
): Promise<{ blocks: BlockPayload[]; transfer: ArrayBuffer[] }> {
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
  const blocks: BlockPayload[] = [];
  const transfer: ArrayBuffer[] = [];
  for (let i = 0; i < wanted.length; ) {
    let j = i + 1;
    let end = wanted[i].offset + wanted[i].length;
    while (j < wanted.length && wanted[j].offset === end) end += wanted[j++].length;
    const read = await source.fetch(wanted[i].offset, end - wanted[i].offset, { signal });
    if (read.byteLength < end - wanted[i].offset) {
      throw new TiffFormatError('OUT_OF_BOUNDS', source.url, `blocks at bytes ${wanted[i].offset}..${end} lie past the end of the file (got ${read.byteLength} of ${end - wanted[i].offset} bytes)`);
    }
    // The thread gets views of the read and the read's buffer is transferred, once, however many blocks it holds.
    // Only a buffer the read fills is ours to give away (ByteSource.fetch); a view of memory the source keeps (a
    // file in memory, Node's shared pool of small Buffers) would be detached for its owner, so it is copied
    // (with `new Uint8Array`: a Buffer's slice() is a view).
    const bytes = read.byteOffset === 0 && read.byteLength === read.buffer.byteLength && read.buffer instanceof ArrayBuffer ? read : new Uint8Array(read);
    transfer.push(bytes.buffer as ArrayBuffer);
    for (let k = i; k < j; k++) {
      const w = wanted[k];
      const start = w.offset - wanted[i].offset;
      blocks.push({ bytes: bytes.subarray(start, start + w.length), x: w.x, y: w.y, rows: w.rows, plane: w.plane });
    }
    i = j;
  }
  return { blocks, transfer };
}
