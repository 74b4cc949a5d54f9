/**
 * A static quick-look page for one scene: the true-colour and NDCI previews side by side, the water and bloom
 * polygons drawn over both (SVG in the previews' pixel space, overlay.ts), the scene's summary numbers, the
 * largest polygons, and links to the products. One HTML file with its CSS and script inline and no external
 * resource but the previews and files it links to (relative hrefs), so it opens from a file system or a bucket
 * without a server or a network.
 */
import type { GridInput } from '../geo/grid';
import { VIRIDIS_RGB } from '../preview/viridis';
import { QuicklookInputError } from './errors';
import { overlayPaths, type OverlayPath, type PolygonFeatureCollection } from './overlay';
import type { SceneSummary } from './summary';

export interface QuicklookLayer {
  class: 'water' | 'bloom';
  /** The layer's polygons in WGS 84 (raster/vector/geojson.ts output, parsed). */
  geojson: PolygonFeatureCollection;
}

export interface QuicklookInput {
  sceneId: string;
  /** ISO 8601 time of the scene. */
  datetime: string;
  /** The scene's grid (CRS, geotransform, size) the previews were made from. */
  grid: GridInput;
  preview: {
    /** Relative hrefs of the PNG previews. */
    rgbHref: string;
    ndciHref: string;
    /** Preview size in pixels. */
    width: number;
    height: number;
    /** Scene pixels per preview pixel along each axis (raster/preview reduces by a whole factor). @default 1 */
    factor?: number;
  };
  /** NDCI values at the two ends of the preview's colour scale. @default [-0.3, 0.3] (the NDCI preview's) */
  ndciRange?: [number, number];
  /** NDCI above which water counts as bloom (raster/indices/hab.ts BLOOM_NDCI_THRESHOLD). @default 0.3 */
  bloomNdciThreshold?: number;
  layers: QuicklookLayer[];
  summary: SceneSummary;
  /** Other files of the scene, shown as links (relative hrefs). */
  links?: Array<{ label: string; href: string }>;
  /** Rows in each "largest polygons" table. @default 10 */
  topPolygons?: number;
}

const COLORS = { water: '#00e5ff', bloom: '#ff2d95' } as const;

/**
 * The page as HTML text.
 * @throws QuicklookInputError for a preview size or factor that is not a positive whole number;
 *   UnknownCrsError, GeoInputError for a bad grid.
 */
export function quicklookPage(input: QuicklookInput): string {
  const { preview, summary } = input;
  const factor = preview.factor ?? 1;
  for (const [name, v] of [['preview width', preview.width], ['preview height', preview.height], ['preview factor', factor]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new QuicklookInputError(`${name} ${v} is not a positive whole number`);
  }
  const layers = input.layers.map((l) => ({ ...l, paths: overlayPaths(l.geojson, input.grid, factor) }));
  const svg = (): string =>
    `<svg viewBox="0 0 ${preview.width} ${preview.height}" preserveAspectRatio="none" aria-hidden="true">` +
    layers.map((l) => `<g class="layer ${l.class}" data-layer="${l.class}">${l.paths.map((p) => pathElement(l.class, p)).join('')}</g>`).join('') +
    '</svg>';
  const [lo, hi] = input.ndciRange ?? [-0.3, 0.3];
  const km2 = (v: number): string => `${fmt(v, v < 10 ? 3 : 2)} km²`;
  const stats: Array<[string, string, string]> = [
    ['Valid area', km2(summary.validKm2), 'pixels with data'],
    ['Water', km2(summary.waterKm2), pct(summary.waterKm2, summary.validKm2) + ' of valid'],
    ['Bloom', km2(summary.bloomKm2), `NDCI &gt; ${fmt(input.bloomNdciThreshold ?? 0.3, 2)} in water`],
    ['Bloom fraction', summary.bloomFraction === null ? '–' : `${fmt(100 * summary.bloomFraction, 1)} %`, 'of water with NDCI'],
    ['Water polygons', String(summary.waterPolygons), ''],
    ['Bloom polygons', String(summary.bloomPolygons), ''],
  ];
  const top = input.topPolygons ?? 10;
  const title = `Tessera · ${input.sceneId}`;
  const g = input.grid;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>${esc(input.sceneId)}</h1><p class="meta">${esc(input.datetime)} · EPSG:${g.epsg} · ${g.width} × ${g.height} px · preview ${preview.width} × ${preview.height} px</p></header>`,
    '<section class="stats">',
    ...stats.map(([k, v, note]) => `<div class="stat" data-stat="${esc(k)}"><div class="k">${esc(k)}</div><div class="v">${v}</div><div class="n">${note}</div></div>`),
    '</section>',
    '<section class="controls">',
    ...layers.map(
      (l) =>
        `<label><input type="checkbox" checked data-toggle="${l.class}"> <span class="swatch" style="border-color:${COLORS[l.class]};background:${COLORS[l.class]}33"></span> ${l.class} polygons (${l.paths.length})</label>`,
    ),
    '</section>',
    '<section class="views">',
    `<figure><figcaption>True colour</figcaption><div class="map" style="aspect-ratio:${preview.width}/${preview.height}"><img src="${esc(preview.rgbHref)}" alt="true-colour preview">${svg()}</div></figure>`,
    `<figure><figcaption>NDCI <span class="bar" style="background:${viridisGradient()}"></span> <span class="range">${fmt(lo, 2)} … ${fmt(hi, 2)}</span></figcaption>` +
      `<div class="map" style="aspect-ratio:${preview.width}/${preview.height}"><img src="${esc(preview.ndciHref)}" alt="NDCI preview">${svg()}</div></figure>`,
    '</section>',
    '<section class="tables">',
    ...layers.map((l) => polygonTable(l.class, l.paths, top)),
    '</section>',
    input.links && input.links.length > 0
      ? `<section class="files"><h2>Files</h2><ul>${input.links.map((f) => `<li><a href="${esc(f.href)}">${esc(f.label)}</a></li>`).join('')}</ul></section>`
      : '',
    '<div id="tip" class="tip" hidden></div>',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
  ].join('\n');
}

function pathElement(cls: 'water' | 'bloom', p: OverlayPath): string {
  const a = num(p.properties.area_m2);
  const attrs = [
    `data-id="${esc(String(p.properties.id ?? ''))}"`,
    `data-area="${a === null ? '' : fmt(a / 1e6, 4)}"`,
    `data-pixels="${esc(String(p.properties.pixel_count ?? ''))}"`,
    `data-mean="${fmtOrEmpty(num(p.properties.mean), 3)}"`,
    `data-max="${fmtOrEmpty(num(p.properties.max), 3)}"`,
  ].join(' ');
  return `<path class="${cls}" d="${p.d}" ${attrs}/>`;
}

function polygonTable(cls: 'water' | 'bloom', paths: OverlayPath[], top: number): string {
  const rows = [...paths].sort((a, b) => (num(b.properties.area_m2) ?? 0) - (num(a.properties.area_m2) ?? 0)).slice(0, top);
  const body = rows
    .map((p) => {
      const area = num(p.properties.area_m2);
      return `<tr><td>${esc(String(p.properties.id ?? ''))}</td><td>${area === null ? '–' : fmt(area / 1e6, 4)}</td><td>${esc(String(p.properties.pixel_count ?? ''))}</td><td>${fmtOrDash(num(p.properties.mean), 3)}</td><td>${fmtOrDash(num(p.properties.max), 3)}</td></tr>`;
    })
    .join('');
  return `<div class="table"><h2><span class="swatch" style="border-color:${COLORS[cls]};background:${COLORS[cls]}33"></span> Largest ${cls} polygons</h2><table><thead><tr><th>id</th><th>km²</th><th>pixels</th><th>mean NDCI</th><th>max NDCI</th></tr></thead><tbody>${body || '<tr><td colspan="5">none</td></tr>'}</tbody></table></div>`;
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
.stats { display: grid; grid-template-columns: repeat(6, minmax(120px, 1fr)); gap: 10px; margin-bottom: 14px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.stat .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.stat .v { font-size: 20px; font-weight: 600; margin-top: 2px; font-variant-numeric: tabular-nums; }
.stat .n { color: var(--muted); font-size: 12px; min-height: 1em; }
.controls { display: flex; gap: 22px; margin: 6px 0 12px; }
.controls label { cursor: pointer; user-select: none; }
.swatch { display: inline-block; width: 14px; height: 14px; border: 2px solid; border-radius: 3px; vertical-align: -2px; }
.views { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px; }
figcaption { font-weight: 600; margin-bottom: 8px; display: flex; align-items: center; gap: 8px; }
figcaption .bar { display: inline-block; width: 160px; height: 10px; border-radius: 2px; }
figcaption .range { font-weight: 400; color: var(--muted); font-variant-numeric: tabular-nums; }
.map { position: relative; width: 100%; background: repeating-conic-gradient(#e9edf2 0% 25%, #f7f9fb 0% 50%) 50% / 16px 16px; }
.map img { position: absolute; inset: 0; width: 100%; height: 100%; image-rendering: pixelated; }
.map svg { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible; }
path { fill-rule: evenodd; vector-effect: non-scaling-stroke; stroke-width: 1.3; stroke-linejoin: round; }
path.water { stroke: ${COLORS.water}; fill: ${COLORS.water}; fill-opacity: .10; }
path.bloom { stroke: ${COLORS.bloom}; fill: ${COLORS.bloom}; fill-opacity: .22; }
path:hover, path.hi { stroke-width: 3; fill-opacity: .45; }
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
      document.querySelectorAll('g.layer.' + box.dataset.toggle).forEach(function (g) { g.classList.toggle('off', !box.checked); });
    });
  });
  var tip = document.getElementById('tip');
  document.querySelectorAll('svg path').forEach(function (p) {
    p.addEventListener('mousemove', function (e) {
      var d = p.dataset;
      tip.textContent = p.getAttribute('class') + ' polygon ' + d.id + '\\n' + d.area + ' km², ' + d.pixels + ' px' +
        (d.mean ? '\\nNDCI mean ' + d.mean + ', max ' + d.max : '');
      tip.style.left = (e.clientX + 14) + 'px';
      tip.style.top = (e.clientY + 14) + 'px';
      tip.hidden = false;
      document.querySelectorAll('path.' + p.getAttribute('class') + '[data-id="' + d.id + '"]').forEach(function (q) { q.classList.add('hi'); });
    });
    p.addEventListener('mouseleave', function () {
      tip.hidden = true;
      document.querySelectorAll('path.hi').forEach(function (q) { q.classList.remove('hi'); });
    });
  });
})();
`;
