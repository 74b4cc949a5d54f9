/** The time series as CSV (RFC 4180): what spreadsheets and `read_csv` take. */
import type { TimeSeriesRow } from './time-series';

/** Header of the report CSV, in column order. */
export const TIME_SERIES_CSV_COLUMNS = ['date', 'scenes', 'water_km2', 'bloom_km2', 'bloom_fraction', 'valid_km2'] as const;

/**
 * One line per day, CRLF line ends as RFC 4180 asks. Numbers are written in full (shortest round-trip form), so
 * the file holds what was computed; null is an empty field.
 */
export function timeSeriesCsv(rows: readonly TimeSeriesRow[]): string {
  const num = (v: number | null): string => (v === null ? '' : String(v));
  const lines = [TIME_SERIES_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push([r.date, String(r.scenes), num(r.waterKm2), num(r.bloomKm2), num(r.bloomFraction), num(r.validKm2)].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
