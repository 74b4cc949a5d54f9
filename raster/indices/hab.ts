/**
 * Harmful-algal-bloom (HAB) product definitions: which wavelengths the water and chlorophyll indices use,
 * and the thresholds that turn them into masks.
 */
import { matchBand, standardRole, type BandRole, type Sensor, type SensorBand } from '../bands';

/**
 * Roles of the HAB product, keyed like the fused kernel's inputs (`HabInputs` in hab-fused.ts). Ranges are the index
 * catalog's standard bands; targets are the wavelengths the product was tuned on (Wyvern's 31-band
 * Dragonettes have bands at 549, 670, 712 and 850 nm). Role names in messages are the catalog keys.
 * - `g` (550 nm, catalog G 510–600) and `n` (849 nm, catalog N 760–900): NDWI.
 * - `re` (712 nm, catalog RE1 695–715) and `r` (669 nm, catalog R 620–690): NDCI.
 * - `red` 650, `green` 550, `blue` 464 nm (catalog R, G, B ranges): the true-colour preview.
 */
export const HAB_ROLES = {
  g: standardRole('G', 550),
  n: standardRole('N', 849),
  re: standardRole('RE1', 712),
  r: standardRole('R', 669),
  red: standardRole('R', 650),
  green: standardRole('G', 550),
  blue: standardRole('B', 464),
} as const satisfies Record<string, BandRole>;

/** A pixel is water when its NDWI is strictly greater than this. */
export const WATER_NDWI_THRESHOLD = 0.3;

/** A water pixel counts as bloom when its NDCI is strictly greater than this. */
export const BLOOM_NDCI_THRESHOLD = 0.3;

/** The four bands the HAB kernels read. */
export interface HabBands {
  g: SensorBand;
  n: SensorBand;
  re: SensorBand;
  r: SensorBand;
}

/**
 * Matches the HAB roles on a sensor.
 * @throws BandMatchError naming `ndwi` (g, n) or `ndci` (re, r) and the missing role.
 */
export function matchHabBands(sensor: Sensor): HabBands {
  return {
    g: matchBand(sensor, HAB_ROLES.g, 'ndwi'),
    n: matchBand(sensor, HAB_ROLES.n, 'ndwi'),
    re: matchBand(sensor, HAB_ROLES.re, 'ndci'),
    r: matchBand(sensor, HAB_ROLES.r, 'ndci'),
  };
}

/** The bands of the true-colour preview. @throws BandMatchError naming `preview` and the missing role. */
export function matchRgbBands(sensor: Sensor): { red: SensorBand; green: SensorBand; blue: SensorBand } {
  return {
    red: matchBand(sensor, HAB_ROLES.red, 'preview'),
    green: matchBand(sensor, HAB_ROLES.green, 'preview'),
    blue: matchBand(sensor, HAB_ROLES.blue, 'preview'),
  };
}
