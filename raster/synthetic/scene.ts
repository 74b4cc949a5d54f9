/**
 * Synthetic Wyvern-Dragonette-like scenes for tests, demos and benchmarks: a float32 reflectance COG (LZW +
 * floating-point predictor, 512 px tiles, AVERAGE overviews, pixel-interleaved, EPSG:4326 at ~5 m, nodata -9999
 * outside a slanted swath) with per-band wavelength metadata, plus a STAC item beside it. Tiles are rendered one at a
 * time, row-major, straight into the CogBuilder, so memory stays at a few tile rows whatever the size.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { RasterError } from '../errors';
import { CogBuilder, writeCogFile, type CogSpec } from '../cog/builder';
import type { BandInfo, GeoTransform } from '../types';
import { bandSet } from './band-sets';
import { SCENE_NODATA, SceneModel } from './scene-model';
import { buildStacItem } from './stac-item';

export interface GenerateSceneOptions {
  /** Path of the COG; the STAC item goes beside it with `.json` in place of `.tif`/`.tiff` (or appended). */
  outPath: string;
  /** Width and height. @format px */
  sizePx: number;
  bands: 23 | 31;
  /** Same seed, same bytes. Non-integers are truncated. */
  seed: number;
  /** @default 512 */
  tileSizePx?: number;
}

export interface GeneratedScene {
  cogPath: string;
  stacPath: string;
  width: number;
  height: number;
  bandCount: number;
  wavelengthsNm: number[];
}

/** Western Lake Erie, a lake known for summer cyanobacteria blooms; ~5 m pixels (5 m / 111 km per degree). */
const ORIGIN_LON = -83.3;
const ORIGIN_LAT = 41.8;
const PIXEL_DEG_LON = 6.0e-5; // ~5.0 m at 41.8° N
const PIXEL_DEG_LAT = 4.5e-5; // ~5.0 m

/** Where the STAC item of a COG path goes. */
export function stacPathFor(cogPath: string): string {
  const ext = extname(cogPath).toLowerCase();
  return ext === '.tif' || ext === '.tiff' ? cogPath.slice(0, -ext.length) + '.json' : `${cogPath}.json`;
}

/**
 * Writes the scene COG and its STAC item (both through temp files renamed into place; parent directories are
 * created).
 * @throws RasterError (INVALID_ARGUMENT) for a size < 1 or above 65535, or a band count other than 23 / 31.
 */
export async function generateScene(opts: GenerateSceneOptions): Promise<GeneratedScene> {
  const size = opts.sizePx;
  if (!Number.isInteger(size) || size < 1 || size > 65535) {
    throw new RasterError('INVALID_ARGUMENT', opts.outPath, `sizePx must be an integer 1..65535, got ${size}`);
  }
  if (opts.bands !== 23 && opts.bands !== 31) {
    throw new RasterError('INVALID_ARGUMENT', opts.outPath, `bands must be 23 or 31, got ${String(opts.bands)}`);
  }
  const seed = Math.trunc(opts.seed) | 0;
  const { wavelengthsNm, fwhmNm } = bandSet(opts.bands);
  const geoTransform: GeoTransform = [ORIGIN_LON, PIXEL_DEG_LON, 0, ORIGIN_LAT, 0, -PIXEL_DEG_LAT];
  const bands: BandInfo[] = wavelengthsNm.map((w, i) => ({
    description: `Band_${w}`,
    metadata: { wavelength: String(w), fwhm: String(fwhmNm[i]), wavelength_units: 'nm' },
  }));
  const spec: CogSpec = {
    width: size,
    height: size,
    bandCount: wavelengthsNm.length,
    sampleType: 'float32',
    nodata: SCENE_NODATA,
    bands,
    geo: { epsg: 4326, geoTransform },
    datasetMetadata: { SENSOR: 'Dragonette (synthetic)', PRODUCT: 'surface reflectance', SYNTHETIC_SEED: String(seed) },
    profile: { compression: 'lzw', predictor: 3, tileSizePx: opts.tileSizePx ?? 512 },
    overviewResampling: 'average',
  };
  const builder = new CogBuilder(spec);
  const model = new SceneModel(seed, size, size, wavelengthsNm);
  const t = builder.encoding.tileSizePx;
  const { tilesAcross, tilesDown } = builder.levels[0];
  for (let row = 0; row < tilesDown; row++) {
    for (let col = 0; col < tilesAcross; col++) {
      await builder.addTile(col, row, model.renderTile(col, row, t));
    }
  }
  await mkdir(dirname(opts.outPath), { recursive: true });
  await writeCogFile(opts.outPath, builder);

  const stacPath = stacPathFor(opts.outPath);
  const id = basename(opts.outPath, extname(opts.outPath));
  const item = buildStacItem({
    id,
    cogHref: `./${basename(opts.outPath)}`,
    width: size,
    height: size,
    epsg: 4326,
    geoTransform,
    wavelengthsNm,
    fwhmNm,
    datetime: '2024-08-15T16:20:00Z',
    properties: { platform: 'dragonette-synthetic', instruments: ['hyperspectral-vnir'], 'tessera:seed': seed },
  });
  const tmp = join(dirname(stacPath), `.${basename(stacPath)}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(item, null, 2) + '\n');
  await rename(tmp, stacPath);
  return { cogPath: opts.outPath, stacPath, width: size, height: size, bandCount: wavelengthsNm.length, wavelengthsNm };
}
