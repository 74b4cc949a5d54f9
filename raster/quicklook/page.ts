/**
 * A static quick-look page for one scene: its previews side by side (true colour, NDCI, ...), the polygons of
 * every vectorised mask drawn over each (SVG in the previews' pixel space, overlay.ts), the scene's summary
 * numbers, the largest polygons, and links to the products. One HTML file with its CSS and script inline and no external
 * resource but the previews and files it links to (relative hrefs), so it opens from a file system or a bucket
 * without a server or a network.
 */
import type { GridInput } from '../geo/grid';
import { VIRIDIS_RGB } from '../preview/viridis';
import { QuicklookInputError } from './errors';
import { overlayPaths, type OverlayPath, type PolygonFeatureCollection } from './overlay';
import type { SceneSummary } from './summary';

/** One PNG preview of the scene. */
export interface QuicklookPreview {
  /** Caption, e.g. `True colour`, `NDCI`. */
  label: string;
  /** Relative href of the PNG. */
  href: string;
  /** A colour-mapped (viridis) preview: the values at the two ends of its scale, shown as a legend. */
  range?: [number, number];
}

export interface QuicklookLayer {
  /** The mask's name (`water`, `bloom`, a custom mask product): its label, colour and `data-layer`. */
  name: string;
  /** The layer's polygons in WGS 84 (raster/vector/geojson.ts output, parsed). */
  geojson: PolygonFeatureCollection;
}

export interface QuicklookInput {
  sceneId: string;
  /** ISO 8601 time of the scene; null when the input has none. */
  datetime: string | null;
  /** The scene's grid (CRS, geotransform, size) the previews were made from; null for a scene without a CRS (then no layers). */
  grid: GridInput | null;
  /** Size shared by the previews, and the polygons' drawing space when there is no preview. */
  preview: {
    /** Preview size in pixels. */
    width: number;
    height: number;
    /** Scene pixels per preview pixel along each axis (raster/preview reduces by a whole factor). @default 1 */
    factor?: number;
  };
  /** The PNG previews, each drawn with every layer over it; none: the polygons are drawn on their own. */
  previews: QuicklookPreview[];
  /** NDCI above which water counts as bloom (raster/indices/hab.ts BLOOM_NDCI_THRESHOLD). @default 0.3 */
  bloomNdciThreshold?: number;
  layers: QuicklookLayer[];
  summary: SceneSummary;
  /** Other files of the scene, shown as links (relative hrefs). */
  links?: Array<{ label: string; href: string }>;
  /** Rows in each "largest polygons" table. @default 10 */
  topPolygons?: number;
  /**
   * At most this many polygons of a layer are drawn, the largest first: every path is drawn once per preview, and
   * tens of thousands of them make the page slow to open. @default MAX_DRAWN_POLYGONS
   */
  maxDrawnPolygons?: number;
}

/** Default of {@link QuicklookInput.maxDrawnPolygons}. */
export const MAX_DRAWN_POLYGONS = 5000;

const NAMED_COLORS: Record<string, string> = { water: '#00e5ff', bloom: '#ff2d95' };
// Other masks, in the order the run lists them: picked to stay apart from the two above and from viridis.
const MORE_COLORS = ['#ffb000', '#b6ff3b', '#ff5a1f', '#c39bff', '#ffffff'];

/**
 * The page as HTML text.
 * @throws QuicklookInputError for a preview size or factor that is not a positive whole number, or layers
 *   without a grid; UnknownCrsError, GeoInputError for a bad grid.
 */
export function quicklookPage(input: QuicklookInput): string {
  const { preview, summary } = input;
  const factor = preview.factor ?? 1;
  for (const [name, v] of [['preview width', preview.width], ['preview height', preview.height], ['preview factor', factor]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new QuicklookInputError(`${name} ${v} is not a positive whole number`);
  }
  if (input.layers.length > 0 && input.grid === null) throw new QuicklookInputError('polygons need the scene grid to be drawn, and there is none');
  const maxDrawn = input.maxDrawnPolygons ?? MAX_DRAWN_POLYGONS;
  let more = 0;
  const layers = input.layers.map((l) => {
    const color = NAMED_COLORS[l.name] ?? MORE_COLORS[more++ % MORE_COLORS.length];
    const all = overlayPaths(l.geojson, input.grid!, factor);
    const drawn = all.length > maxDrawn ? [...all].sort((a, b) => (num(b.properties.area_m2) ?? 0) - (num(a.properties.area_m2) ?? 0)).slice(0, maxDrawn) : all;
    return { name: l.name, color, all, drawn };
  });
  const svg = (): string =>
    `<svg viewBox="0 0 ${preview.width} ${preview.height}" preserveAspectRatio="none" aria-hidden="true">` +
    layers.map((l) => `<g class="layer" data-layer="${esc(l.name)}" style="--c:${l.color}">${l.drawn.map(pathElement).join('')}</g>`).join('') +
    '</svg>';
  const km2 = (v: number | null): string => (v === null ? '–' : `${fmt(v, v < 10 ? 3 : 2)} km²`);
  const stats: Array<[string, string, string]> = [
    ['Valid area', km2(summary.validKm2), 'pixels with data'],
    ['Water', km2(summary.waterKm2), summary.waterKm2 === null ? 'no water mask' : pct(summary.waterKm2, summary.validKm2) + ' of valid'],
    ['Bloom', km2(summary.bloomKm2), summary.bloomKm2 === null ? 'no NDCI' : `NDCI &gt; ${fmt(input.bloomNdciThreshold ?? 0.3, 2)} in water`],
    ['Bloom fraction', summary.bloomFraction === null ? '–' : `${fmt(100 * summary.bloomFraction, 1)} %`, 'of water with NDCI'],
    ...Object.entries(summary.polygons).map(([name, n]): [string, string, string] => [`${name} polygons`, fmt(n, 0), polygonNote(name, layers)]),
  ];
  const top = input.topPolygons ?? 10;
  const title = `Tessera · ${input.sceneId}`;
  const g = input.grid;
  const aspect = `aspect-ratio:${preview.width}/${preview.height}`;
  const figures = input.previews.length > 0
    ? input.previews.map(
        (p) =>
          `<figure><figcaption>${esc(p.label)}${p.range ? ` <span class="bar" style="background:${viridisGradient()}"></span> <span class="range">${fmt(p.range[0], 2)} … ${fmt(p.range[1], 2)}</span>` : ''}</figcaption>` +
          `<div class="map" style="${aspect}"><img src="${esc(p.href)}" alt="${esc(p.label)} preview">${svg()}</div></figure>`,
      )
    : [`<figure><figcaption>Polygons</figcaption><div class="map" style="${aspect}">${svg()}</div></figure>`];
  const meta = [
    input.datetime ?? 'no acquisition time',
    g ? `EPSG:${g.epsg} · ${g.width} × ${g.height} px` : 'no CRS',
    `preview ${preview.width} × ${preview.height} px${factor > 1 ? ` (1:${factor})` : ''}`,
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>${esc(input.sceneId)}</h1><p class="meta">${meta.map(esc).join(' · ')}</p></header>`,
    '<section class="stats">',
    ...stats.map(([k, v, note]) => `<div class="stat" data-stat="${esc(k)}"><div class="k">${esc(k)}</div><div class="v">${v}</div><div class="n">${note}</div></div>`),
    '</section>',
    layers.length > 0 ? '<section class="controls">' : '',
    ...layers.map(
      (l) =>
        `<label><input type="checkbox" checked data-toggle="${esc(l.name)}"> <span class="swatch" style="--c:${l.color}"></span> ${esc(l.name)} polygons (${l.all.length})</label>`,
    ),
    layers.length > 0 ? '</section>' : '',
    `<section class="views${figures.length === 1 ? ' one' : ''}">`,
    ...figures,
    '</section>',
    layers.length > 0 ? '<section class="tables">' : '',
    ...layers.map((l) => polygonTable(l.name, l.color, l.all, top)),
    layers.length > 0 ? '</section>' : '',
    input.links && input.links.length > 0
      ? `<section class="files"><h2>Files</h2><ul>${input.links.map((f) => `<li><a href="${esc(f.href)}">${esc(f.label)}</a></li>`).join('')}</ul></section>`
      : '',
    '<div id="tip" class="tip" hidden></div>',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
  ].join('\n');
}

/** Under a layer's count: how much of it is drawn, or that it is not (no GeoJSON was written). */
function polygonNote(name: string, layers: Array<{ name: string; all: unknown[]; drawn: unknown[] }>): string {
  const l = layers.find((x) => x.name === name);
  if (!l) return 'not drawn (no GeoJSON)';
  return l.drawn.length < l.all.length ? `largest ${fmt(l.drawn.length, 0)} drawn` : 'drawn over the previews';
}

function pathElement(p: OverlayPath): string {
  const a = num(p.properties.area_m2);
  const attrs = [
    `data-id="${esc(String(p.properties.id ?? ''))}"`,
    `data-area="${a === null ? '' : fmt(a / 1e6, 4)}"`,
    `data-pixels="${esc(String(p.properties.pixel_count ?? ''))}"`,
    `data-mean="${fmtOrEmpty(num(p.properties.mean), 3)}"`,
    `data-max="${fmtOrEmpty(num(p.properties.max), 3)}"`,
  ].join(' ');
  return `<path d="${p.d}" ${attrs}/>`;
}

function polygonTable(name: string, color: string, paths: OverlayPath[], top: number): string {
  const rows = [...paths].sort((a, b) => (num(b.properties.area_m2) ?? 0) - (num(a.properties.area_m2) ?? 0)).slice(0, top);
  // Only polygons traced with a value raster (bloom: NDCI) have a mean and max; the others get no empty columns.
  const values = paths.some((p) => num(p.properties.mean) !== null);
  const head = `<tr><th>id</th><th>km²</th><th>pixels</th>${values ? '<th>mean NDCI</th><th>max NDCI</th>' : ''}</tr>`;
  const body = rows
    .map((p) => {
      const area = num(p.properties.area_m2);
      const cells = [esc(String(p.properties.id ?? '')), area === null ? '–' : fmt(area / 1e6, 4), esc(String(p.properties.pixel_count ?? ''))];
      if (values) cells.push(fmtOrDash(num(p.properties.mean), 3), fmtOrDash(num(p.properties.max), 3));
      return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('');
  const empty = `<tr><td colspan="${values ? 5 : 3}">none</td></tr>`;
  return `<div class="table"><h2><span class="swatch" style="--c:${color}"></span> Largest ${esc(name)} polygons</h2><table><thead>${head}</thead><tbody>${body || empty}</tbody></table></div>`;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function fmt(v: number, decimals: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function fmtOrEmpty(v: number | null, d: number): string {
  return v === null ? '' : v.toFixed(d);
}

function fmtOrDash(v: number | null, d: number): string {
  return v === null ? '–' : v.toFixed(d);
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${fmt((100 * part) / whole, 1)} %` : '–';
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A CSS gradient through the viridis table the NDCI preview uses (9 stops). */
function viridisGradient(): string {
  const stops: string[] = [];
  for (let k = 0; k <= 8; k++) {
    const i = Math.min(255, Math.round((k * 255) / 8)) * 3;
    stops.push(`rgb(${VIRIDIS_RGB[i]},${VIRIDIS_RGB[i + 1]},${VIRIDIS_RGB[i + 2]}) ${k * 12.5}%`);
  }
  return `linear-gradient(90deg, ${stops.join(', ')})`;
}

const CSS = `
:root { color-scheme: light; --fg: #1d2430; --muted: #5b6575; --bg: #f4f6f9; --card: #fff; --line: #dde2ea; }
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 28px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header h1 { margin: 0; font-size: 22px; }
.meta { margin: 2px 0 16px; color: var(--muted); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin-bottom: 14px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.stat .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.stat .v { font-size: 20px; font-weight: 600; margin-top: 2px; font-variant-numeric: tabular-nums; }
.stat .n { color: var(--muted); font-size: 12px; min-height: 1em; }
.controls { display: flex; gap: 22px; margin: 6px 0 12px; }
.controls label { cursor: pointer; user-select: none; }
.swatch { display: inline-block; width: 14px; height: 14px; border: 2px solid var(--c); background: color-mix(in srgb, var(--c) 20%, transparent); border-radius: 3px; vertical-align: -2px; }
.views { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.views.one { grid-template-columns: minmax(0, 900px); }
figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px; }
figcaption { font-weight: 600; margin-bottom: 8px; display: flex; align-items: center; gap: 8px; }
figcaption .bar { display: inline-block; width: 160px; height: 10px; border-radius: 2px; }
figcaption .range { font-weight: 400; color: var(--muted); font-variant-numeric: tabular-nums; }
.map { position: relative; width: 100%; background: repeating-conic-gradient(#e9edf2 0% 25%, #f7f9fb 0% 50%) 50% / 16px 16px; }
.map img { position: absolute; inset: 0; width: 100%; height: 100%; image-rendering: pixelated; }
.map svg { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible; }
path { fill-rule: evenodd; vector-effect: non-scaling-stroke; stroke-width: 1.3; stroke-linejoin: round; }
g.layer path { stroke: var(--c); fill: var(--c); fill-opacity: .14; }
g.layer[data-layer="water"] path { fill-opacity: .10; }
g.layer path:hover, g.layer path.hi { stroke-width: 3; fill-opacity: .45; }
.layer.off { display: none; }
.tables { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 16px; }
.table { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
h2 { font-size: 15px; margin: 0 0 8px; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 3px 6px; border-bottom: 1px solid var(--line); }
th:first-child, td:first-child { text-align: left; }
.files { margin-top: 16px; }
.files ul { margin: 0; padding-left: 18px; columns: 2; }
.tip { position: fixed; pointer-events: none; background: rgba(20, 24, 32, .92); color: #fff; padding: 6px 8px; border-radius: 6px; font-size: 12px; white-space: pre; }
`;

// Layer toggles and a tooltip with each polygon's numbers; no library, no network.
const SCRIPT = `
(function () {
  document.querySelectorAll('input[data-toggle]').forEach(function (box) {
    box.addEventListener('change', function () {
      document.querySelectorAll('g.layer[data-layer="' + box.dataset.toggle + '"]').forEach(function (g) { g.classList.toggle('off', !box.checked); });
    });
  });
  var tip = document.getElementById('tip');
  document.querySelectorAll('g.layer path').forEach(function (p) {
    var layer = p.parentNode.dataset.layer;
    p.addEventListener('mousemove', function (e) {
      var d = p.dataset;
      tip.textContent = layer + ' polygon ' + d.id + '\\n' + d.area + ' km², ' + d.pixels + ' px' +
        (d.mean ? '\\nNDCI mean ' + d.mean + ', max ' + d.max : '');
      tip.style.left = (e.clientX + 14) + 'px';
      tip.style.top = (e.clientY + 14) + 'px';
      tip.hidden = false;
      document.querySelectorAll('g.layer[data-layer="' + layer + '"] path[data-id="' + d.id + '"]').forEach(function (q) { q.classList.add('hi'); });
    });
    p.addEventListener('mouseleave', function () {
      tip.hidden = true;
      document.querySelectorAll('path.hi').forEach(function (q) { q.classList.remove('hi'); });
    });
  });
})();
`;
