import type { Config } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import { normalizeUri } from '../../platform/storage/uri';
import { productCodeVersion, type ProductDefinitions } from '../../workflows/products';
import type { ProductName } from '../../workflows/types';
import * as print from '../print';

/** A recorded partition whose code version is not the one this code would compute it with. */
export interface StalePartition {
  sceneId: string;
  variant: string;
  recorded: string;
  current: string;
  manifest: string;
}

/**
 * Every partition under `out` whose manifest records a code version other than the current one: the next run
 * (or backfill) over the same scenes recomputes exactly these. Reads only the manifests.
 */
export async function findStale(config: Config, out: string): Promise<{ scanned: number; stale: StalePartition[] }> {
  const store = createStoreRouter(config);
  const root = `${normalizeUri(out).replace(/\/+$/, '')}/scenes/`;
  const stale: StalePartition[] = [];
  let scanned = 0;
  try {
    for await (const obj of store.list(root)) {
      if (!obj.uri.endsWith('/manifest.json')) continue;
      const manifest = JSON.parse(new TextDecoder().decode(await store.get(obj.uri))) as {
        sceneId: string;
        partitions?: Record<string, { product: ProductName; codeVersion: string }>;
        parameters?: { definitions?: ProductDefinitions };
      };
      // Catalog and custom products are defined by the run; the manifest keeps their definitions.
      const defs = manifest.parameters?.definitions;
      for (const [variant, rec] of Object.entries(manifest.partitions ?? {})) {
        scanned++;
        let current: string;
        try {
          current = productCodeVersion(rec.product, defs);
        } catch {
          current = '(product no longer exists)';
        }
        if (rec.codeVersion !== current) stale.push({ sceneId: manifest.sceneId, variant, recorded: rec.codeVersion, current, manifest: obj.uri });
      }
    }
  } finally {
    await store.close();
  }
  return { scanned, stale };
}

/** `tessera status --stale [--out URI] [--json]`: prints the stale partitions; exit 0 either way. */
export async function printStale(config: Config, out: string, json: boolean): Promise<number> {
  const { scanned, stale } = await findStale(config, out);
  if (json) {
    print.json({ out, scanned, stale });
    return 0;
  }
  for (const s of stale) print.out(`${s.sceneId}  ${s.variant}  stale: computed by ${s.recorded}, current ${s.current}`);
  print.out(`${stale.length} of ${scanned} partitions under ${out} are stale`);
  return 0;
}
