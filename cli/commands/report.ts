import type { Config } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import { joinUri, normalizeUri } from '../../platform/storage/uri';
import { parse } from '../args';
import * as print from '../print';
import { readAoi, type Aoi } from '../report/aoi';
import { reportChartPng } from '../report/chart';
import { timeSeriesCsv } from '../report/csv';
import { aoiIntersectsBbox } from '../report/footprint';
import { readCatalog } from '../report/read-catalog';
import { buildTimeSeries, type TimeSeriesRow } from '../report/time-series';
import { UsageError } from '../usage-error';

export const REPORT_HELP = `Usage: tessera report OUT [--aoi FILE.geojson] [--product ndci] [--csv PATH] [--png PATH] [--json]

Reads the catalog table under OUT (a path or s3:// URI: OUT/tables/catalog/) and prints a time series, one
line per UTC day: scenes, water km², bloom km², bloom fraction (bloom / water) and valid km², summed over the
day's scenes. Writes the series as CSV and a chart of water and bloom area as PNG.

Options:
  --aoi FILE     keep only scenes whose footprint (bbox) meets this GeoJSON Polygon/MultiPolygon (Feature or
                 FeatureCollection of them), lon/lat WGS 84
  --product P    the product whose rows are read (each scene has one row per product)  [default: ndci]
  --csv PATH     where the CSV goes (path or URI)          [default: OUT/reports/timeseries.csv]
  --png PATH     where the chart goes                      [default: the CSV's path with .png]
  --json         print the rows and the paths as JSON

Exit status: 0 written, 1 nothing to report (no table, no rows of the product, no scene in the AOI), 2 bad usage.`;

/** What `report` computed and wrote; the shape `--json` prints. */
export interface ReportResult {
  /** The catalog's prefix URI. */
  table: string;
  product: string;
  /** The AOI file as given, or null. */
  aoi: string | null;
  scenes: {
    /** Rows of the product in the table (one per scene). */
    read: number;
    /** Left out: no datetime, so no place in a time series. */
    undated: number;
    /** Left out by the AOI: footprint outside it, or no footprint to test. */
    outsideAoi: number;
    /** In the series. */
    used: number;
  };
  rows: TimeSeriesRow[];
  csv: string;
  png: string;
}

/**
 * `tessera report OUT ...`: see REPORT_HELP. Returns the exit code: 1, after one line on stderr, when there is
 * nothing to report.
 * @throws UsageError for bad flags, OUT or paths that are not URIs, and an unreadable or invalid AOI file.
 */
export async function reportCommand(argv: string[], config: Pick<Config, 's3'>): Promise<number> {
  const { values, positionals } = parse(argv, {
    aoi: { type: 'string' },
    product: { type: 'string' },
    csv: { type: 'string' },
    png: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    print.out(REPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected one OUT (an output root: a path or s3:// URI)');
  const out = asUri('OUT', positionals[0]);
  const product = (values.product ?? 'ndci').trim().toLowerCase();
  if (product === '' || product.includes('/')) throw new UsageError(`--product: "${values.product}" is not a product name`);
  const csvUri = values.csv !== undefined ? asUri('--csv', values.csv) : joinUri(out, 'reports/timeseries.csv');
  const pngUri = values.png !== undefined ? asUri('--png', values.png) : csvUri.replace(/(\.csv)?$/i, '.png');

  const store = createStoreRouter(config);
  try {
    const aoi: Aoi | undefined = values.aoi !== undefined ? await readAoi(store, values.aoi) : undefined;
    const catalog = await readCatalog(store, out, { product });
    const fail = (line: string): number => {
      print.err(`tessera report: ${line}`);
      return 1;
    };
    if (catalog.parts === 0) return fail(`no catalog table under ${catalog.tableUri} (it is written when a scene is run)`);
    if (catalog.rows.length === 0) {
      return fail(`no ${product} rows in ${catalog.tableUri} (products there: ${catalog.products.join(', ')}; choose one with --product)`);
    }
    const dated = catalog.rows.filter((r) => r.datetime !== null);
    if (dated.length === 0) return fail(`none of the ${catalog.rows.length} ${product} scenes in ${catalog.tableUri} has a datetime`);
    // A scene without a footprint cannot be shown to meet the AOI, so it is left out rather than guessed in.
    const kept = aoi ? dated.filter((r) => r.bbox !== null && aoiIntersectsBbox(aoi, r.bbox)) : dated;
    if (kept.length === 0) return fail(`none of the ${dated.length} dated ${product} scenes meets the AOI ${values.aoi}`);

    const rows = buildTimeSeries(kept);
    await store.put(csvUri, timeSeriesCsv(rows), { contentType: 'text/csv' });
    await store.put(pngUri, await reportChartPng(rows, { product, aoiName: values.aoi && baseName(values.aoi) }), { contentType: 'image/png' });
    const result: ReportResult = {
      table: catalog.tableUri,
      product,
      aoi: values.aoi ?? null,
      scenes: { read: catalog.rows.length, undated: catalog.rows.length - dated.length, outsideAoi: dated.length - kept.length, used: kept.length },
      rows,
      csv: csvUri,
      png: pngUri,
    };
    if (values.json) print.json(result);
    else print.printReport(result);
    return 0;
  } finally {
    await store.close();
  }
}

function asUri(flag: string, value: string): string {
  try {
    return normalizeUri(value);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

function baseName(uri: string): string {
  return uri.replace(/\/+$/, '').split('/').pop() ?? uri;
}
