/**
 * PNG encoding of preview images through sharp (libvips + libpng). Inputs are 8-bit bands already stretched
 * for display; this module only packs and encodes them.
 */
import sharp from 'sharp';
import { RasterError } from '../errors';

/** A band array whose length does not match width × height, or a non-positive image size. */
export class PreviewInputError extends RasterError {
  override readonly name = 'PreviewInputError';
  constructor(detail: string) {
    super('INVALID_ARGUMENT', 'preview.png', detail);
  }
}

// zlib level 6: libpng's default balance. Levels 7-9 cost several times the CPU for ~1-3 % smaller previews.
const COMPRESSION_LEVEL = 6;

/**
 * Encodes three 8-bit bands as an RGBA PNG. A pixel that is 0 in all three bands is nodata: it gets alpha 0
 * (transparent) and keeps RGB 0,0,0; every other pixel is opaque. Stretches therefore map valid data to 1..255
 * in at least one band when it must stay visible.
 * @param width, height size in pixels; each band holds width × height samples, row-major.
 * @throws PreviewInputError when a band length differs from width × height or the size is not positive.
 */
export async function encodeRgbPng(r: Uint8Array, g: Uint8Array, b: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const n = pixelCount(width, height);
  for (const [name, band] of [['r', r], ['g', g], ['b', b]] as const) {
    if (band.length !== n) throw new PreviewInputError(`band ${name} has ${band.length} samples, expected ${width}x${height} = ${n}`);
  }
  const rgba = new Uint8Array(n * 4);
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const rv = r[i];
    const gv = g[i];
    const bv = b[i];
    rgba[o] = rv;
    rgba[o + 1] = gv;
    rgba[o + 2] = bv;
    rgba[o + 3] = (rv | gv | bv) === 0 ? 0 : 255;
  }
  return encode(rgba, width, height);
}

/**
 * Encodes interleaved RGBA samples (4 bytes per pixel, row-major) as an RGBA PNG, alpha kept as given.
 * @throws PreviewInputError when rgba.length differs from width × height × 4 or the size is not positive.
 */
export async function encodeRgbaPng(rgba: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const n = pixelCount(width, height);
  if (rgba.length !== n * 4) throw new PreviewInputError(`rgba has ${rgba.length} bytes, expected ${width}x${height}x4 = ${n * 4}`);
  return encode(rgba, width, height);
}

function pixelCount(width: number, height: number): number {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new PreviewInputError(`image size ${width}x${height} is not a positive integer size`);
  }
  return width * height;
}

async function encode(rgba: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const png = await sharp(rgba, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: COMPRESSION_LEVEL, palette: false })
    .toBuffer();
  // A plain Uint8Array view: callers compare and transfer bytes without depending on Buffer.
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
