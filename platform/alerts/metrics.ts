/**
 * A scene's alert metrics, read from what its run published: the manifest's partition summaries (the durable
 * record of every product variant's numbers, areas in m²) and the output item's footprint.
 */
import { ALERT_METRICS, P98_PRODUCTS, type AlertMetric } from './alert-types';

/** The parts of `manifest.json` read here (activities/partitions.ts PartitionRecord writes them). */
export interface ManifestForAlerts {
  partitions?: Record<
    string,
    {
      product?: string;
      variant?: string;
      summary?: { bloomAreaM2?: number | null; bloomFraction?: number | null; p98?: number | null };
    }
  >;
  outputs?: Array<{ uri: string; role: string }>;
}

type Partition = NonNullable<ManifestForAlerts['partitions']>[string];

/**
 * The metrics of a scene. Each product is read from its default variant (the variant named like the product) when
 * the manifest has it, else from the first variant of that product; a metric the scene has no partition for is null.
 */
export function sceneMetrics(manifest: ManifestForAlerts): Record<AlertMetric, number | null> {
  const partitions = Object.entries(manifest.partitions ?? {});
  const of = (product: string): Partition | undefined =>
    manifest.partitions?.[product] ?? partitions.find(([variant, p]) => (p.product ?? variant.split('@')[0]) === product)?.[1];
  const ndci = of('ndci')?.summary;
  const out = Object.fromEntries(ALERT_METRICS.map((m) => [m, null])) as Record<AlertMetric, number | null>;
  out.bloom_km2 = finite(ndci?.bloomAreaM2) === null ? null : (ndci!.bloomAreaM2 as number) / 1e6;
  out.bloom_fraction = finite(ndci?.bloomFraction);
  for (const p of P98_PRODUCTS) out[`${p}_p98`] = finite(of(p)?.summary?.p98);
  return out;
}

/** The NDCI preview among the manifest's outputs (`…/preview/ndci.png`), or null. */
export function ndciPreviewOf(manifest: ManifestForAlerts): string | null {
  return manifest.outputs?.find((o) => o.role === 'preview' && /\/preview\/ndci[^/]*\.png$/.test(o.uri))?.uri ?? null;
}

function finite(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
