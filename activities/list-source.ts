import { listScenes } from '../platform/catalog/list-scenes';
import type { ListingInfo, ListSourceInput } from '../workflows/backfill';
import { LISTING_PAGE_SIZE } from '../workflows/backfill-types';
import type { SceneRef } from '../workflows/catalog-types';
import { activityContext, activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';
import { listingPageUri, listingPrefixUri } from './backfill-keys';

/** Source documents read at once while listing (static catalogs: child catalogs and items). */
const LISTING_CONCURRENCY = 8;

/**
 * Lists a backfill's source (or takes the scenes it was given) and writes the refs in pages of LISTING_PAGE_SIZE
 * under `<out>/_backfills/<id>/listing/`. It heartbeats per source page and per page written; a retry lists again
 * from the start and overwrites the same keys (a STAC API's paging token does not survive a worker), and pages
 * left over from a longer earlier listing are deleted, so the prefix always holds exactly `pages` pages.
 */
export function createListSource(deps: ActivityDeps) {
  return async function listSource(input: ListSourceInput): Promise<ListingInfo> {
    const log = activityLogger(deps.logger, { backfillId: input.backfillId, source: input.source });
    const prefixUri = listingPrefixUri(input.out, input.backfillId);
    const progress = { sourcePages: 0, pagesWritten: 0, total: 0 };
    return withHeartbeat(
      () => progress,
      async (signal) => {
        let page: SceneRef[] = [];
        const flush = async () => {
          await deps.store.put(listingPageUri(prefixUri, progress.pagesWritten), JSON.stringify(page), { contentType: 'application/json' });
          progress.pagesWritten++;
          page = [];
          activityContext()?.heartbeat(progress);
        };
        const refs: AsyncIterable<SceneRef> | SceneRef[] =
          input.scenes ??
          listScenes(deps.store, input.source, input.filters, {
            concurrency: LISTING_CONCURRENCY,
            signal,
            onPage: (n) => {
              progress.sourcePages = n;
            },
          });
        // Catalog and filter errors say themselves whether a retry can help (platform/catalog/errors.ts);
        // withFailureMapping turns the ones that cannot into non-retryable failures.
        for await (const ref of refs) {
          signal?.throwIfAborted();
          page.push(ref);
          progress.total++;
          if (page.length === LISTING_PAGE_SIZE) await flush();
        }
        if (page.length > 0) await flush();
        await deleteStalePages(deps, prefixUri, progress.pagesWritten);
        log.info({ pages: progress.pagesWritten, total: progress.total, sourcePages: progress.sourcePages }, 'source listed');
        return { prefixUri, pages: progress.pagesWritten, total: progress.total };
      },
    );
  };
}

/** Pages past `pages` were written by an earlier, longer listing of the same backfill id. */
async function deleteStalePages(deps: ActivityDeps, prefixUri: string, pages: number): Promise<void> {
  const keep = new Set(Array.from({ length: pages }, (_, i) => listingPageUri(prefixUri, i)));
  for await (const obj of deps.store.list(prefixUri)) {
    if (!keep.has(obj.uri)) await deps.store.delete(obj.uri);
  }
}
