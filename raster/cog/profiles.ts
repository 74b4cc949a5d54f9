/**
 * Named COG creation presets, in the spirit of rio-cogeo's profiles: one place that says how tiles are
 * compressed. Every preset uses 512 px tiles (GDAL's COG BLOCKSIZE default).
 */

export type CogCompression = 'deflate' | 'zstd' | 'lzw' | 'none';

export interface CogProfile {
  compression: CogCompression;
  /**
   * Codec level: DEFLATE 1–9, ZSTD 1–22; ignored by LZW and none.
   * @default 6 for DEFLATE, 9 for ZSTD (GDAL's COG defaults)
   */
  level?: number;
  /**
   * TIFF predictor: 1 none, 2 horizontal differencing, 3 floating point (TIFF TechNote 3, float only).
   * @default 3 for float samples, 2 for integer samples, 1 when compression is 'none'
   */
  predictor?: 1 | 2 | 3;
  /** Tile width and height, a power of two >= 16 (TIFF asks multiples of 16; the tile-local pyramid needs powers of two). @format px */
  tileSizePx: number;
}

/** Default levels per codec (GDAL COG driver: LEVEL 6 for DEFLATE, 9 for ZSTD). */
export const DEFAULT_LEVEL: Record<CogCompression, number> = { deflate: 6, zstd: 9, lzw: 0, none: 0 };

export const DEFLATE_PROFILE: Readonly<CogProfile> = Object.freeze({ compression: 'deflate', level: 6, tileSizePx: 512 });
export const ZSTD_PROFILE: Readonly<CogProfile> = Object.freeze({ compression: 'zstd', level: 9, tileSizePx: 512 });
export const LZW_PROFILE: Readonly<CogProfile> = Object.freeze({ compression: 'lzw', tileSizePx: 512 });
export const UNCOMPRESSED_PROFILE: Readonly<CogProfile> = Object.freeze({ compression: 'none', tileSizePx: 512 });

/** The preset used when a caller names none: DEFLATE level 6, automatic predictor, 512 px tiles. */
export const DEFAULT_PROFILE = DEFLATE_PROFILE;

export const COG_PROFILES: Readonly<Record<CogCompression, Readonly<CogProfile>>> = Object.freeze({
  deflate: DEFLATE_PROFILE,
  zstd: ZSTD_PROFILE,
  lzw: LZW_PROFILE,
  none: UNCOMPRESSED_PROFILE,
});
