/**
 * The target grid gdalwarp picks when given only `-t_srs`: GDALSuggestedWarpOutput2 (alg/gdaltransformer.cpp,
 * GDAL 3.6), step by step.
 *
 * 1. Sample the source edges, nSteps + 1 points each (nSteps = min(W, H) / 50 rounded, within 20..100), and
 *    transform them to the target CRS. If any fails, or does not transform back to within W/nSteps, H/nSteps
 *    pixels of where it came from, sample the whole (nSteps + 1)² grid instead.
 * 2. The extent is the bounding box of the points; where consecutive top/bottom points change sign in x (or one
 *    fails), bisect up to 16 times to find the extreme near the discontinuity.
 * 3. The pixel size keeps the diagonal's pixel count: the distance between the transformed top-left and
 *    bottom-right corners over √(W² + H²). Square pixels; size = extent / pixel size, rounded.
 * 4. If the right (bottom) border of that grid maps entirely outside the source, shrink the pixel size by 0.1 %,
 *    1 %, 10 %, 100 % of a pixel over the width (height) until it does not.
 *
 * gdalwarp then uses this grid as it is (extent min x / max y, pixel size, size) for a single source.
 */
import { checkGrid, type GridInput } from '../geo/grid';
import { WarpInputError } from './errors';
import { GeoTransformer, type Transformer } from './transformer';

export interface WarpGrid extends GridInput {
  geoTransform: [number, number, number, number, number, number];
}

const SUBJECT = 'suggested warp output';

/**
 * The grid `gdalwarp -t_srs EPSG:<dstEpsg>` gives the source grid.
 * @throws UnknownCrsError for a code raster/geo does not know; GeoInputError for a bad source grid;
 *   WarpInputError when too few edge points transform, or the size passes 2³¹ − 1.
 */
export function suggestedWarpOutput(src: GridInput, dstEpsg: number): WarpGrid {
  checkGrid(SUBJECT, src);
  const t = new GeoTransformer(src, dstEpsg);
  const W = src.width;
  const H = src.height;
  let nSteps = Math.floor(Math.min(W, H) / 50 + 0.5);
  if (nSteps < 20) nSteps = 20;
  nSteps = Math.min(nSteps, 100);
  const step = 1 / nSteps;
  const per = nSteps + 1;
  const sampleMax = per * per;
  const x = new Float64Array(sampleMax);
  const y = new Float64Array(sampleMax);
  const ok = new Uint8Array(sampleMax);

  for (let i = 0; i <= nSteps; i++) {
    const r = i === nSteps ? 1 : i * step;
    x[i] = r * W; // top
    y[i] = 0;
    x[per + i] = r * W; // bottom
    y[per + i] = H;
    x[2 * per + i] = 0; // left
    y[2 * per + i] = r * H;
    x[3 * per + i] = W; // right
    y[3 * per + i] = r * H;
  }
  let nSamples = 4 * per;
  ok.fill(1, 0, nSamples);
  t.transform(false, x, y, ok, 0, nSamples);
  let failed = 0;
  for (let i = 0; i < nSamples; i++) if (!ok[i]) failed++;
  fixAntimeridianSign(t, x, y, ok, nSamples);

  if (failed === 0) {
    const rx = x.slice(0, nSamples);
    const ry = y.slice(0, nSamples);
    const rok = new Uint8Array(nSamples).fill(1);
    t.transform(true, rx, ry, rok, 0, nSamples);
    for (let i = 0; failed === 0 && i < nSamples; i++) {
      if (!rok[i]) {
        failed++;
        break;
      }
      let r = (i % per) * step;
      if (r > 0.99) r = 1;
      let ex = 0;
      let ey = 0;
      if (i < per) ex = r * W;
      else if (i < 2 * per) {
        ex = r * W;
        ey = H;
      } else if (i < 3 * per) ey = r * H;
      else {
        ex = W;
        ey = r * H;
      }
      if (Math.abs(rx[i] - ex) > W / nSteps || Math.abs(ry[i] - ey) > H / nSteps) failed++;
    }
  }

  if (failed > 0) {
    nSamples = 0;
    for (let i = 0; i <= nSteps; i++) {
      const r = i === nSteps ? 1 : i * step;
      for (let j = 0; j <= nSteps; j++) {
        const r2 = j === nSteps ? 1 : j * step;
        x[nSamples] = r2 * W;
        y[nSamples] = r * H;
        nSamples++;
      }
    }
    ok.fill(1);
    t.transform(false, x, y, ok, 0, nSamples);
  }

  // Bounds, with GDAL's bisection where x changes sign between neighbours (or one of them failed).
  let minX = 0;
  let minY = 0;
  let maxX = 0;
  let maxY = 0;
  let got = false;
  const add = (px: number, py: number): void => {
    if (!got) {
      got = true;
      minX = maxX = px;
      minY = maxY = py;
    } else {
      minX = Math.min(minX, px);
      minY = Math.min(minY, py);
      maxX = Math.max(maxX, px);
      maxY = Math.max(maxY, py);
    }
  };
  const one = { x: new Float64Array(1), y: new Float64Array(1), ok: new Uint8Array(1) };
  failed = 0;
  for (let i = 0; i < nSamples; i++) {
    let xi = 0;
    let yi = 0;
    if (nSamples === sampleMax) {
      xi = i % per;
      yi = Math.floor(i / per);
    } else if (i < 2 * per) {
      xi = i % per;
      yi = i < per ? 0 : nSteps;
    }
    if (xi > 0 && (ok[i - 1] || ok[i])) {
      let outBefore = x[i - 1];
      let outAfter = x[i];
      let inBefore = ((xi - 1) * W) / nSteps;
      let inAfter = (xi * W) / nSteps;
      let validBefore = ok[i - 1] !== 0;
      let validAfter = ok[i] !== 0;
      for (let iter = 0; (!validBefore || !validAfter || outBefore * outAfter < 0) && iter < 16; iter++) {
        one.x[0] = (inBefore + inAfter) / 2;
        one.y[0] = (yi * H) / nSteps;
        one.ok[0] = 1;
        t.transform(false, one.x, one.y, one.ok, 0, 1);
        if (!one.ok[0]) {
          if (!validBefore) inBefore = (inBefore + inAfter) / 2;
          else if (!validAfter) inAfter = (inBefore + inAfter) / 2;
          else break;
        } else {
          const px = one.x[0];
          add(px, one.y[0]);
          if (!validBefore || outBefore * px < 0) {
            validAfter = true;
            inAfter = (inBefore + inAfter) / 2;
            outAfter = px;
          } else {
            validBefore = true;
            outBefore = px;
            inBefore = (inBefore + inAfter) / 2;
          }
        }
      }
    }
    if (!ok[i]) {
      failed++;
      continue;
    }
    add(x[i], y[i]);
  }
  if (failed > nSamples - 10) {
    throw new WarpInputError(SUBJECT, `${failed} of ${nSamples} points failed to transform from EPSG:${src.epsg} to EPSG:${dstEpsg}`);
  }

  // Pixel size from the diagonal, top-left to bottom-right corner.
  let dx = 0;
  let dy = 0;
  if (ok[0] && ok[nSamples - 1]) {
    dx = x[nSamples - 1] - x[0];
    dy = y[nSamples - 1] - y[0];
  }
  if (dx === 0 || dy === 0) {
    dx = maxX - minX;
    dy = maxY - minY;
  }
  const pixelSize = Math.sqrt(dx * dx + dy * dy) / Math.sqrt(W * W + H * H);
  const pixels = (maxX - minX) / pixelSize;
  const lines = (maxY - minY) / pixelSize;
  if (pixels > 2147483646 || lines > 2147483646) {
    throw new WarpInputError(SUBJECT, `computed size ${Math.round(pixels)} x ${Math.round(lines)} is too big`);
  }
  const nPixels = Math.trunc(pixels + 0.5);
  const nLines = Math.trunc(lines + 0.5);

  let psX = pixelSize;
  let psY = pixelSize;
  for (const ratio of RATIOS) {
    const tryX = psX - (psX * ratio) / nPixels;
    if (!mustAdjustRight(t, minX + nPixels * tryX, maxY, nLines, tryX, psY)) {
      psX = tryX;
      break;
    }
  }
  for (const ratio of RATIOS) {
    const tryY = psY - (psY * ratio) / nLines;
    if (!mustAdjustBottom(t, minX, maxY - nLines * tryY, nPixels, psX, tryY)) {
      psY = tryY;
      break;
    }
  }
  return { epsg: dstEpsg, width: nPixels, height: nLines, geoTransform: [minX, psX, 0, maxY, 0, -psY] };
}

const RATIOS = [0, 0.001, 0.01, 0.1, 1];

/**
 * GDAL ticket 7243: a geographic target may give -180 for a point meant to be at +180 (or the reverse). When
 * every longitude has one sign, a point at the other ±180 that maps back to the same source point is flipped.
 */
function fixAntimeridianSign(t: Transformer, x: Float64Array, y: Float64Array, ok: Uint8Array, n: number): void {
  const UNINIT = -2;
  let sign = UNINIT;
  const fits = (s: number, v: number): boolean => (s * v > 0 && s * v <= 180) || Math.abs(v - s * -180) < 1e-8;
  for (let i = 0; i < n; i++) {
    if (!ok[i]) continue;
    if (sign === 1 || sign === -1) {
      if (!fits(sign, x[i])) sign = 0;
    } else if (sign === UNINIT) {
      sign = fits(-1, x[i]) ? -1 : fits(1, x[i]) ? 1 : 0;
    }
  }
  if (sign !== 1 && sign !== -1) return;
  const tx = new Float64Array(2);
  const ty = new Float64Array(2);
  const tok = new Uint8Array(2);
  for (let i = 0; i < n; i++) {
    if (!ok[i] || Math.abs(x[i] - sign * -180) >= 1e-8) continue;
    tx[0] = sign * -180;
    tx[1] = sign * 180;
    ty[0] = ty[1] = y[i];
    tok.fill(1);
    t.transform(true, tx, ty, tok, 0, 2);
    if (tok[0] && tok[1] && Math.abs(tx[0] - tx[1]) < 1e-8 && Math.abs(ty[0] - ty[1]) < 1e-8) x[i] = sign * 180;
  }
}

/** GDALSuggestedWarpOutput2_MustAdjustForRightBorder: 21 points down the right border all miss the source. */
function mustAdjustRight(t: Transformer, maxX: number, maxY: number, nLines: number, psX: number, psY: number): boolean {
  return borderMisses(t, (r) => [maxX, maxY - psY * r * nLines], psX, psY);
}

/** GDALSuggestedWarpOutput2_MustAdjustForBottomBorder. */
function mustAdjustBottom(t: Transformer, minX: number, minY: number, nPixels: number, psX: number, psY: number): boolean {
  return borderMisses(t, (r) => [minX + psX * r * nPixels, minY], psX, psY);
}

function borderMisses(t: Transformer, at: (ratio: number) => [number, number], psX: number, psY: number): boolean {
  const x = new Float64Array(21);
  const y = new Float64Array(21);
  const ok = new Uint8Array(21).fill(1);
  const expected: [number, number][] = [];
  // GDAL steps a double by 0.05 up to 1.01, snapping the last step (> 0.99) to 1.
  let n = 0;
  for (let r = 0; r <= 1.01; r += 0.05) {
    if (r > 0.99) r = 1;
    [x[n], y[n]] = at(r);
    n++;
  }
  for (let r = 0, k = 0; r <= 1.01; r += 0.05, k++) expected.push(at(r));
  // Target CRS → source pixel and back; a point that comes back elsewhere lies outside the source's domain.
  t.transform(true, x, y, ok, 0, n);
  t.transform(false, x, y, ok, 0, n);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    if (!ok[i] || !(Math.abs(x[i] - expected[i][0]) <= psX) || !(Math.abs(y[i] - expected[i][1]) <= psY)) bad++;
  }
  return bad === n;
}
