/**
 * Area of one pixel in each row of a grid, in m², so pixel counts (water, bloom) become areas. A projected grid's
 * pixels all have the same area in the map plane; a geographic grid's shrink towards the poles, row by row.
 */
import { projectionFor } from './crs';
import { GeoInputError } from './errors';
import { checkGrid, type GridInput } from './grid';

/**
 * Area in m² of one pixel of each row (index = row, length = height).
 *
 * - Projected CRS: |a·e − b·d| of the geotransform (the pixel's parallelogram), times the square of the CRS unit
 *   in metres (US survey feet → 1200/3937 m). This is the area in the map plane: the ground area for an
 *   equal-area CRS (3035, 6933, 5070, …); for a conformal one it differs by the scale factor squared (UTM: within
 *   −0.08 %…+0.2 % inside its zone; Web Mercator: sec²φ, so 4× at 60°).
 * - EPSG:4326: the exact area on the WGS 84 ellipsoid of the cell between the row's two latitudes, |Δlon| wide.
 *   Rows may be sheared (geoTransform[2] ≠ 0), since a shear along parallels keeps the area.
 *
 * @throws UnknownCrsError for an EPSG code Tessera has no definition for.
 * @throws GeoInputError for a bad geotransform or size; for a geographic grid, when latitude changes along a row
 *   (geoTransform[4] ≠ 0, so a row has no single pair of latitudes) or a row reaches beyond ±90°.
 */
export function pixelAreasM2(input: GridInput): Float64Array {
  const subject = `pixel areas in EPSG:${input.epsg}`;
  const gt = checkGrid(subject, input);
  const projection = projectionFor(input.epsg);
  const out = new Float64Array(input.height);
  if (!projection.geographic) {
    const k = projection.metresPerUnit;
    return out.fill(Math.abs(gt[1] * gt[5] - gt[2] * gt[4]) * k * k);
  }
  if (gt[4] !== 0) {
    throw new GeoInputError(subject, `geoTransform[4] = ${gt[4]}: latitude changes along a row, so a row has no single pixel area`);
  }
  const lastLat = gt[3] + input.height * gt[5];
  if (Math.abs(gt[3]) > 90 || Math.abs(lastLat) > 90) {
    throw new GeoInputError(subject, `rows span latitudes ${gt[3]} to ${lastLat}, beyond ±90°`);
  }
  const dLonRad = (Math.abs(gt[1]) * Math.PI) / 180;
  const a = projection.semiMajorAxisM;
  const e2 = projection.eccentricitySquared;
  // The row height is gt[5] itself, not the difference of two edge latitudes, which for a 1e-6° row would keep
  // only 8 digits.
  const dPhi = (gt[5] * Math.PI) / 180;
  for (let row = 0; row < input.height; row++) {
    out[row] = zoneAreaM2(a, e2, ((gt[3] + row * gt[5]) * Math.PI) / 180, dPhi) * dLonRad;
  }
  return out;
}

/**
 * Area in m² of the zone between latitudes phi and phi + dPhi (radians; dPhi may be negative) per radian of
 * longitude, on an ellipsoid of semi-major axis a (metres) and eccentricity² e2.
 *
 * Snyder, "Map Projections: A Working Manual", USGS Professional Paper 1395 (1987), eqs. 3-11 to 3-13: with the
 * authalic latitude β, sin β = q/q_p and the authalic radius R_q² = a²·q_p/2, where
 *   q(φ) = (1 − e²)·[ sin φ / (1 − e² sin² φ) − 1/(2e)·ln((1 − e sin φ)/(1 + e sin φ)) ],
 * the zone area is R_q²·Δλ·(sin β₂ − sin β₁) = (a²/2)·Δλ·(q(φ₂) − q(φ₁)).
 *
 * q(φ₂) − q(φ₁) is rewritten so no two nearly equal numbers are subtracted (a 1e-6° row would lose 10 digits):
 * with φ₁ = phi, φ₂ = phi + dPhi, s = sin φ and Δs = sin φ₂ − sin φ₁ = 2·cos(φ₁ + dPhi/2)·sin(dPhi/2),
 *   s₂/(1 − e²s₂²) − s₁/(1 − e²s₁²) = Δs·(1 + e²s₁s₂) / ((1 − e²s₁²)(1 − e²s₂²))
 *   atanh(e s₂) − atanh(e s₁)       = atanh(e·Δs / (1 − e²s₁s₂))
 * (the log term is 2·atanh(e s)/(2e)).
 */
export function zoneAreaM2(a: number, e2: number, phi: number, dPhi: number): number {
  const s1 = Math.sin(phi);
  const s2 = Math.sin(phi + dPhi);
  const ds = 2 * Math.cos(phi + dPhi / 2) * Math.sin(dPhi / 2);
  if (ds === 0) return 0;
  if (e2 === 0) return a * a * Math.abs(ds); // sphere: q = 2 sin φ
  const e = Math.sqrt(e2);
  const rational = (ds * (1 + e2 * s1 * s2)) / ((1 - e2 * s1 * s1) * (1 - e2 * s2 * s2));
  const logTerm = Math.atanh((e * ds) / (1 - e2 * s1 * s2)) / e;
  return ((a * a) / 2) * Math.abs((1 - e2) * (rational + logTerm));
}

/**
 * Total area in km² of pixels counted per row: Σ counts[row] · rowAreasM2[row] / 10⁶.
 * @throws GeoInputError when the two arrays differ in length.
 */
export function areaKm2(countsPerRow: ArrayLike<number>, rowAreasM2: ArrayLike<number>): number {
  if (countsPerRow.length !== rowAreasM2.length) {
    throw new GeoInputError('pixel areas', `${countsPerRow.length} row counts for ${rowAreasM2.length} row areas`);
  }
  let sum = 0;
  for (let i = 0; i < countsPerRow.length; i++) sum += countsPerRow[i] * rowAreasM2[i];
  return sum / 1e6;
}
