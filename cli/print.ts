/** The only place that writes human-readable output. Library code returns data; commands hand it here. */
import type { SceneProgress, SceneResult } from '../workflows/types';

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function json(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printSceneResult(result: SceneResult, extra: { workflowId?: string; runId?: string; uiUrl?: string } = {}): void {
  out(`scene ${result.sceneId}: ${result.status}`);
  if (result.summary.bloomFraction !== null) out(`  bloom fraction: ${(100 * result.summary.bloomFraction).toFixed(2)}% of ${result.summary.waterPixels} water pixels`);
  for (const [product, uri] of Object.entries(result.cogs)) out(`  cog ${product.padEnd(8)} ${uri}`);
  for (const uri of result.parquet) out(`  table          ${uri}`);
  for (const [name, uri] of Object.entries(result.previews)) out(`  preview ${name.padEnd(6)} ${uri}`);
  out(`  stac item      ${result.stac}`);
  out(`  manifest       ${result.manifest}`);
  if (extra.workflowId) out(`  workflow       ${extra.workflowId}${extra.runId ? ` (run ${extra.runId})` : ''}`);
  if (extra.uiUrl) out(`  temporal ui    ${extra.uiUrl}`);
}

/** Machine-readable result of `run --wait --json` / `run --local --json`. */
export function sceneResultJson(result: SceneResult, extra: { workflowId?: string; runId?: string; uiUrl?: string } = {}) {
  return {
    runId: extra.runId ?? null,
    workflowId: extra.workflowId ?? null,
    status: result.status,
    sceneId: result.sceneId,
    summary: result.summary,
    outputs: { cogs: result.cogs, parquet: result.parquet, previews: result.previews, stac: result.stac, manifest: result.manifest },
    uiUrl: extra.uiUrl ?? null,
  };
}

export function progressLine(p: SceneProgress): string {
  const width = 30;
  const frac = p.tilesTotal > 0 ? p.tilesDone / p.tilesTotal : 0;
  const filled = Math.round(frac * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  const products = Object.entries(p.products).map(([k, v]) => `${k}:${v}`).join(' ');
  return `[${bar}] ${p.tilesDone}/${p.tilesTotal} tiles  stage=${p.stage}  ${products}`;
}
