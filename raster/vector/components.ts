/**
 * Union-find nodes of the polygonizer. A Part is a 4-connected set of pixels and owns the rings traced around
 * it; a Feature is what becomes one polygon record: a Part with 4-connectivity, or the Parts joined through
 * diagonal corners with 8-connectivity. Features carry the statistics (pixel count, area, value sum and max),
 * added run by run and summed when two features merge.
 */

export class Feature {
  parent: Feature = this;
  pixelCount = 0;
  areaM2 = 0;
  valueCount = 0;
  valueSum = 0;
  valueMax = -Infinity;
  /** Finished parts: [exterior, ...holes] each. */
  parts: number[][][] = [];
  /** Last row holding one of its pixels (row index of the sweep). */
  seenRow = -1;
  done = false;
}

export class Part {
  parent: Part = this;
  /** Closed rings traced so far (exterior and holes, in no order). */
  rings: number[][] = [];
  seenRow = -1;
  done = false;
  constructor(public feature: Feature) {}
}

export function findFeature(f: Feature): Feature {
  while (f.parent !== f) {
    f.parent = f.parent.parent; // path halving
    f = f.parent;
  }
  return f;
}

export function findPart(p: Part): Part {
  while (p.parent !== p) {
    p.parent = p.parent.parent;
    p = p.parent;
  }
  return p;
}

/** Merges two features; the statistics and finished parts go to the survivor, which is returned. */
export function unionFeatures(a: Feature, b: Feature): Feature {
  let ra = findFeature(a);
  let rb = findFeature(b);
  if (ra === rb) return ra;
  if (ra.parts.length < rb.parts.length) [ra, rb] = [rb, ra];
  rb.parent = ra;
  ra.pixelCount += rb.pixelCount;
  ra.areaM2 += rb.areaM2;
  ra.valueCount += rb.valueCount;
  ra.valueSum += rb.valueSum;
  if (rb.valueMax > ra.valueMax) ra.valueMax = rb.valueMax;
  for (const p of rb.parts) ra.parts.push(p);
  rb.parts = [];
  return ra;
}

/** Merges two parts (and their features); the rings go to the survivor, which is returned. */
export function unionParts(a: Part, b: Part): Part {
  let ra = findPart(a);
  let rb = findPart(b);
  if (ra === rb) return ra;
  if (ra.rings.length < rb.rings.length) [ra, rb] = [rb, ra];
  rb.parent = ra;
  for (const r of rb.rings) ra.rings.push(r);
  rb.rings = [];
  ra.feature = unionFeatures(ra.feature, rb.feature);
  return ra;
}
