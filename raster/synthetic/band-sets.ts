/**
 * Band lists of the synthetic scenes, modelled on Wyvern's Dragonette imagers: 23 bands over 503–799 nm
 * (Dragonette-001) and 31 bands over 445–880 nm (later units). FWHM grows with the band spacing, as in real
 * push-broom filter sets.
 */

export interface BandSet {
  wavelengthsNm: number[];
  fwhmNm: number[];
}

const VNIR_23 = [503, 510, 519, 535, 549, 570, 584, 600, 614, 635, 649, 660, 669, 679, 690, 699, 711, 722, 734, 750, 764, 782, 799];
const VNIR_31 = [445, 460, 475, 490, ...VNIR_23, 815, 832, 856, 880];

function fwhmFor(w: number[]): number[] {
  return w.map((_, i) => {
    const left = i > 0 ? w[i] - w[i - 1] : w[1] - w[0];
    const right = i + 1 < w.length ? w[i + 1] - w[i] : left;
    // Slightly wider than the mean spacing so neighbouring bands overlap, clamped to a plausible 6–24 nm.
    return Math.round(Math.min(24, Math.max(6, 1.1 * ((left + right) / 2))) * 10) / 10;
  });
}

export function bandSet(count: 23 | 31): BandSet {
  const wavelengthsNm = count === 23 ? VNIR_23.slice() : VNIR_31.slice();
  return { wavelengthsNm, fwhmNm: fwhmFor(wavelengthsNm) };
}
