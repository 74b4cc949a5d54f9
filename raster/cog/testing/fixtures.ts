/** Deterministic test rasters and tile cutting for the COG writer tests. */
import { allocSamples, type SampleType, type TypedArray } from '../../types';
import { CogBuilder, writeCogFile, type CogSpec } from '../builder';

/** Small xorshift PRNG, so fixtures are identical on every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const RANGE: Record<SampleType, [number, number]> = {
  uint8: [0, 250],
  int8: [-120, 120],
  uint16: [1, 60000],
  int16: [-30000, 30000],
  uint32: [1, 4e9],
  int32: [-2e9, 2e9],
  float32: [-1, 1],
  float64: [-1, 1],
};

/**
 * A rows x cols x spp raster: smooth gradients plus noise, a nodata block and a slanted nodata edge when `nodata`
 * is given, and a few NaNs for float types when `nan` is set.
 */
export function makeImage(
  width: number,
  height: number,
  spp: number,
  type: SampleType,
  opts: { seed: number; nodata?: number; nan?: boolean },
): TypedArray {
  const r = rng(opts.seed);
  const [lo, hi] = RANGE[type];
  const px = allocSamples(type, width * height * spp);
  const isFloat = type === 'float32' || type === 'float64';
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * spp;
      const outside = opts.nodata !== undefined && (x < (height - y) / 4 || (x > width / 3 && x < width / 2 && y > height / 4 && y < height / 2));
      for (let b = 0; b < spp; b++) {
        let v: number;
        if (outside) v = opts.nodata as number;
        else {
          const t = 0.5 + 0.3 * Math.sin(x / 17 + b) * Math.cos(y / 23 - b) + 0.2 * (r() - 0.5);
          v = lo + (hi - lo) * t;
          if (!isFloat) v = Math.round(v);
          if (isFloat && opts.nan && r() < 0.01) v = NaN;
        }
        px[i + b] = v;
      }
    }
  }
  return px;
}

/** Cuts the padded tile (col, row) out of a full raster; padding gets `pad` (the builder must overwrite it). */
export function cutTile(img: TypedArray, width: number, height: number, spp: number, t: number, col: number, row: number, pad = 7): TypedArray {
  const ctor = img.constructor as { new (n: number): TypedArray };
  const tile = new ctor(t * t * spp);
  tile.fill(pad);
  const x0 = col * t;
  const y0 = row * t;
  const cols = Math.min(t, width - x0);
  for (let y = 0; y < t && y0 + y < height; y++) {
    const s = ((y0 + y) * width + x0) * spp;
    tile.set(img.subarray(s, s + cols * spp), y * t * spp);
  }
  return tile;
}

/** Builds a COG from a full raster with addTile, tiles in the given order (default row-major). */
export async function writeFromImage(
  path: string,
  spec: CogSpec,
  img: TypedArray,
  order?: (tilesAcross: number, tilesDown: number) => [number, number][],
): Promise<{ sizeBytes: number; builder: CogBuilder }> {
  const b = new CogBuilder(spec);
  const { tilesAcross, tilesDown } = b.levels[0];
  const t = b.encoding.tileSizePx;
  const cells = order ? order(tilesAcross, tilesDown) : rowMajor(tilesAcross, tilesDown);
  for (const [c, r] of cells) await b.addTile(c, r, cutTile(img, spec.width, spec.height, spec.bandCount, t, c, r));
  const res = await writeCogFile(path, b);
  return { ...res, builder: b };
}

export function rowMajor(across: number, down: number): [number, number][] {
  const out: [number, number][] = [];
  for (let r = 0; r < down; r++) for (let c = 0; c < across; c++) out.push([c, r]);
  return out;
}
