/**
 * SVG → PNG through sharp (libvips + librsvg). librsvg draws text with the system's fonts through fontconfig:
 * without one installed, every label silently disappears, which is why install-tools.sh installs DejaVu.
 */
import sharp from 'sharp';

export interface SvgToPngOptions {
  /**
   * Pixels per SVG unit: 2 gives a sharper image of twice the width and height for high-density screens.
   * @default 1
   */
  scale?: number;
}

/** Renders an SVG document to PNG bytes; the image is the SVG's width × height times `scale`. */
export async function svgToPng(svg: string, opts: SvgToPngOptions = {}): Promise<Uint8Array> {
  // librsvg maps SVG user units to pixels at 72 dpi.
  const png = await sharp(Buffer.from(svg, 'utf8'), { density: 72 * (opts.scale ?? 1) }).png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
