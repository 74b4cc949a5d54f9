/**
 * Test masks for the polygonizer: deterministic random blobs with holes and islands, pinch corners (pixels
 * touching only diagonally), checkerboard patches, nodata areas, and regions crossing the 512 px tile seams.
 */

/** xorshift32, so masks are identical on every run. */
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

/**
 * A width × height mask of 0/1/255: smooth value noise thresholded into blobs (which gives holes and islands
 * of every size), speckle that makes diagonal contacts, a few checkerboard patches, rings straddling the
 * 512 px seams, and nodata (255) stripes.
 */
export function blobMask(width: number, height: number, seed: number): Uint8Array {
  const r = rng(seed);
  const mask = new Uint8Array(width * height);
  // Value noise on a coarse lattice, bilinearly interpolated, two octaves.
  const octave = (cell: number): ((x: number, y: number) => number) => {
    const gw = Math.ceil(width / cell) + 2;
    const gh = Math.ceil(height / cell) + 2;
    const g = new Float64Array(gw * gh).map(() => r());
    return (x, y) => {
      const fx = x / cell;
      const fy = y / cell;
      const ix = Math.floor(fx);
      const iy = Math.floor(fy);
      const tx = fx - ix;
      const ty = fy - iy;
      const a = g[iy * gw + ix];
      const b = g[iy * gw + ix + 1];
      const c = g[(iy + 1) * gw + ix];
      const d = g[(iy + 1) * gw + ix + 1];
      return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    };
  };
  const big = octave(37);
  const small = octave(7);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 0.7 * big(x, y) + 0.3 * small(x, y);
      mask[y * width + x] = v > 0.52 ? 1 : 0;
    }
  }
  // Speckle: single pixels flipped, which makes pinch corners and one-pixel holes and islands.
  for (let i = 0; i < (width * height) / 60; i++) {
    const k = Math.floor(r() * width * height);
    mask[k] ^= 1;
  }
  // Checkerboard patches: every pixel touches its diagonal neighbours only.
  for (let n = 0; n < 3; n++) {
    const x0 = Math.floor(r() * (width - 12));
    const y0 = Math.floor(r() * (height - 12));
    for (let y = y0; y < y0 + 10; y++) for (let x = x0; x < x0 + 10; x++) mask[y * width + x] = (x + y) & 1;
  }
  // Rings centred on tile seams (a region and its hole both cut by the seam).
  for (let sy = 512; sy < height; sy += 512) {
    for (let sx = 512; sx < width; sx += 512) {
      for (let y = sy - 20; y < sy + 20; y++) {
        for (let x = sx - 20; x < sx + 20; x++) {
          const d = Math.hypot(x - sx + 0.5, y - sy + 0.5);
          if (d < 19) mask[y * width + x] = d > 6 && d < 14 ? 1 : 0;
        }
      }
    }
  }
  // Nodata: a stripe of 255 a few pixels wide, and a block at the left edge.
  const stripe = Math.floor(height * 0.3);
  for (let y = stripe; y < stripe + 4 && y < height; y++) for (let x = 0; x < width; x++) if ((x >> 4) % 3 === 0) mask[y * width + x] = 255;
  for (let y = 0; y < Math.min(40, height); y++) for (let x = 0; x < Math.min(25, width); x++) mask[y * width + x] = 255;
  return mask;
}

/** A mask drawn as text rows ('#' = 1, '.' = 0, 'x' = 255), for hand-made corner cases. */
export function maskFromText(rows: string[]): { mask: Uint8Array; width: number; height: number } {
  const height = rows.length;
  const width = rows[0].length;
  const mask = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) mask[y * width + x] = row[x] === '#' ? 1 : row[x] === 'x' ? 255 : 0;
  });
  return { mask, width, height };
}
