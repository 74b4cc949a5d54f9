/**
 * Typed errors of catalog listing. Like the storage errors, each message starts with what it is about (a flag
 * and its value, or a document URI) and says what is wrong, in one line, so the CLI can print it as it is.
 *
 * All of these describe input that a retry cannot fix (a bad filter, a broken catalog, an item without a
 * GeoTIFF): `retryable` is false, and the activity layer fails them at once. The exception is a STAC API that
 * answered 5xx or 429, which may answer the same search later. Transport problems stay the storage/HTTP layer's.
 */
import { isRetryableStatus } from '../storage/errors';

/** A CLI filter value that does not parse or cannot be applied. Exit-code 2 material. */
export class FilterError extends Error {
  override readonly name = 'FilterError';
  constructor(
    /** The flag the value came from, e.g. `--bbox`. */
    readonly flag: string,
    /** The value as given (shown truncated in the message). */
    readonly value: string,
    readonly detail: string,
  ) {
    super(`${flag} ${quote(value)}: ${detail}`);
  }
  /** A filter that does not parse never will. */
  get retryable(): boolean {
    return false;
  }
}

/** A catalog document (or an HTTP answer) that is not what the listing needs. */
export class CatalogError extends Error {
  override readonly name: string = 'CatalogError';
  constructor(
    /** The document the error is about. */
    readonly uri: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${uri}: ${detail}`, options);
  }
  /** Read by the activity layer: a broken catalog stays broken on a retry. */
  get retryable(): boolean {
    return false;
  }
}

/** A document that is not JSON, or not the STAC object its link or source promised. */
export class NotStacError extends CatalogError {
  override readonly name = 'NotStacError';
}

/** A `child` or `item` link whose target does not exist; names the linking document and the target. */
export class BrokenLinkError extends CatalogError {
  override readonly name = 'BrokenLinkError';
  constructor(
    uri: string,
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(uri, `links to ${target}, which does not exist`, options);
  }
}

/**
 * A static catalog whose `child` links form a cycle: `uri` links to `target`, from which `uri` is reachable
 * again. (A catalog reached twice through different parents is not a cycle and is read once.)
 */
export class CatalogLoopError extends CatalogError {
  override readonly name = 'CatalogLoopError';
  constructor(
    uri: string,
    readonly target: string,
  ) {
    super(uri, `child link to ${target} closes a cycle (${target} leads back to ${uri})`);
  }
}

/** A STAC item with no asset Tessera can read (or without the asset `--asset` names). */
export class NoUsableAssetError extends CatalogError {
  override readonly name = 'NoUsableAssetError';
  constructor(
    itemUri: string,
    readonly itemId: string,
    readonly assetKeys: string[],
    reason: string,
  ) {
    super(itemUri, `item "${itemId}" ${reason} (assets: ${assetKeys.length ? assetKeys.join(', ') : 'none'})`);
  }
}

/** A STAC API that answered a search with an error status or a body that is not an ItemCollection. */
export class StacApiError extends CatalogError {
  override readonly name = 'StacApiError';
  constructor(
    uri: string,
    detail: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(uri, detail, options);
  }
  /** 5xx (but 501) and 429 may succeed later; any other answer will not. */
  override get retryable(): boolean {
    return this.status !== undefined && isRetryableStatus(this.status);
  }
}

const MAX_SHOWN = 80;

/** Shell-style single quotes, as the user would have typed the value; long values are cut. */
function quote(value: string): string {
  const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN - 1)}…` : value;
  return `'${shown.replace(/[\r\n]+/g, ' ')}'`;
}
