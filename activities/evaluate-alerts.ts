import { evaluateScenes, ndciPreviewOf, sceneMetrics, type ManifestForAlerts, type SceneFacts } from '../platform/alerts';
import { ObjectNotFoundError } from '../platform/storage/errors';
import type { EvaluateAlertsInput, EvaluateAlertsResult } from '../workflows/alerts-types';
import type { Bbox, SceneRef } from '../workflows/catalog-types';
import { sanitizeSceneId } from '../workflows/run-ids';
import { listingPrefixUri } from './backfill-keys';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import { InputError } from './errors';
import { manifestUri, stacItemUri } from './output-keys';

/** Scenes whose manifest and item are read at once. */
const READ_CONCURRENCY = 8;

/**
 * Evaluates alert rules on processed scenes: reads each scene's manifest (its partitions' numbers) and output
 * STAC item (footprint, datetime) from the output store, and applies the rules in order with the given hysteresis
 * state (platform/alerts/hysteresis.ts). Scenes come as ids in the order to evaluate them, or as a backfill's
 * listing, evaluated in datetime order. A scene without a manifest (its run failed) is passed over.
 *
 * It writes nothing and returns the next state: a retry evaluates the same scenes from the same state again and
 * gets the same crossings and idempotency keys.
 */
export function createEvaluateAlerts(deps: ActivityDeps) {
  return async function evaluateAlerts(input: EvaluateAlertsInput): Promise<EvaluateAlertsResult> {
    const log = activityLogger(deps.logger, { automation: input.automation });
    const progress = { read: 0 };
    return withHeartbeat(
      () => progress,
      async () => {
        const ids = input.sceneIds ?? (input.backfillId ? await backfillScenes(deps, input.out, input.backfillId) : []);
        const facts: Array<SceneFacts | null> = new Array(ids.length).fill(null);
        for (let i = 0; i < ids.length; i += READ_CONCURRENCY) {
          const batch = ids.slice(i, i + READ_CONCURRENCY);
          const read = await Promise.all(batch.map((id) => sceneFacts(deps, input.out, id)));
          read.forEach((f, k) => (facts[i + k] = f));
          progress.read += batch.length;
        }
        const result = evaluateScenes(
          input.rules,
          input.state,
          ids.map((sceneId, i) => ({ sceneId, datetime: facts[i]?.datetime ?? null, facts: facts[i] })),
          input.automation,
        );
        log.info(
          { scenes: ids.length, evaluated: result.scenes.filter((s) => s.status === 'evaluated').length, crossings: result.crossings.length },
          'alerts evaluated',
        );
        return result;
      },
    );
  };
}

/** A backfill's scenes from its listing pages, oldest first (undated last), as the scene ids its runs used. */
async function backfillScenes(deps: ActivityDeps, out: string, backfillId: string): Promise<string[]> {
  const refs: SceneRef[] = [];
  for await (const obj of deps.store.list(listingPrefixUri(out, backfillId))) {
    const page = parseJson<SceneRef[]>(await deps.store.get(obj.uri), obj.uri);
    if (!Array.isArray(page)) throw new InputError(obj.uri, 'listing page is not an array of scene refs');
    refs.push(...page);
  }
  const ms = (r: SceneRef) => (r.datetime === null ? Infinity : Date.parse(r.datetime));
  refs.sort((a, b) => ms(a) - ms(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...new Set(refs.map((r) => sanitizeSceneId(r.id)))];
}

interface OutputItem {
  bbox?: Bbox | null;
  properties?: { datetime?: string | null; 'tessera:datetime_source'?: string };
}

/** null when the scene has no manifest: it has not been published (its run failed, or never ran). */
async function sceneFacts(deps: ActivityDeps, out: string, sceneId: string): Promise<SceneFacts | null> {
  const mUri = manifestUri(out, sceneId);
  const itemUri = stacItemUri(out, sceneId);
  const manifest = await readOptional<ManifestForAlerts>(deps, mUri);
  if (!manifest) return null;
  const item = (await readOptional<OutputItem>(deps, itemUri)) ?? {};
  // An input without an acquisition time gets the processing time as its item datetime; that is no scene time.
  const datetime = item.properties?.['tessera:datetime_source'] === 'processing' ? null : (item.properties?.datetime ?? null);
  const bbox = Array.isArray(item.bbox) && item.bbox.length === 4 ? item.bbox : null;
  return { sceneId, datetime, bbox, metrics: sceneMetrics(manifest), stacItem: itemUri, ndciPreview: ndciPreviewOf(manifest) };
}

async function readOptional<T>(deps: ActivityDeps, uri: string): Promise<T | undefined> {
  try {
    return parseJson<T>(await deps.store.get(uri), uri);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
}

function parseJson<T>(bytes: Uint8Array, uri: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (err) {
    throw new InputError(uri, `not JSON (${(err as Error).message})`);
  }
}
