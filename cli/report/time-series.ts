/**
 * The report's time series: catalog rows of one product grouped by UTC day of acquisition, areas summed over the
 * scenes of the day.
 */
import type { CatalogRow } from '../../raster/parquet/catalog-table';

/** One day of the series. Areas in km²; a sum is null when no scene of the day had the number. */
export interface TimeSeriesRow {
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
  /** Distinct scenes acquired that day. */
  scenes: number;
  waterKm2: number | null;
  bloomKm2: number | null;
  /**
   * Bloom area / water area over the scenes that have both (a scene without a water mask would otherwise
   * lower the ratio it has no part in); null when no scene has both, or they have no water.
   */
  bloomFraction: number | null;
  validKm2: number;
}

/**
 * Groups rows by the UTC day of their datetime, oldest first. Rows without a datetime have no place in a series;
 * the caller filters them out first (see `undated` in report.ts) and they are ignored here.
 */
export function buildTimeSeries(rows: readonly CatalogRow[]): TimeSeriesRow[] {
  const days = new Map<string, CatalogRow[]>();
  for (const r of rows) {
    if (r.datetime === null) continue;
    const day = new Date(r.datetime).toISOString().slice(0, 10);
    let list = days.get(day);
    if (!list) days.set(day, (list = []));
    list.push(r);
  }
  return [...days.keys()].sort().map((date) => {
    const list = days.get(date)!;
    const sum = (pick: (r: CatalogRow) => number | null, of: readonly CatalogRow[] = list): number | null => {
      const present = of.map(pick).filter((v): v is number => v !== null);
      return present.length === 0 ? null : present.reduce((a, b) => a + b, 0);
    };
    const both = list.filter((r) => r.waterKm2 !== null && r.bloomKm2 !== null);
    const bothWater = sum((r) => r.waterKm2, both);
    const bothBloom = sum((r) => r.bloomKm2, both);
    return {
      date,
      scenes: new Set(list.map((r) => r.sceneId)).size,
      waterKm2: sum((r) => r.waterKm2),
      bloomKm2: sum((r) => r.bloomKm2),
      bloomFraction: bothWater === null || bothBloom === null || bothWater === 0 ? null : bothBloom / bothWater,
      validKm2: sum((r) => r.validKm2) ?? 0,
    };
  });
}
