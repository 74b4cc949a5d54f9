/**
 * Surface reflectance of the scene's four land covers, as smooth functions of wavelength (nm). Shapes follow the
 * textbook features the downstream indices look for: clear water peaks in the green and is near zero in the NIR;
 * bloom water (chlorophyll) adds the ~670 nm absorption and the ~705 nm red-edge peak, so NDCI > 0.3 and NDWI > 0.3;
 * vegetation has the red-edge step to a high NIR plateau; bare soil rises steadily.
 */

function g(x: number, centre: number, width: number): number {
  const t = (x - centre) / width;
  return Math.exp(-t * t);
}

export function clearWater(nm: number): number {
  const base = 0.004 * Math.exp(-Math.max(0, nm - 700) / 60);
  return base + 0.036 * g(nm, 555, 55) + 0.02 * g(nm, 470, 50);
}

export function bloomWater(nm: number): number {
  const base = 0.01 * Math.exp(-Math.max(0, nm - 720) / 50);
  const peaks = base + 0.045 * g(nm, 565, 38) + 0.032 * g(nm, 708, 13);
  return peaks * (1 - 0.45 * g(nm, 672, 12));
}

export function vegetation(nm: number): number {
  const edge = 0.42 / (1 + Math.exp(-(nm - 715) / 12));
  return Math.max(0.01, 0.03 + 0.05 * g(nm, 550, 35) - 0.02 * g(nm, 675, 20) + edge);
}

export function bareSoil(nm: number): number {
  const t = (nm - 445) / (880 - 445);
  return 0.1 + 0.22 * t - 0.03 * t * t + 0.01 * g(nm, 560, 80);
}

/** Reflectance of each cover at each band centre: [clear, bloom, vegetation, soil][band]. */
export function endmembers(wavelengthsNm: readonly number[]): Float64Array[] {
  return [clearWater, bloomWater, vegetation, bareSoil].map((f) => Float64Array.from(wavelengthsNm, f));
}
