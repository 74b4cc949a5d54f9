/**
 * `tessera report` end to end on a catalog table in a temp dir: the CSV against DuckDB SQL over the same Parquet
 * files, the AOI filter, the PNG's size and content, `--json`, and the failure lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import sharp from 'sharp';
import { tessera } from '../support/cli';
import { CHART_COLORS, CHART_SIZE_PX } from '../../cli/report/chart';
import { AOI_TRIANGLE, EXTRA_SCENES, fixtureRows, writeCatalog } from './fixture';

const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error' };
const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

interface CsvRow { date: string; scenes: number; water_km2: number | null; bloom_km2: number | null; bloom_fraction: number | null; valid_km2: number }

function parseCsv(text: string): CsvRow[] {
  const [header, ...lines] = text.trimEnd().split('\r\n');
  assert.equal(header, 'date,scenes,water_km2,bloom_km2,bloom_fraction,valid_km2');
  const num = (s: string): number | null => (s === '' ? null : Number(s));
  return lines.map((l) => {
    const [date, scenes, water, bloom, fraction, valid] = l.split(',');
    return { date, scenes: Number(scenes), water_km2: num(water), bloom_km2: num(bloom), bloom_fraction: num(fraction), valid_km2: Number(valid) };
  });
}

/**
 * The oracle: the same series in SQL, read straight from the Parquet files with hive partitioning. Day is the UTC
 * calendar day (epoch_ms → naive TIMESTAMP, so the session time zone plays no part).
 */
async function duckSeries(out: string, product: string, excludeScenes: readonly string[]): Promise<CsvRow[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const source = `read_parquet(${sqlString(join(out, 'tables/catalog/**/*.parquet'))}, hive_partitioning = true, hive_types = {'scene': VARCHAR, 'product': VARCHAR})`;
    const excluded = excludeScenes.length ? `AND scene NOT IN (${excludeScenes.map(sqlString).join(', ')})` : '';
    const both = 'water_km2 IS NOT NULL AND bloom_km2 IS NOT NULL';
    const rows = (await c.runAndReadAll(`
      SELECT strftime(CAST(epoch_ms(epoch_ms(datetime)) AS DATE), '%Y-%m-%d') AS date,
             count(DISTINCT scene_id)::INTEGER AS scenes,
             sum(water_km2) AS water_km2, sum(bloom_km2) AS bloom_km2,
             sum(bloom_km2) FILTER (WHERE ${both}) / nullif(sum(water_km2) FILTER (WHERE ${both}), 0) AS bloom_fraction,
             sum(valid_km2) AS valid_km2
      FROM ${source}
      WHERE product = ${sqlString(product)} AND datetime IS NOT NULL ${excluded}
      GROUP BY date ORDER BY date`)).getRowObjectsJS();
    return rows as unknown as CsvRow[];
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** Equal, numbers within 1e-9 relative (the engines sum in different orders). */
function assertSeriesEqual(got: CsvRow[], want: CsvRow[]): void {
  assert.equal(got.length, want.length, `${got.length} days, expected ${want.length}`);
  got.forEach((g, i) => {
    const w = want[i];
    for (const key of Object.keys(w) as Array<keyof CsvRow>) {
      const [a, b] = [g[key], w[key]];
      if (typeof a === 'number' && typeof b === 'number') {
        assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${w.date} ${key}: ${a} vs ${b}`);
      } else {
        assert.equal(a, b, `${w.date} ${key}`);
      }
    }
  });
}

/** Pixels within `tol` of an RGB colour. */
async function countColor(png: Uint8Array, hex: string, tol = 12): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (Math.abs(data[i] - r) <= tol && Math.abs(data[i + 1] - g) <= tol && Math.abs(data[i + 2] - b) <= tol) n++;
  }
  return n;
}

/** Dark (text-coloured) pixels in a band of rows: labels actually drawn, i.e. a font was found. */
async function darkPixels(png: Uint8Array, top: number, height: number): Promise<number> {
  const { data, info } = await sharp(png).extract({ left: 0, top, width: CHART_SIZE_PX.width, height }).greyscale().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i] < 100) n++;
  return n;
}

async function withOut<T>(fn: (out: string) => Promise<T>): Promise<T> {
  const out = await mkdtemp(join(tmpdir(), 'report-'));
  try {
    return await fn(out);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

test('report without AOI: the CSV equals DuckDB GROUP BY date, the PNG shows both lines and its labels', async () => {
  await withOut(async (out) => {
    await writeCatalog(out, fixtureRows({ dates: 10 }));
    const r = await tessera(['report', out], ENV);
    assert.equal(r.code, 0, r.stderr);
    const csv = parseCsv(await readFile(join(out, 'reports/timeseries.csv'), 'utf8'));
    const want = await duckSeries(out, 'ndci', []);
    assertSeriesEqual(csv, want);
    // 10 lake days + far, corner, nowater, nobbox on days of their own; twin shares a day; undated has none.
    assert.equal(csv.length, 14);
    assert.equal(csv.reduce((a, d) => a + d.scenes, 0), 10 + EXTRA_SCENES.length - 1);
    const twinDay = csv.find((d) => d.scenes === 2);
    assert.ok(twinDay, 'the twin scene shares a day with lake scene 3');
    const nowater = csv.find((d) => d.water_km2 === null);
    assert.deepEqual(nowater && { bloom: nowater.bloom_km2, fraction: nowater.bloom_fraction, valid: nowater.valid_km2 }, { bloom: null, fraction: null, valid: 110 });

    // Human output: one line per day between the header and the paths.
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /: 16 ndci scenes, 15 in the series \(left out: 1 without datetime\)$/);
    assert.match(lines[1], /^date\s+scenes\s+water km²\s+bloom km²\s+bloom %\s+valid km²$/);
    assert.equal(lines.filter((l) => /^\d{4}-\d{2}-\d{2} /.test(l)).length, 14);
    assert.match(lines.at(-2)!, /^csv file:\/\/.*\/reports\/timeseries\.csv$/);
    assert.match(lines.at(-1)!, /^png file:\/\/.*\/reports\/timeseries\.png$/);

    const png = new Uint8Array(await readFile(join(out, 'reports/timeseries.png')));
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', CHART_SIZE_PX.width, CHART_SIZE_PX.height]);
    // Lines of 2.25 px over ~900 px of plot plus markers: thousands of pixels each; blank or one-line charts have ~0.
    const water = await countColor(png, CHART_COLORS.water);
    const bloom = await countColor(png, CHART_COLORS.bloom);
    assert.ok(water > 1500, `water-blue pixels: ${water}`);
    assert.ok(bloom > 1500, `bloom-green pixels: ${bloom}`);
    // Title (top 45 rows) and date labels (bottom 50 rows) are drawn: without a font librsvg draws no glyph at all.
    assert.ok((await darkPixels(png, 10, 35)) > 300, 'title text rendered');
    assert.ok((await darkPixels(png, CHART_SIZE_PX.height - 50, 50)) > 300, 'date labels rendered');
  });
});

test('report --aoi keeps the scenes whose footprint meets the polygon, not just its bbox', async () => {
  await withOut(async (out) => {
    await writeCatalog(out, fixtureRows({ dates: 10 }));
    const aoi = join(out, 'lake.geojson');
    await writeFile(aoi, JSON.stringify(AOI_TRIANGLE));
    const csvPath = join(out, 'elsewhere', 'lake.csv');
    const r = await tessera(['report', out, '--aoi', aoi, '--csv', csvPath, '--json'], ENV);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    // far (outside), corner (inside the AOI's bbox, beyond its hypotenuse) and nobbox (no footprint) are dropped.
    assert.deepEqual(result.scenes, { read: 16, undated: 1, outsideAoi: 3, used: 12 });
    assert.equal(result.product, 'ndci');
    assert.equal(result.aoi, aoi);
    assert.match(result.csv, /^file:\/\/.*\/elsewhere\/lake\.csv$/);
    assert.match(result.png, /^file:\/\/.*\/elsewhere\/lake\.png$/);
    const csv = parseCsv(await readFile(csvPath, 'utf8'));
    assertSeriesEqual(csv, await duckSeries(out, 'ndci', ['far', 'corner', 'nobbox']));
    // --json carries the same series as the CSV.
    assert.deepEqual(result.rows.map((d: { date: string; scenes: number }) => [d.date, d.scenes]), csv.map((d) => [d.date, d.scenes]));
    assert.equal((await sharp(await readFile(join(out, 'elsewhere', 'lake.png'))).metadata()).width, CHART_SIZE_PX.width);
  });
});

test('report --product ndwi reads the ndwi partitions: no bloom column', async () => {
  await withOut(async (out) => {
    await writeCatalog(out, fixtureRows({ dates: 4, extras: false }));
    const r = await tessera(['report', out, '--product', 'NDWI', '--json'], ENV);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.product, 'ndwi');
    assert.equal(result.rows.length, 4);
    assert.ok(result.rows.every((d: { bloomKm2: unknown; bloomFraction: unknown }) => d.bloomKm2 === null && d.bloomFraction === null));
    assertSeriesEqual(parseCsv(await readFile(join(out, 'reports/timeseries.csv'), 'utf8')), await duckSeries(out, 'ndwi', []));
  });
});

test('nothing to report: exit 1 with one line', async () => {
  await withOut(async (out) => {
    const empty = await tessera(['report', out], ENV);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /^tessera report: no catalog table under file:\/\/.*\/tables\/catalog\/ \(it is written when a scene is run\)\n$/);
    assert.equal(empty.stdout, '');

    await writeCatalog(out, fixtureRows({ dates: 2, extras: false }).filter((r) => r.product === 'ndwi'));
    const noProduct = await tessera(['report', out], ENV);
    assert.equal(noProduct.code, 1);
    assert.match(noProduct.stderr, /^tessera report: no ndci rows in .* \(products there: ndwi; choose one with --product\)\n$/);

    const aoi = join(out, 'sea.geojson');
    await writeFile(aoi, JSON.stringify({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }));
    const outside = await tessera(['report', out, '--product', 'ndwi', '--aoi', aoi], ENV);
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /^tessera report: none of the 2 dated ndwi scenes meets the AOI .*sea\.geojson\n$/);
  });
});

test('bad AOI file or usage: exit 2 with one line naming the problem', async () => {
  await withOut(async (out) => {
    await writeCatalog(out, fixtureRows({ dates: 2, extras: false }));
    const cases: Array<[string | null, RegExp]> = [
      [null, /--aoi .*missing\.geojson: no such file$/],
      ['{"type": "Polygon", "coordinates": [[[0,0],[1,0]', /--aoi .*: not JSON \(/],
      [JSON.stringify({ type: 'Point', coordinates: [14, 46] }), /--aoi .*: the file is a Point; the AOI must be a Polygon or MultiPolygon$/],
      [JSON.stringify({ type: 'FeatureCollection', features: [] }), /--aoi .*: holds no polygon$/],
      [JSON.stringify({ type: 'Polygon', coordinates: [[[500000, 5100000], [510000, 5100000], [510000, 5110000], [500000, 5100000]]] }),
        /--aoi .*: the file, ring 0, position 0 \[500000, 5100000\] is not lon\/lat degrees \(GeoJSON is WGS 84\)$/],
      [JSON.stringify({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 1]]] } }), /--aoi .*: the file, ring 0 has 2 positions; a ring needs at least 4$/],
    ];
    for (const [i, [content, message]] of cases.entries()) {
      const aoi = join(out, content === null ? 'missing.geojson' : `bad-${i}.geojson`);
      if (content !== null) await writeFile(aoi, content);
      const r = await tessera(['report', out, '--aoi', aoi], ENV);
      assert.equal(r.code, 2, `${aoi}: ${r.stderr}`);
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^tessera report: /);
      assert.match(lines[0], message);
    }
    const noOut = await tessera(['report'], ENV);
    assert.equal(noOut.code, 2);
    assert.equal(noOut.stderr, 'tessera report: expected one OUT (an output root: a path or s3:// URI)\n');
  });
});
