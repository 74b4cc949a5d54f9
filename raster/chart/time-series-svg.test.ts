import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ChartAxisError } from './ticks';
import { svgToPng } from './png';
import { timeSeriesSvg, type TimeSeriesChartSpec } from './time-series-svg';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2024, 5, 1);

function spec(over: Partial<TimeSeriesChartSpec> = {}): TimeSeriesChartSpec {
  return {
    title: 'Lake <north> & "south"',
    subtitle: 'ndci',
    timesMs: [0, 1, 2, 3, 4].map((i) => T0 + i * 7 * DAY_MS),
    yLabel: 'km²',
    series: [
      { name: 'water', color: '#1f77b4', values: [40, 41, 42, 41, 40] },
      // A null in the middle splits the line in two; the point after it stands alone.
      { name: 'bloom', color: '#2ca02c', values: [1, 5, null, 9, null] },
    ],
    ...over,
  };
}

test('one marker per value, lines broken at nulls, text escaped', () => {
  const svg = timeSeriesSvg(spec());
  // 5 water circles + 1 legend circle; 3 bloom squares + 1 legend square.
  assert.equal(svg.match(/<circle /g)?.length, 6);
  assert.equal(svg.match(/<rect x=/g)?.length, 4);
  // water: one path; bloom: [1, 5] only (9 is alone).
  assert.equal(svg.match(/<path d="M[^"]*" fill="none" stroke="#1f77b4"/g)?.length, 1);
  assert.equal(svg.match(/<path d="M[^"]*" fill="none" stroke="#2ca02c"/g)?.length, 1);
  assert.match(svg, />Lake &lt;north&gt; &amp; &quot;south&quot;</);
  // A dated axis: a tick label for a real date, and the year under the first one.
  assert.match(svg, />1 Jun</);
  assert.match(svg, />2024</);
});

test('markers sit at their date and value: later is right, larger is higher', () => {
  const svg = timeSeriesSvg(spec());
  const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]).slice(0, 5);
  for (let i = 1; i < circles.length; i++) assert.ok(circles[i][0] > circles[i - 1][0], 'x grows with time');
  // Equal spacing in time is equal spacing in x.
  const dx = circles.map((c, i) => (i === 0 ? 0 : c[0] - circles[i - 1][0])).slice(1);
  assert.ok(Math.max(...dx) - Math.min(...dx) <= 0.2, `spacing ${dx}`);
  assert.ok(circles[2][1] < circles[0][1], '42 is above 40');
  assert.equal(circles[0][1], circles[4][1]);
});

test('renders to a PNG of the SVG size, with text drawn', async () => {
  const png = await svgToPng(timeSeriesSvg(spec({ widthPx: 640, heightPx: 360 })));
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 640, 360]);
  // The title's glyphs: dark pixels in the top band (none at all when no font is installed).
  const { data } = await sharp(png).extract({ left: 0, top: 10, width: 640, height: 30 }).greyscale().raw().toBuffer({ resolveWithObject: true });
  assert.ok(data.filter((v: number) => v < 100).length > 200, 'title text rendered');
  const hidpi = await sharp(await svgToPng(timeSeriesSvg(spec({ widthPx: 640, heightPx: 360 })), { scale: 2 })).metadata();
  assert.deepEqual([hidpi.width, hidpi.height], [1280, 720]);
});

test('no data and a single date still draw axes', () => {
  const empty = timeSeriesSvg(spec({ timesMs: [T0], series: [{ name: 'water', color: '#000', values: [null] }] }));
  assert.match(empty, />no data</);
  assert.match(timeSeriesSvg(spec({ timesMs: [], series: [] })), />no data</);
});

test('bad input throws ChartAxisError', () => {
  assert.throws(() => timeSeriesSvg(spec({ timesMs: [T0, T0 - 1, T0, T0, T0] })), (e) => e instanceof ChartAxisError && /timesMs\[1\]/.test(e.message));
  assert.throws(() => timeSeriesSvg(spec({ series: [{ name: 'w', color: '#000', values: [1] }] })), (e) => e instanceof ChartAxisError && /has 1 values for 5 times/.test(e.message));
  assert.throws(() => timeSeriesSvg(spec({ series: [{ name: 'w', color: '#000', values: [1, 2, Infinity, 3, 4] }] })), /value 2 = Infinity/);
});
