/**
 * A line chart of values over dates as SVG: one line with markers per series, a calendar x axis, a value axis from
 * zero, horizontal grid lines, a legend and a title. Pure string building; png.ts turns it into pixels.
 *
 * Layout works from estimated text widths (there is no text measurement without a renderer), so margins are
 * sized for the widest tick label at DejaVu Sans' proportions, the font install-tools.sh installs.
 */
import { ChartAxisError, dateTicks, linearTicks } from './ticks';

export type MarkerShape = 'circle' | 'square' | 'diamond';

export interface ChartSeries {
  /** Legend text. */
  name: string;
  /** Any SVG colour, e.g. `#1f77b4`. */
  color: string;
  /** One value per entry of `timesMs`; null leaves a gap (the line breaks there). */
  values: Array<number | null>;
  /** @default circle, square, diamond for the 1st, 2nd, 3rd series (shape as well as colour tells them apart) */
  marker?: MarkerShape;
}

export interface TimeSeriesChartSpec {
  title: string;
  /** Second, smaller line under the title (what was selected, how many points). */
  subtitle?: string;
  /** Instants of the points, epoch ms (UTC), ascending. */
  timesMs: number[];
  series: ChartSeries[];
  /** Unit of the value axis, written beside it, e.g. `km²`. */
  yLabel: string;
  /** @default 1000 */
  widthPx?: number;
  /** @default 520 */
  heightPx?: number;
}

const FONT = "'DejaVu Sans', Verdana, sans-serif";
/** Mean advance of a digit or lower-case letter in DejaVu Sans, as a fraction of the font size. */
const CHAR_EM = 0.62;
const TICK_FONT_PX = 12;
const DAY_MS = 86_400_000;
const SHAPES: MarkerShape[] = ['circle', 'square', 'diamond'];

/**
 * The chart as a standalone SVG document of `widthPx` × `heightPx`.
 * @throws ChartAxisError when times and values differ in length, times are not ascending or not finite, or a value
 *   is not finite.
 */
export function timeSeriesSvg(spec: TimeSeriesChartSpec): string {
  const W = spec.widthPx ?? 1000;
  const H = spec.heightPx ?? 520;
  checkSpec(spec);
  const times = spec.timesMs;
  const values = spec.series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  const y = linearTicks(0, Math.max(0, ...values), Math.max(3, Math.floor((H - 200) / 45) + 1));
  const yLabels = y.ticks.map((v) => formatNumber(v, y.decimals));

  const top = spec.subtitle ? 100 : 80;
  const left = 20 + TICK_FONT_PX + 14 + textWidth(yLabels.reduce((a, b) => (b.length > a.length ? b : a), ''), TICK_FONT_PX) + 10;
  const right = W - 36;
  const bottom = H - 52;
  const plotW = right - left;
  const plotH = bottom - top;

  // One point alone gets a day either side; otherwise a small margin so the end markers are not cut by the frame.
  const span = times.length > 0 ? times[times.length - 1] - times[0] : 0;
  const pad = Math.max(span * 0.03, span === 0 ? DAY_MS : DAY_MS / 2);
  const x0 = (times[0] ?? Date.UTC(2000, 0, 1)) - pad;
  const x1 = (times[times.length - 1] ?? Date.UTC(2000, 0, 1)) + pad;
  const sx = (t: number): number => left + ((t - x0) / (x1 - x0)) * plotW;
  const sy = (v: number): number => bottom - ((v - y.min) / (y.max - y.min)) * plotH;
  // "14 Jun" is the widest day label: ~6.5 characters plus a gap between neighbours.
  const xt = dateTicks(x0, x1, Math.max(2, Math.floor(plotW / (textWidth('14 Jun', TICK_FONT_PX) + 28))));

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(text(left, 34, spec.title, { size: 20, weight: 'bold', fill: '#222222' }));
  if (spec.subtitle) out.push(text(left, 58, spec.subtitle, { size: 13, fill: '#555555' }));

  // Grid and value axis.
  y.ticks.forEach((v, i) => {
    const py = f(sy(v));
    out.push(`<line x1="${f(left)}" y1="${py}" x2="${f(right)}" y2="${py}" stroke="${v === y.min ? '#444444' : '#e3e3e3'}" stroke-width="1"/>`);
    out.push(text(left - 8, sy(v) + TICK_FONT_PX * 0.35, yLabels[i], { size: TICK_FONT_PX, anchor: 'end', fill: '#333333' }));
  });
  const axisTitleX = 20 + TICK_FONT_PX * 0.8;
  const axisTitleY = top + plotH / 2;
  out.push(text(axisTitleX, axisTitleY, spec.yLabel, { size: 13, anchor: 'middle', fill: '#333333', rotate: true }));

  // Date axis: ticks below the frame, the year on a second line where it changes.
  out.push(`<line x1="${f(left)}" y1="${f(bottom)}" x2="${f(left)}" y2="${f(top)}" stroke="#444444" stroke-width="1"/>`);
  xt.ticksMs.forEach((t, i) => {
    const px = f(sx(t));
    out.push(`<line x1="${px}" y1="${f(top)}" x2="${px}" y2="${f(bottom)}" stroke="#f0f0f0" stroke-width="1"/>`);
    out.push(`<line x1="${px}" y1="${f(bottom)}" x2="${px}" y2="${f(bottom + 5)}" stroke="#444444" stroke-width="1"/>`);
    const label = xt.labels[i];
    out.push(text(sx(t), bottom + 19, label.main, { size: TICK_FONT_PX, anchor: 'middle', fill: '#333333' }));
    if (label.year) out.push(text(sx(t), bottom + 35, label.year, { size: TICK_FONT_PX, anchor: 'middle', fill: '#777777' }));
  });

  // Series: lines first, then markers on top so a line never hides a point.
  spec.series.forEach((s) => {
    for (const run of runs(s.values)) {
      if (run.length < 2) continue;
      const d = run.map((i, k) => `${k === 0 ? 'M' : 'L'}${f(sx(times[i]))},${f(sy(s.values[i]!))}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${attr(s.color)}" stroke-width="2.25" stroke-linejoin="round"/>`);
    }
  });
  spec.series.forEach((s, k) => {
    const shape = s.marker ?? SHAPES[k % SHAPES.length];
    s.values.forEach((v, i) => {
      if (v !== null) out.push(marker(shape, sx(times[i]), sy(v), s.color));
    });
  });
  if (values.length === 0) out.push(text(left + plotW / 2, top + plotH / 2, 'no data', { size: 16, anchor: 'middle', fill: '#999999' }));

  // Legend: right-aligned on the row above the frame, where no data can be.
  const legendY = top - 16;
  let lx = right;
  for (let k = spec.series.length - 1; k >= 0; k--) {
    const s = spec.series[k];
    lx -= textWidth(s.name, 13);
    out.push(text(lx, legendY + 4.5, s.name, { size: 13, fill: '#222222' }));
    lx -= 30;
    out.push(`<line x1="${f(lx)}" y1="${f(legendY)}" x2="${f(lx + 24)}" y2="${f(legendY)}" stroke="${attr(s.color)}" stroke-width="2.25"/>`);
    out.push(marker(s.marker ?? SHAPES[k % SHAPES.length], lx + 12, legendY, s.color));
    lx -= 20;
  }
  out.push('</svg>');
  return out.join('\n');
}

function checkSpec(spec: TimeSeriesChartSpec): void {
  const t = spec.timesMs;
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i]) || (i > 0 && t[i] < t[i - 1])) throw new ChartAxisError(`timesMs[${i}] = ${t[i]} is not finite and ascending`);
  }
  for (const s of spec.series) {
    if (s.values.length !== t.length) throw new ChartAxisError(`series "${s.name}" has ${s.values.length} values for ${t.length} times`);
    const bad = s.values.findIndex((v) => v !== null && !Number.isFinite(v));
    if (bad >= 0) throw new ChartAxisError(`series "${s.name}" value ${bad} = ${s.values[bad]} is not finite`);
  }
}

/** Index runs of consecutive non-null values. */
function runs(values: Array<number | null>): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (cur.length) out.push(cur);
      cur = [];
    } else {
      cur.push(i);
    }
  });
  if (cur.length) out.push(cur);
  return out;
}

function marker(shape: MarkerShape, x: number, y: number, color: string): string {
  const c = attr(color);
  const edge = 'stroke="#ffffff" stroke-width="1.5"';
  if (shape === 'square') return `<rect x="${f(x - 4)}" y="${f(y - 4)}" width="8" height="8" fill="${c}" ${edge}/>`;
  if (shape === 'diamond') return `<path d="M${f(x)},${f(y - 5.5)} L${f(x + 5.5)},${f(y)} L${f(x)},${f(y + 5.5)} L${f(x - 5.5)},${f(y)} Z" fill="${c}" ${edge}/>`;
  return `<circle cx="${f(x)}" cy="${f(y)}" r="4.5" fill="${c}" ${edge}/>`;
}

function text(
  x: number, y: number, s: string,
  o: { size: number; fill: string; anchor?: 'start' | 'middle' | 'end'; weight?: 'bold'; rotate?: boolean },
): string {
  const anchor = o.anchor && o.anchor !== 'start' ? ` text-anchor="${o.anchor}"` : '';
  const weight = o.weight ? ` font-weight="${o.weight}"` : '';
  const rotate = o.rotate ? ` transform="rotate(-90 ${f(x)} ${f(y)})"` : '';
  return `<text x="${f(x)}" y="${f(y)}" font-size="${o.size}" fill="${o.fill}"${anchor}${weight}${rotate}>${escapeXml(s)}</text>`;
}

/** Estimated rendered width in px. */
function textWidth(s: string, sizePx: number): number {
  return s.length * sizePx * CHAR_EM;
}

/** `1234.5` → `1,234.5` with a fixed number of decimals. */
function formatNumber(v: number, decimals: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

const f = (v: number): string => String(Math.round(v * 10) / 10);

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const attr = escapeXml;
