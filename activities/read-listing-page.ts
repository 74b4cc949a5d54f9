import type { SceneRef } from '../workflows/catalog-types';
import type { ActivityDeps } from './deps';
import { InputError } from './errors';

/** Reads one listing page written by listSource. A page that is not a SceneRef array is a broken listing. */
export function createReadListingPage(deps: ActivityDeps) {
  return async function readListingPage({ uri }: { uri: string }): Promise<SceneRef[]> {
    const text = new TextDecoder().decode(await deps.store.get(uri));
    let page: unknown;
    try {
      page = JSON.parse(text);
    } catch (err) {
      throw new InputError(uri, `listing page is not JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(page) || page.some((r) => !r || typeof r.id !== 'string' || typeof r.assetUri !== 'string')) {
      throw new InputError(uri, 'listing page is not an array of scene refs ({id, assetUri, ...})');
    }
    return page as SceneRef[];
  };
}
