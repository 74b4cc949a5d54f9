/**
 * The catalog the catalog benchmark runs: 24 scenes of 1024² and 4 of 4096², 31 bands, float32, LZW predictor 3,
 * 512 px tiles, pixel-interleaved, as Wyvern delivers them (`tessera generate`), each with its STAC item beside it.
 * Generated once into bench/.scenes/catalog/ (git-ignored); a scene is written in a temporary folder and moved into
 * place with its item, so an interrupted generation never leaves a half-written scene in the glob.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface CatalogScene {
  id: string;
  path: string;
  sizePx: number;
  bytes: number;
}

export interface Catalog {
  dir: string;
  /** `file:///…/*.tif`: what `tessera backfill` is given. */
  glob: string;
  scenes: CatalogScene[];
  /** One scene of its own folder, for warming workers up before a timed run. */
  warmupGlob: string;
}

export const CATALOG_LAYOUT: ReadonlyArray<{ sizePx: number; count: number; seedBase: number }> = [
  { sizePx: 1024, count: 24, seedBase: 100 },
  { sizePx: 4096, count: 4, seedBase: 200 },
];

export function ensureCatalog(scenesRoot: string, cli: string, log: (msg: string) => void): Catalog {
  const dir = join(scenesRoot, 'catalog');
  const tmp = join(dir, '.tmp');
  const warmDir = join(scenesRoot, 'catalog-warmup');
  mkdirSync(dir, { recursive: true });
  const scenes: CatalogScene[] = [];
  const generate = (target: string, id: string, sizePx: number, seed: number) => {
    if (existsSync(join(target, `${id}.tif`))) return;
    log(`generating ${id} (${sizePx}² × 31 bands, seed ${seed}; once, cached in ${target})`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    mkdirSync(target, { recursive: true });
    const r = spawnSync(process.execPath, [cli, 'generate', '--out', join(tmp, `${id}.tif`), '--size', String(sizePx), '--bands', '31', '--seed', String(seed)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tessera generate ${id} exited ${r.status}: ${r.stderr.slice(-2000)}`);
    // The item's asset href is relative (./<id>.tif), so the pair moves together.
    renameSync(join(tmp, `${id}.json`), join(target, `${id}.json`));
    renameSync(join(tmp, `${id}.tif`), join(target, `${id}.tif`));
  };
  for (const { sizePx, count, seedBase } of CATALOG_LAYOUT) {
    for (let i = 1; i <= count; i++) {
      const id = `c${sizePx}-${String(i).padStart(2, '0')}`;
      generate(dir, id, sizePx, seedBase + i);
      const path = join(dir, `${id}.tif`);
      scenes.push({ id, path, sizePx, bytes: statSync(path).size });
    }
  }
  generate(warmDir, 'warmup-1024', 1024, 99);
  rmSync(tmp, { recursive: true, force: true });
  return { dir, glob: `file://${dir}/*.tif`, scenes, warmupGlob: `file://${warmDir}/*.tif` };
}
