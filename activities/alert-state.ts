/**
 * A schedule's alert state in the output store, `<out>/_alerts/<owner>.json`: each scheduled action is its own
 * workflow, so the hysteresis of its rules has to outlive it. (A sensor keeps its state in its workflow.) The
 * schedule's overlap policy (BUFFER_ALL) runs one action at a time, so there is one writer.
 */
import { ObjectNotFoundError } from '../platform/storage/errors';
import { joinUri } from '../platform/storage/uri';
import type { AlertState } from '../workflows/alerts-types';
import type { ActivityDeps } from './deps';
import { InputError } from './errors';

/** `<out>/_alerts/<owner>.json`; `owner` is a path-safe name such as `schedule-nightly`. */
export const alertStateUri = (out: string, owner: string) => joinUri(out, '_alerts', `${owner}.json`);

export function createLoadAlertState(deps: ActivityDeps) {
  return async function loadAlertState({ out, owner }: { out: string; owner: string }): Promise<AlertState | null> {
    const uri = alertStateUri(out, owner);
    let bytes: Uint8Array;
    try {
      bytes = await deps.store.get(uri);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return null;
      throw err;
    }
    let state: unknown;
    try {
      state = JSON.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      throw new InputError(uri, `alert state is not JSON (${(err as Error).message}); delete it to start the rules afresh`);
    }
    const s = state as Partial<AlertState>;
    if (!s || typeof s.rules !== 'object' || !s.seen || !Array.isArray(s.seen.ids)) {
      throw new InputError(uri, 'not an alert state ({rules, seen}); delete it to start the rules afresh');
    }
    return s as AlertState;
  };
}

export function createSaveAlertState(deps: ActivityDeps) {
  return async function saveAlertState({ out, owner, state }: { out: string; owner: string; state: AlertState }): Promise<string> {
    const uri = alertStateUri(out, owner);
    await deps.store.put(uri, JSON.stringify(state, null, 2), { contentType: 'application/json' });
    return uri;
  };
}
