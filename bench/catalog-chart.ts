/**
 * The catalog benchmark's plot: scenes per hour against worker threads (1 and 2), one line per way of adding a
 * thread, the reference (1 thread, then ALL_CPUS on 2 cores) dashed. SVG built here, rendered to PNG by raster/chart/png.ts (sharp).
 */
import { svgToPng } from '../raster/chart/png';
import { linearTicks } from '../raster/chart/ticks';

export interface ThroughputSeries {
  name: string;
  color: string;
  /** Scenes per hour at 1 and at 2 threads; null where the row was not run. */
  points: Array<{ threads: number; scenesPerHour: number }>;
  /** Drawn dashed: the reference, so it reads apart from Tessera's lines. */
  dashed?: boolean;
}

const FONT = "'DejaVu Sans', Verdana, sans-serif";

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function throughputSvg(title: string, subtitle: string, series: ThroughputSeries[]): string {
  const W = 900;
  const H = 560;
  const left = 90;
  const right = 330;
  const top = 90;
  const bottom = 70;
  const values = series.flatMap((s) => s.points.map((p) => p.scenesPerHour));
  const y = linearTicks(0, Math.max(1, ...values) * 1.08, 7);
  const yMax = y.ticks[y.ticks.length - 1];
  const px = (threads: number) => left + ((threads - 0.75) / 1.5) * (W - left - right);
  const py = (v: number) => H - bottom - (v / yMax) * (H - top - bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${left}" y="36" font-family="${FONT}" font-size="20" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${left}" y="62" font-family="${FONT}" font-size="13" fill="#444">${esc(subtitle)}</text>`);
  for (const t of y.ticks) {
    out.push(`<line x1="${left}" x2="${W - right}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 8}" y="${py(t) + 4}" text-anchor="end" font-family="${FONT}" font-size="12">${t.toFixed(y.decimals)}</text>`);
  }
  for (const threads of [1, 2]) {
    out.push(`<line x1="${px(threads)}" x2="${px(threads)}" y1="${H - bottom}" y2="${H - bottom + 6}" stroke="#333"/>`);
    out.push(`<text x="${px(threads)}" y="${H - bottom + 22}" text-anchor="middle" font-family="${FONT}" font-size="13">${threads}</text>`);
  }
  out.push(`<line x1="${left}" x2="${W - right}" y1="${H - bottom}" y2="${H - bottom}" stroke="#333"/>`);
  out.push(`<text x="${(left + W - right) / 2}" y="${H - 18}" text-anchor="middle" font-family="${FONT}" font-size="14">worker threads (cores)</text>`);
  out.push(`<text transform="translate(24 ${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle" font-family="${FONT}" font-size="14">scenes per hour</text>`);
  // Value labels are placed after the lines: per x, top to bottom, each at least 14 px below the one above, so
  // close values stay readable and keep their order.
  const labels: Array<{ threads: number; y: number; text: string; color: string }> = [];
  series.forEach((s, i) => {
    const dash = s.dashed ? ' stroke-dasharray="7 5"' : '';
    const pts = [...s.points].sort((a, b) => a.threads - b.threads);
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5"${dash} points="${pts.map((p) => `${px(p.threads)},${py(p.scenesPerHour)}`).join(' ')}"/>`);
    for (const p of pts) {
      out.push(`<circle cx="${px(p.threads)}" cy="${py(p.scenesPerHour)}" r="5" fill="${s.color}"/>`);
      const text = String(Math.round(p.scenesPerHour));
      // Two lines that share a point (the pinned single host) label it once.
      if (!labels.some((l) => l.threads === p.threads && l.text === text)) labels.push({ threads: p.threads, y: py(p.scenesPerHour) + 4, text, color: s.color });
    }
    const ly = top + 10 + i * 26;
    const lx = W - right + 24;
    out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${dash}/>`);
    out.push(`<text x="${lx + 34}" y="${ly + 4}" font-family="${FONT}" font-size="12">${esc(s.name)}</text>`);
  });
  for (const threads of new Set(labels.map((l) => l.threads))) {
    const column = labels.filter((l) => l.threads === threads).sort((a, b) => a.y - b.y);
    column.forEach((l, k) => {
      if (k > 0) l.y = Math.max(l.y, column[k - 1].y + 14);
      // Left of the 1-thread points, right of the 2-thread ones: away from the lines that join them.
      const x = threads === 1 ? px(threads) - 10 : px(threads) + 10;
      out.push(`<text x="${x}" y="${l.y}" text-anchor="${threads === 1 ? 'end' : 'start'}" font-family="${FONT}" font-size="12" fill="${l.color}">${l.text}</text>`);
    });
  }
  out.push('</svg>');
  return out.join('\n');
}

export async function throughputPng(title: string, subtitle: string, series: ThroughputSeries[]): Promise<Uint8Array> {
  return svgToPng(throughputSvg(title, subtitle, series), { scale: 1 });
}
