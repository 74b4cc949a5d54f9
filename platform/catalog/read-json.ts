/**
 * Reading one catalog document as JSON: http(s) with httpFetch (retries, typed errors, `Accept: application/json`
 * because some STAC APIs answer a browser-like request with HTML), everything else through the store.
 */
import { ObjectNotFoundError } from '../storage/errors';
import { type HttpRetryOptions, httpFetch } from '../storage/http-fetch';
import type { ObjectStore } from '../storage/object-store';
import { BrokenLinkError, NotStacError } from './errors';
import { isHttpUri } from './href';

export const JSON_ACCEPT = 'application/json, application/geo+json;q=0.9, */*;q=0.1';

export interface ReadJsonOptions {
  signal?: AbortSignal;
  /** Retries and timeouts of http(s) reads. @default httpFetch's defaults */
  http?: Omit<HttpRetryOptions, 'signal'>;
  /** The document that linked here: a missing target becomes BrokenLinkError naming both. */
  linkedFrom?: string;
}

/**
 * Reads and parses a JSON document.
 * @throws NotStacError when the bytes are not JSON; ObjectNotFoundError (or BrokenLinkError with `linkedFrom`)
 *   when there is nothing at the URI; the store's or httpFetch's errors otherwise.
 */
export async function readJson(store: ObjectStore, uri: string, opts: ReadJsonOptions = {}): Promise<unknown> {
  let text: string;
  try {
    if (isHttpUri(uri)) {
      const res = await httpFetch(uri, { headers: { accept: JSON_ACCEPT }, signal: opts.signal }, { ...opts.http, signal: opts.signal });
      text = await res.text();
    } else {
      opts.signal?.throwIfAborted();
      text = new TextDecoder().decode(await store.get(uri));
    }
  } catch (err) {
    if (err instanceof ObjectNotFoundError && opts.linkedFrom !== undefined) throw new BrokenLinkError(opts.linkedFrom, uri, { cause: err });
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new NotStacError(uri, `not JSON (${(err as Error).message})`, { cause: err });
  }
}
