/**
 * The rows of one vectorised mask, read from the scene's COGs a tile row (one block row, 512 px) at a time, so
 * a mask of any size costs a few bands of memory: the mask COG as it is, or for the derived bloom mask the
 * water and NDCI COGs read side by side and combined with `bloomMask`.
 */
import type { ObjectStore } from '../platform/storage/object-store';
import type { GridInput } from '../raster/geo/grid';
import { Tiff } from '../raster/tiff/tiff';
import type { TiffImage } from '../raster/tiff/image';
import { bloomMask } from '../raster/vector/masks';
import type { ScenePlan, VectorSource } from '../workflows/types';
import { InputError } from './errors';
import { cogUri } from './output-keys';

/** One band of rows: `mask` (and `values`) hold `rows` full-width rows starting at row `y`. */
export interface MaskBand {
  y: number;
  rows: number;
  mask: Uint8Array;
  values?: Float32Array;
}

/** An opened mask: its grid, the number of bands `bands()` yields, and the files read. */
export interface MaskRows {
  grid: GridInput;
  bandCount: number;
  uris: string[];
  bands(signal?: AbortSignal): AsyncGenerator<MaskBand>;
  close(): Promise<void>;
}

/**
 * Opens the COGs a source reads (see VectorSource): its mask product, or for bloom (`bloomThreshold` set) the
 * water mask with `source.product` as the value compared against the threshold; `valuesProduct` adds the value
 * raster whose mean and max each polygon records.
 * @throws InputError when a COG has no CRS or geotransform, or the COGs' grids differ.
 */
export async function openMaskRows(store: ObjectStore, plan: ScenePlan, source: VectorSource): Promise<MaskRows> {
  const uriOf = (product: string) => cogUri(plan.outUri, plan.sceneId, plan.variants[product] ?? product);
  const bloom = source.bloomThreshold !== undefined;
  const maskUri = uriOf(bloom ? 'water' : source.product);
  const valuesUri = bloom ? uriOf(source.product) : source.valuesProduct ? uriOf(source.valuesProduct) : undefined;
  const uris = valuesUri ? [maskUri, valuesUri] : [maskUri];
  const tiffs: Tiff[] = [];
  const close = async () => {
    await Promise.all(tiffs.map((t) => t.source.close?.().catch(() => undefined)));
  };
  try {
    for (const uri of uris) tiffs.push(await Tiff.open(store.source(uri)));
  } catch (err) {
    await close();
    throw err;
  }
  const grids = tiffs.map((t, i) => gridOf(uris[i], t));
  const grid = grids[0];
  for (let i = 1; i < grids.length; i++) {
    const g = grids[i];
    if (g.width !== grid.width || g.height !== grid.height || g.epsg !== grid.epsg || g.geoTransform.some((v, k) => v !== grid.geoTransform[k])) {
      await close();
      throw new InputError(uris[i], `grid ${g.width}x${g.height} EPSG:${g.epsg} differs from ${uris[0]}'s ${grid.width}x${grid.height} EPSG:${grid.epsg}`);
    }
  }
  const [maskImage, valueImage] = tiffs.map((t) => t.images[0]);
  const wrongType = maskImage.sampleType !== 'uint8' ? [uris[0], 'uint8', maskImage.sampleType] : valueImage && valueImage.sampleType !== 'float32' ? [uris[1], 'float32', valueImage.sampleType] : undefined;
  if (wrongType) {
    await close();
    throw new InputError(wrongType[0], `samples are ${wrongType[2]}, expected ${wrongType[1]}`);
  }
  // Bands follow the mask COG's block rows, so each band decodes every block it touches exactly once.
  const bandRows = maskImage.blockHeight;
  const threshold = source.bloomThreshold;
  return {
    grid,
    bandCount: Math.ceil(grid.height / bandRows),
    uris,
    close,
    async *bands(signal?: AbortSignal): AsyncGenerator<MaskBand> {
      let scratch: Uint8Array | undefined;
      for (let y = 0; y < grid.height; y += bandRows) {
        const rows = Math.min(bandRows, grid.height - y);
        const win = { x: 0, y, width: grid.width, height: rows };
        const [mask, values] = await Promise.all([readBand(maskImage, win, signal), valueImage ? readBand(valueImage, win, signal) : undefined]);
        if (threshold === undefined) {
          yield { y, rows, mask: mask as Uint8Array, ...(values ? { values: values as Float32Array } : {}) };
          continue;
        }
        if (!scratch || scratch.length !== mask.length) scratch = new Uint8Array(mask.length);
        const ndci = values as Float32Array;
        yield { y, rows, mask: bloomMask(ndci, mask as Uint8Array, threshold, scratch), ...(source.valuesProduct ? { values: ndci } : {}) };
      }
    },
  };
}

async function readBand(image: TiffImage, win: { x: number; y: number; width: number; height: number }, signal?: AbortSignal) {
  const [band] = await image.readWindow(win, { bands: [0], signal });
  return band;
}

function gridOf(uri: string, tiff: Tiff): GridInput {
  const info = tiff.info();
  if (info.geo?.epsg === undefined || !info.geo.geoTransform) {
    throw new InputError(uri, 'has no EPSG code or geotransform, so its polygons have no coordinates or areas');
  }
  return { epsg: info.geo.epsg, geoTransform: [...info.geo.geoTransform], width: info.width, height: info.height };
}
