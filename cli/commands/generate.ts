import { generateScene } from '../../raster/synthetic/scene';
import { parse, parsePositiveInt } from '../args';
import * as print from '../print';
import { UsageError } from '../usage-error';

export const GENERATE_HELP = `Usage: tessera generate --out PATH [--size N] [--bands 23|31] [--seed S]

Writes a synthetic Wyvern-like scene: a float32 LZW COG with per-band wavelengths (GDAL_METADATA), nodata
and overviews, plus a STAC item beside it. Water, blooming water, vegetation and soil regions, deterministic
for a seed.`;

export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { out: { type: 'string' }, size: { type: 'string' }, bands: { type: 'string' }, seed: { type: 'string' } });
  if (values.help) {
    print.out(GENERATE_HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('tessera generate: --out PATH is required');
  const bands = Number(values.bands ?? 31);
  if (bands !== 23 && bands !== 31) throw new UsageError(`--bands: expected 23 or 31, got "${values.bands}"`);
  const result = await generateScene({
    outPath: values.out,
    sizePx: parsePositiveInt('--size', values.size, 1024),
    bands,
    seed: Number.isFinite(Number(values.seed ?? 1)) ? Number(values.seed ?? 1) : 1,
  });
  print.out(`scene ${result.width}x${result.height}x${result.bandCount}: ${result.cogPath}`);
  print.out(`stac item: ${result.stacPath}`);
  return 0;
}
