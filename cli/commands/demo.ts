import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { generateScene } from '../../raster/synthetic/scene';
import { parse, parsePositiveInt } from '../args';
import * as print from '../print';
import { runCommand } from './run';

export const DEMO_HELP = `Usage: tessera demo [--size N] [--out URI]

End to end on the local stack: starts Temporal + MinIO (tessera dev up), generates a 31-band Wyvern-like scene,
starts a worker, runs the bloom pipeline through Temporal (ndwi, water, ndci, rgb, with water and bloom polygons,
EPSG:3857 copies and the quick-look page), prints where the outputs are and the Web UI link to the run, then stops
the worker. The stack keeps running (tessera dev down stops it).`;

export async function demoCommand(argv: string[], config: Config, logger: Logger): Promise<number> {
  const { values } = parse(argv, { size: { type: 'string' }, out: { type: 'string' } });
  if (values.help) {
    print.out(DEMO_HELP);
    return 0;
  }
  const root = resolve(__dirname, '..', '..', '..');
  const size = parsePositiveInt('--size', values.size, 2048);
  const up = spawnSync('bash', [join(root, 'infra', 'dev-stack.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (up.status !== 0) return up.status ?? 1;

  const dir = join(root, '.data', 'demo');
  mkdirSync(dir, { recursive: true });
  const scenePath = join(dir, `WYV-DEMO-${size}.tif`);
  if (!existsSync(scenePath)) {
    print.out(`generating a ${size}x${size}x31 scene: ${scenePath}`);
    await generateScene({ outPath: scenePath, sizePx: size, bands: 31, seed: 7 });
  }

  print.out('starting a worker');
  const worker = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'worker'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  try {
    const out = values.out ?? `file://${join(root, '.out', 'demo')}`;
    // The map outputs too: water and bloom polygons, web-mercator copies and the quick-look page.
    return await runCommand([scenePath, '--wait', '--out', out, '--vectors', 'water,bloom', '--reproject', 'EPSG:3857'], config, logger);
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  }
}
