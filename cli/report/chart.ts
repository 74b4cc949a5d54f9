/** The report's PNG: bloom and water area per day, drawn by raster/chart. */
import { svgToPng } from '../../raster/chart/png';
import { timeSeriesSvg } from '../../raster/chart/time-series-svg';
import type { TimeSeriesRow } from './time-series';

/** Line colours (matplotlib's tab10 blue and green): told apart by most colour-blind readers, and by marker. */
export const CHART_COLORS = { water: '#1f77b4', bloom: '#2ca02c' } as const;

/** Size of the PNG in pixels. */
export const CHART_SIZE_PX = { width: 1000, height: 520 } as const;

export interface ReportChartOptions {
  product: string;
  /** Shown in the subtitle when the series was cut to an AOI. */
  aoiName?: string;
}

/** The chart as SVG; exported so tests and callers can look at the document itself. */
export function reportChartSvg(rows: readonly TimeSeriesRow[], opts: ReportChartOptions): string {
  const scenes = rows.reduce((a, r) => a + r.scenes, 0);
  const range = rows.length === 0 ? '' : rows.length === 1 ? ` · ${rows[0].date}` : ` · ${rows[0].date} to ${rows[rows.length - 1].date}`;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return timeSeriesSvg({
    title: 'Water and bloom area',
    subtitle: `${opts.product} · ${plural(rows.length, 'date')}, ${plural(scenes, 'scene')}${range}${opts.aoiName ? ` · AOI ${opts.aoiName}` : ''}`,
    timesMs: rows.map((r) => Date.parse(`${r.date}T00:00:00Z`)),
    yLabel: 'area (km²)',
    series: [
      { name: 'water km²', color: CHART_COLORS.water, values: rows.map((r) => r.waterKm2), marker: 'circle' },
      { name: 'bloom km²', color: CHART_COLORS.bloom, values: rows.map((r) => r.bloomKm2), marker: 'square' },
    ],
    widthPx: CHART_SIZE_PX.width,
    heightPx: CHART_SIZE_PX.height,
  });
}

/** The chart as PNG bytes of CHART_SIZE_PX. */
export function reportChartPng(rows: readonly TimeSeriesRow[], opts: ReportChartOptions): Promise<Uint8Array> {
  return svgToPng(reportChartSvg(rows, opts));
}
