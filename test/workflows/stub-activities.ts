/**
 * In-memory stand-ins for a backfill's activities (workflows/backfill.ts BackfillActivities) and the stub scene's
 * `stubSceneEvent`, with a record of every call so a test can check what the workflow asked for.
 */
import { listingPageName } from '../../workflows/backfill-ids';
import type { BackfillActivities, ListSourceInput, WriteBackfillResultInput } from '../../workflows/backfill';
import type { SceneRef } from '../../workflows/catalog-types';
import type { StubSceneActivities, StubSceneEvent } from './stub-workflows';

/** Refs for scene ids, as a glob listing would give them. */
export function sceneRefs(ids: readonly string[]): SceneRef[] {
  return ids.map((id) => ({ id, assetUri: `memory://catalog/${id}.tif`, datetime: null }));
}

export interface BackfillStubLog {
  listSource: ListSourceInput[];
  pagesRead: string[];
  results: WriteBackfillResultInput[];
  collections: { out: string; id: string }[];
  /** Every stub scene event in arrival order, with the time it arrived (ms since epoch). */
  events: (StubSceneEvent & { atMs: number })[];
  /** Stub scenes between their start and end event now, and the most there ever were. */
  running: number;
  maxRunning: number;
  /** Start events per scene id. */
  starts: Map<string, number>;
}

export interface BackfillStubOptions {
  /** Scenes per listing page; small, so a few scenes span several pages. @default 4 */
  pageSize?: number;
}

/** Activities serving `scenes` as the listing of any source. */
export function createBackfillStubs(scenes: readonly SceneRef[], opts: BackfillStubOptions = {}): {
  activities: BackfillActivities & StubSceneActivities;
  log: BackfillStubLog;
} {
  const pageSize = opts.pageSize ?? 4;
  const log: BackfillStubLog = { listSource: [], pagesRead: [], results: [], collections: [], events: [], running: 0, maxRunning: 0, starts: new Map() };
  const pages = new Map<string, SceneRef[]>();
  const activities: BackfillActivities & StubSceneActivities = {
    async listSource(input) {
      log.listSource.push(input);
      const refs = input.scenes ?? [...scenes];
      const prefixUri = `memory://stub${input.out.replace(/^[a-z]+:\/\//, '/')}/_backfills/${input.backfillId}/listing/`;
      let n = 0;
      for (let i = 0; i < refs.length; i += pageSize) pages.set(`${prefixUri}${listingPageName(n++)}`, refs.slice(i, i + pageSize));
      return { prefixUri, pages: n, total: refs.length };
    },
    async readListingPage({ uri }) {
      log.pagesRead.push(uri);
      const page = pages.get(uri);
      if (!page) throw new Error(`no listing page ${uri}`);
      return page;
    },
    async writeBackfillResult(input) {
      log.results.push(input);
      return `${input.out}/_backfills/${input.backfillId}/result.json`;
    },
    async publishCollection(input) {
      log.collections.push(input);
      return { uri: `${input.out}/collection.json`, items: 0 };
    },
    async stubSceneEvent(event) {
      log.events.push({ ...event, atMs: Date.now() });
      if (event.event === 'start') {
        log.starts.set(event.sceneId, (log.starts.get(event.sceneId) ?? 0) + 1);
        log.running++;
        log.maxRunning = Math.max(log.maxRunning, log.running);
      } else {
        log.running--;
      }
    },
  };
  return { activities, log };
}
