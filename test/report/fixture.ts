/**
 * A catalog table for report tests: a lake imaged on `dates` days from April, with a bloom that peaks in July,
 * plus the scenes that exercise each rule of the report (see EXTRA_SCENES).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { catalogPartitionKey, encodeCatalogTable, type CatalogRow } from '../../raster/parquet/catalog-table';

const DAY_MS = 86_400_000;
/** Footprint of the lake scenes: inside the AOI triangle below. */
export const LAKE_BBOX: [number, number, number, number] = [14.0, 46.0, 14.3, 46.2];

/**
 * A right triangle with its right angle at (13.9, 45.9): its hypotenuse is the line lon + lat = 60.4, so its
 * bbox is [13.9, 45.9, 14.5, 46.5] but its north-east half is outside it.
 */
export const AOI_TRIANGLE = {
  type: 'FeatureCollection',
  features: [{ type: 'Feature', properties: { name: 'lake' }, geometry: { type: 'Polygon', coordinates: [[[13.9, 45.9], [14.5, 45.9], [13.9, 46.5], [13.9, 45.9]]] } }],
};

/**
 * Scenes beside the lake series, each for one rule:
 * - `far`: another region; dropped by the AOI (bbox–bbox would drop it too).
 * - `corner`: inside the AOI's bbox but beyond the hypotenuse; dropped only by a real polygon test.
 * - `twin`: same UTC day as lake scene 3 (later that day); the day sums two scenes.
 * - `undated`: no datetime; never in a series.
 * - `nowater`: a run without a water mask: water and bloom null, valid area still counts.
 * - `nobbox`: no footprint; in the series without an AOI, dropped with one.
 */
export const EXTRA_SCENES = ['far', 'corner', 'twin', 'undated', 'nowater', 'nobbox'] as const;

export interface FixtureOptions {
  /** Lake scenes, one per date, 9 days apart. @default 10 */
  dates?: number;
  /** Add EXTRA_SCENES. @default true */
  extras?: boolean;
}

/** Rows of products ndci and ndwi for every scene. */
export function fixtureRows(opts: FixtureOptions = {}): CatalogRow[] {
  const dates = opts.dates ?? 10;
  const start = Date.UTC(2024, 3, 2, 9, 45);
  const rows: CatalogRow[] = [];
  const add = (sceneId: string, t: number | null, bbox: CatalogRow['bbox'], waterKm2: number | null, bloomKm2: number | null, validKm2: number): void => {
    for (const product of ['ndci', 'ndwi']) {
      const ndci = product === 'ndci';
      const bloom = ndci ? bloomKm2 : null;
      rows.push({
        sceneId, product,
        datetime: t === null ? null : new Date(t).toISOString(),
        bbox, crs: 'EPSG:32633', partitionKey: 'fixture', codeVersion: '0.1.0',
        validKm2, waterKm2, bloomKm2: bloom,
        bloomFraction: bloom !== null && waterKm2 ? bloom / waterKm2 : null,
        validFraction: 0.9,
        mean: ndci ? -0.05 + (bloomKm2 ?? 0) / 100 : 0.4, p50: ndci ? -0.04 : 0.42, p98: ndci ? 0.2 : 0.6,
      });
    }
  };
  for (let i = 0; i < dates; i++) {
    // Water varies a little with the season; the bloom rises to ~70 % of the water in mid-series.
    const water = 40 + 3 * Math.sin(i * 0.9);
    const bloom = water * 0.7 * Math.exp(-(((i - dates / 2) / (dates / 6)) ** 2));
    add(`S2_lake_${String(i).padStart(2, '0')}`, start + i * 9 * DAY_MS + (i % 3) * 60_000, LAKE_BBOX, water, bloom, 120 + i);
  }
  if (opts.extras ?? true) {
    add('far', start + 2 * DAY_MS, [20.0, 50.0, 20.3, 50.2], 5, 1, 80);
    add('corner', start + 4 * DAY_MS, [14.35, 46.35, 14.45, 46.45], 3, 2, 60);
    add('twin', start + 3 * 9 * DAY_MS + 5 * 3_600_000, [14.05, 46.05, 14.25, 46.15], 12.5, 2.5, 70);
    add('undated', null, LAKE_BBOX, 40, 10, 120);
    add('nowater', start + 6 * DAY_MS, LAKE_BBOX, null, null, 110);
    add('nobbox', start + 8 * DAY_MS, null, 20, 4, 50);
  }
  return rows;
}

/** Writes one part per scene × product under `<out>/tables/catalog/`. */
export async function writeCatalog(out: string, rows: CatalogRow[]): Promise<void> {
  for (const r of rows) {
    const path = join(out, catalogPartitionKey(r.sceneId, r.product));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, encodeCatalogTable([r]));
  }
}
