/**
 * GDAL_METADATA (TIFF tag 42112) XML as GDAL's GTiff driver writes it: dataset items without `sample`, band items
 * with a 0-based `sample`, band description / scale / offset / unit type carried by `role`.
 */
import type { BandInfo } from '../types';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Shortest decimal text that parses back to the same double (GDAL reads these with CPLAtof). */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/**
 * Builds the XML, or undefined when there is nothing to write. Per band: DESCRIPTION, SCALE, OFFSET, UNITTYPE roles,
 * then `metadata` verbatim; `wavelengthNm` / `fwhmNm` are added as `wavelength` / `fwhm` (+ `wavelength_units`=nm)
 * only when `metadata` does not already carry those items.
 */
export function buildGdalMetadataXml(bands: readonly BandInfo[], dataset: Readonly<Record<string, string>> = {}): string | undefined {
  const lines: string[] = [];
  const item = (name: string, value: string, sample?: number, role?: string): void => {
    const s = sample === undefined ? '' : ` sample="${sample}"`;
    const r = role === undefined ? '' : ` role="${role}"`;
    // GDAL escapes item values twice (CPLEscapeString, then the XML serialiser) and unescapes twice on read.
    lines.push(`  <Item name="${escapeXml(name)}"${s}${r}>${escapeXml(escapeXml(value))}</Item>`);
  };
  for (const [k, v] of Object.entries(dataset)) item(k, v);
  bands.forEach((b, i) => {
    if (b.description !== undefined && b.description !== '') item('DESCRIPTION', b.description, i, 'description');
    if (b.scale !== undefined) item('SCALE', formatNumber(b.scale), i, 'scale');
    if (b.offset !== undefined) item('OFFSET', formatNumber(b.offset), i, 'offset');
    if (b.unit !== undefined && b.unit !== '') item('UNITTYPE', b.unit, i, 'unittype');
    const md: Record<string, string> = { ...b.metadata };
    if (b.wavelengthNm !== undefined && md.wavelength === undefined) {
      md.wavelength = formatNumber(b.wavelengthNm);
      md.wavelength_units ??= 'nm';
    }
    if (b.fwhmNm !== undefined && md.fwhm === undefined) md.fwhm = formatNumber(b.fwhmNm);
    for (const [k, v] of Object.entries(md)) item(k, v, i);
  });
  if (lines.length === 0) return undefined;
  // GDAL ends the XML with a newline before the NUL terminator.
  return `<GDALMetadata>\n${lines.join('\n')}\n</GDALMetadata>\n`;
}
