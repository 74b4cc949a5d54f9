/** Test helper: a whole single-band raster in memory → a COG on disk through raster/cog's CogBuilder. */
import { CogBuilder, writeCogFile } from '../../cog/builder';
import type { CogProfile } from '../../cog/profiles';
import { allocSamples, type SampleType, type TypedArray } from '../../types';

export interface RasterCogSpec {
  width: number;
  height: number;
  sampleType: SampleType;
  epsg: number;
  geoTransform: [number, number, number, number, number, number];
  nodata?: number;
  /** @default DEFLATE, 512 px tiles */
  profile?: CogProfile;
}

/** Writes `pixels` (row-major, one band) as a COG; uint8 masks get nearest overviews, the rest average. */
export async function writeRasterCog(path: string, pixels: TypedArray, spec: RasterCogSpec): Promise<void> {
  const profile = spec.profile ?? { compression: 'deflate', tileSizePx: 512 };
  const b = new CogBuilder({
    width: spec.width,
    height: spec.height,
    bandCount: 1,
    sampleType: spec.sampleType,
    nodata: spec.nodata,
    bands: [],
    geo: { epsg: spec.epsg, geoTransform: spec.geoTransform },
    profile,
    overviewResampling: spec.sampleType === 'uint8' ? 'nearest' : 'average',
  });
  const t = b.encoding.tileSizePx;
  const { tilesAcross, tilesDown } = b.levels[0];
  for (let row = 0; row < tilesDown; row++) {
    for (let col = 0; col < tilesAcross; col++) {
      const tile = allocSamples(spec.sampleType, t * t);
      tile.fill(spec.nodata ?? 0);
      const x0 = col * t;
      const y0 = row * t;
      const w = Math.min(t, spec.width - x0);
      for (let y = 0; y < t && y0 + y < spec.height; y++) {
        const s = (y0 + y) * spec.width + x0;
        tile.set(pixels.subarray(s, s + w), y * t);
      }
      await b.addTile(col, row, tile);
    }
  }
  await writeCogFile(path, b);
}
