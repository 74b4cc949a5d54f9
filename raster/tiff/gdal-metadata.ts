/**
 * GDAL_METADATA (tag 42112): GDAL's XML of dataset and band metadata,
 * `<GDALMetadata><Item name="..." [sample="i"] [role="..."] [domain="..."]>value</Item>...</GDALMetadata>`.
 * sample = 0-based band; no sample = dataset item. Roles description/scale/offset/unittype carry band
 * properties; other domains (IMAGERY, ...) are skipped, like `gdalinfo` without `-mdd`.
 */
import type { BandInfo } from '../types';

export interface GdalMetadata {
  /** Dataset items of the default domain. */
  dataset: Record<string, string>;
  /** Per band (index = sample), when any item names it. */
  bands: BandMetadata[];
}

export interface BandMetadata {
  description?: string;
  scale?: number;
  offset?: number;
  unit?: string;
  /** Plain items of the default domain, verbatim. */
  items: Record<string, string>;
}

const ITEM = /<Item\b([^>]*?)(?:\/>|>([\s\S]*?)<\/Item\s*>)/g;
const ATTR = /([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parses the XML; items it cannot read are skipped (GDAL also ignores what it does not understand). */
export function parseGdalMetadata(xml: string): GdalMetadata {
  const out: GdalMetadata = { dataset: {}, bands: [] };
  for (const m of xml.matchAll(ITEM)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(ATTR)) attrs[a[1]] = decodeEntities(a[2] ?? a[3] ?? '');
    const name = attrs.name;
    if (name === undefined || (attrs.domain !== undefined && attrs.domain !== '')) continue;
    // GDAL escapes item values twice (CPLEscapeString, then the XML writer) and unescapes twice on read.
    const value = decodeEntities(decodeEntities(m[2] ?? ''));
    if (attrs.sample === undefined) {
      out.dataset[name] = value;
      continue;
    }
    const sample = Number(attrs.sample);
    if (!Number.isInteger(sample) || sample < 0 || sample > 65535) continue;
    while (out.bands.length <= sample) out.bands.push({ items: {} });
    const band = out.bands[sample];
    switch (attrs.role) {
      case 'description':
        band.description = value;
        break;
      case 'scale':
        band.scale = Number(value);
        break;
      case 'offset':
        band.offset = Number(value);
        break;
      case 'unittype':
        band.unit = value;
        break;
      case undefined:
        band.items[name] = value;
        break;
      default:
        break; // roles GDAL may add later (e.g. colorinterp) are not band items
    }
  }
  return out;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return NAMED[e] ?? whole;
  });
}

/** Units the ENVI convention (`wavelength_units`) uses for micrometres. */
const MICROMETRES = /^(micrometers?|micrometres?|microns?|µm|μm|um)$/i;
const NANOMETRES = /^(nanometers?|nanometres?|nm)$/i;

/**
 * Builds a band's BandInfo: description/scale/offset/unit from roles, every plain item kept verbatim, and
 * `wavelengthNm`/`fwhmNm` parsed from the `wavelength`/`fwhm` items. Units come from the band's
 * `wavelength_units`, else the dataset's; micrometres are converted. Without units, a wavelength below 100
 * is taken as micrometres (no imaging band is centred below 100 nm or beyond 100 µm), and fwhm follows it.
 */
export function bandInfo(band: BandMetadata | undefined, dataset: Record<string, string>): BandInfo {
  const info: BandInfo = { metadata: { ...(band?.items ?? {}) } };
  if (!band) return info;
  if (band.description !== undefined) info.description = band.description;
  if (band.scale !== undefined && Number.isFinite(band.scale)) info.scale = band.scale;
  if (band.offset !== undefined && Number.isFinite(band.offset)) info.offset = band.offset;
  if (band.unit !== undefined) info.unit = band.unit;
  const units = (band.items.wavelength_units ?? dataset.wavelength_units ?? '').trim();
  const wavelengthRaw = parseNumber(band.items.wavelength);
  const micrometres = MICROMETRES.test(units)
    || (!NANOMETRES.test(units) && wavelengthRaw !== undefined && wavelengthRaw < 100);
  // toPrecision(15) drops the binary noise of the x1000 (0.6505 µm -> 650.5 nm, not 650.5000000000001).
  const toNm = (v: number | undefined): number | undefined =>
    v === undefined ? undefined : micrometres ? Number((v * 1000).toPrecision(15)) : v;
  const wavelength = toNm(wavelengthRaw);
  const fwhm = toNm(parseNumber(band.items.fwhm));
  if (wavelength !== undefined) info.wavelengthNm = wavelength;
  if (fwhm !== undefined) info.fwhmNm = fwhm;
  return info;
}

function parseNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw);
  return Number.isFinite(v) ? v : undefined;
}
