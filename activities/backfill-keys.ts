/**
 * Object keys of a backfill, all under the output root:
 *
 *   <out>/_backfills/<backfillId>/listing/page-00000.json   SceneRef[] pages of LISTING_PAGE_SIZE, in listing order
 *   <out>/_backfills/<backfillId>/result.json               the result: counts, failures, the request (the durable
 *                                                            record `--rerun-failed` reads once Temporal's history is gone)
 *
 * Keys depend only on the output root and the backfill id, so a retried listing overwrites the same pages. The layout
 * below the root is `backfillKey` in workflows/backfill-ids.ts, which the CLI also uses to find a result once
 * Temporal's history is gone (the CLI does not import activities).
 */
import { joinUri } from '../platform/storage/uri';
import { backfillKey, listingPageName } from '../workflows/backfill-ids';

/** Ends in `/`: the workflow appends `listingPageName(n)` to it (it cannot call joinUri in its sandbox). */
export const listingPrefixUri = (out: string, backfillId: string) => `${joinUri(out, backfillKey(backfillId, 'listing'))}/`;
export const listingPageUri = (prefixUri: string, page: number) => `${prefixUri}${listingPageName(page)}`;
export const backfillResultUri = (out: string, backfillId: string) => joinUri(out, backfillKey(backfillId, 'result.json'));
