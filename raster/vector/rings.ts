/**
 * Rings as flat vertex lists `[x0, y0, x1, y1, …]`, not closed (the last vertex connects back to the first).
 * The polygonizer builds them in pixel-corner coordinates; the feature builders map them to a CRS.
 */

/**
 * Shoelace area of a ring (any units): positive when it turns counter-clockwise with y pointing up, which is
 * clockwise on screen with y pointing down (pixel space).
 */
export function ringSignedArea(ring: ArrayLike<number>): number {
  const n = ring.length;
  if (n < 6) return 0;
  // Coordinates relative to the first vertex keep the products small (CRS coordinates of 10⁶ m and more).
  const x0 = ring[0];
  const y0 = ring[1];
  let sum = 0;
  let px = 0;
  let py = 0;
  for (let i = 2; i < n; i += 2) {
    const x = ring[i] - x0;
    const y = ring[i + 1] - y0;
    sum += px * y - x * py;
    px = x;
    py = y;
  }
  return sum / 2;
}

/**
 * Splits a closed ring at every vertex it visits more than once, so each piece is a simple ring. The polygonizer
 * keeps a part's pixels on one side of every ring, so where a hole touches the exterior (or another hole) at a
 * corner, its first ring runs through that corner twice; the pieces are the exterior and the holes, each once
 * through the corner, which is how OGC simple features want it. Orientation is kept.
 *
 * @param keyStride a number larger than every x, so y·keyStride + x identifies a vertex (integer coordinates).
 */
export function splitAtRepeatedVertices(ring: number[], keyStride: number): number[][] {
  const out: number[][] = [];
  const seen = new Map<number, number>();
  let stack: number[] = [];
  for (let i = 0; i < ring.length; i += 2) {
    const x = ring[i];
    const y = ring[i + 1];
    const key = y * keyStride + x;
    const at = seen.get(key);
    if (at !== undefined) {
      // The vertices from the first visit up to here form a loop that closes at this vertex.
      const loop = stack.slice(at);
      for (let j = 0; j < loop.length; j += 2) seen.delete(loop[j + 1] * keyStride + loop[j]);
      out.push(loop);
      stack.length = at;
    }
    seen.set(key, stack.length);
    stack.push(x, y);
  }
  if (stack.length >= 6) out.push(stack);
  stack = [];
  return out;
}
