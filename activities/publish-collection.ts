import { buildCollection } from '../raster/stac/collection';
import { joinUri } from '../platform/storage/uri';
import { activityLogger, withHeartbeat } from './context';
import type { ActivityDeps } from './deps';

/** Where the collection of an output root lives. */
export const collectionUri = (out: string) => joinUri(out, 'collection.json');

/**
 * Writes the STAC collection of every scene item under `<out>/scenes/`, its extent computed from the items. Run
 * once at the end of a backfill (not per scene: concurrent scenes would race on one object), and idempotent: it
 * always reflects every item in the store, whichever run wrote it.
 */
export function createPublishCollection(deps: ActivityDeps) {
  return async function publishCollection({ out, id, description }: { out: string; id: string; description?: string }): Promise<{ uri: string; items: number }> {
    const log = activityLogger(deps.logger, { out });
    let read = 0;
    return withHeartbeat(
      () => ({ read }),
      async () => {
        const root = joinUri(out, 'scenes') + '/';
        const items: Array<{ id: string; href: string; bbox: [number, number, number, number]; datetime: string }> = [];
        for await (const obj of deps.store.list(root)) {
          if (!obj.uri.endsWith('/item.json')) continue;
          const item = JSON.parse(new TextDecoder().decode(await deps.store.get(obj.uri))) as {
            id: string;
            bbox?: [number, number, number, number];
            properties?: { datetime?: string };
          };
          read++;
          if (!item.bbox || !item.properties?.datetime) continue;
          items.push({ id: item.id, href: `./${obj.uri.slice(root.length)}`.replace(/^\.\//, './scenes/'), bbox: item.bbox, datetime: item.properties.datetime });
        }
        const collection = buildCollection({
          id,
          description: description ?? `Analysis-ready products written by Tessera under ${out}`,
          license: 'other',
          items,
        });
        const uri = collectionUri(out);
        await deps.store.put(uri, JSON.stringify(collection, null, 2), { contentType: 'application/json' });
        log.info({ uri, items: items.length }, 'collection written');
        return { uri, items: items.length };
      },
    );
  };
}
