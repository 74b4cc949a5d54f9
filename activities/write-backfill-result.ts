import type { BackfillRecord, WriteBackfillResultInput } from '../workflows/backfill';
import { activityLogger } from './context';
import type { ActivityDeps } from './deps';
import { backfillResultUri } from './backfill-keys';

/**
 * Writes a finished backfill's result to `<out>/_backfills/<id>/result.json` and returns its URI. This object,
 * not Temporal's history (which the namespace's retention deletes), is the durable record `--rerun-failed` reads.
 */
export function createWriteBackfillResult(deps: ActivityDeps) {
  return async function writeBackfillResult({ backfillId, out, result }: WriteBackfillResultInput): Promise<string> {
    const uri = backfillResultUri(out, backfillId);
    const record: BackfillRecord = { ...result, resultUri: uri };
    await deps.store.put(uri, `${JSON.stringify(record, null, 2)}\n`, { contentType: 'application/json' });
    activityLogger(deps.logger, { backfillId }).info({ uri, ...result.counts }, 'backfill result written');
    return uri;
  };
}
