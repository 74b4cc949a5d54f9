/**
 * Listing a static STAC catalog or collection: follow `child` and `item` links (hrefs relative to the document
 * they are in), a bounded number of reads at a time, then yield the matching items in item-URI order.
 *
 * The walk reads every catalog before the first item, for two reasons: the output order must not depend on
 * which read finished first (it is sorted by item URI), and a broken catalog should fail before any scene
 * starts. Catalog documents are small next to their items, so this costs little.
 *
 * Revisits: a catalog reached again through another parent (the link graph is a DAG, not a tree) is read
 * once and its items listed once; that is harmless and silent. A catalog reachable from itself through
 * `child` links is a cycle: STAC catalogs are trees, so the catalog is broken, and listing stops with
 * CatalogLoopError naming the linking catalog and the target. The cycle check runs over the whole link graph
 * after the walk, so it finds a cycle whatever order the reads finished in. `root`, `parent` and `self` links
 * are never followed.
 */
import type { SceneFilters, SceneRef } from './scene-types';
import type { ObjectStore } from '../storage/object-store';
import { CatalogLoopError, NotStacError } from './errors';
import { compileFilters } from './filters';
import { resolveHref } from './href';
import { type ReadJsonOptions, readJson } from './read-json';
import { sceneFromItem } from './scene-ref';
import { type StacCatalog, type StacItem, isStacItem, linksOf, stacType } from './stac';

export interface StaticWalkOptions extends Omit<ReadJsonOptions, 'linkedFrom'> {
  /** Documents read at once. */
  concurrency: number;
  /** Called after each catalog or collection document is read, with the number read so far. */
  onPage?(pages: number): void;
}

interface CatalogNode {
  children: string[];
}

interface ItemEntry {
  /** The catalog that linked it first in URI order (for messages), and the collections it was found under. */
  linkedFrom: string;
  collections: Array<{ from: string; id: string }>;
  /** Set when the item was reached as a `child` link, so it is not read twice. */
  doc?: StacItem;
}

/**
 * Yields the scenes of a static catalog whose items pass `filters`, in item-URI order. `filters.limit` is not
 * applied here (listScenes does). A collection whose id is not in `filters.collections` is not descended
 * into for items (its child catalogs still are).
 * @throws CatalogLoopError, BrokenLinkError, NotStacError, NoUsableAssetError, and the store's errors.
 */
export async function* listStaticCatalog(
  store: ObjectStore,
  rootUri: string,
  root: StacCatalog,
  filters: SceneFilters,
  opts: StaticWalkOptions,
): AsyncGenerator<SceneRef> {
  const matches = compileFilters(filters);
  const { nodes, items } = await walkCatalogs(store, rootUri, root, filters, opts);
  checkForCycles(rootUri, nodes);

  const uris = [...items.keys()].sort();
  const load = async (uri: string): Promise<StacItem> => {
    const entry = items.get(uri) as ItemEntry;
    const doc = entry.doc ?? (await readJson(store, uri, { ...opts, linkedFrom: entry.linkedFrom }));
    if (!isStacItem(doc)) {
      throw new NotStacError(uri, `linked as an item from ${entry.linkedFrom}, but it is not a STAC item (type "${String(stacType(doc) ?? 'none')}")`);
    }
    if (doc.collection !== undefined || entry.collections.length === 0) return doc;
    // Items of a static collection often leave `collection` out; their place in the tree says it.
    const parent = entry.collections.slice().sort((a, b) => (a.from < b.from ? -1 : 1))[0];
    return { ...doc, collection: parent.id };
  };
  for await (const [uri, item] of mapOrdered(uris, opts.concurrency, load)) {
    if (matches(item)) yield sceneFromItem(item, uri, filters.asset);
  }
}

async function walkCatalogs(
  store: ObjectStore,
  rootUri: string,
  root: StacCatalog,
  filters: SceneFilters,
  opts: StaticWalkOptions,
): Promise<{ nodes: Map<string, CatalogNode>; items: Map<string, ItemEntry> }> {
  const nodes = new Map<string, CatalogNode>();
  const items = new Map<string, ItemEntry>();
  const seen = new Set<string>([rootUri]);
  const wanted = filters.collections ? new Set(filters.collections) : undefined;
  let pages = 0;

  const addItem = (uri: string, from: string, collection: string | undefined, doc?: StacItem): void => {
    let entry = items.get(uri);
    if (!entry) items.set(uri, (entry = { linkedFrom: from, collections: [] }));
    else if (from < entry.linkedFrom) entry.linkedFrom = from;
    if (collection !== undefined) entry.collections.push({ from, id: collection });
    if (doc) entry.doc = doc;
  };

  /** Records one catalog's links; returns the child catalogs not seen yet, each with the collection it is under. */
  const visit = (uri: string, doc: StacCatalog, inherited: string | undefined): Array<[string, string | undefined]> => {
    const collection = doc.type === 'Collection' && typeof doc.id === 'string' ? doc.id : inherited;
    const skipItems = wanted !== undefined && doc.type === 'Collection' && collection !== undefined && !wanted.has(collection);
    const node: CatalogNode = { children: [] };
    nodes.set(uri, node);
    const next: Array<[string, string | undefined]> = [];
    for (const link of linksOf(doc)) {
      if (link.rel === 'child') {
        const target = resolveHref(uri, link.href);
        node.children.push(target);
        if (!seen.has(target)) {
          seen.add(target);
          next.push([target, collection]);
        }
      } else if (link.rel === 'item' && !skipItems) {
        addItem(resolveHref(uri, link.href), uri, collection);
      }
    }
    opts.onPage?.(++pages);
    return next;
  };

  // A child link may point at an item (some catalogs do); it is listed as an item, not walked.
  const readChild = async (uri: string, from: string, collection: string | undefined): Promise<Array<[string, string | undefined]>> => {
    opts.signal?.throwIfAborted();
    const doc = await readJson(store, uri, { ...opts, linkedFrom: from });
    const type = stacType(doc);
    if (type === 'Catalog' || type === 'Collection') return visit(uri, doc as StacCatalog, collection);
    if (isStacItem(doc)) {
      addItem(uri, from, collection, doc);
      return [];
    }
    throw new NotStacError(uri, `linked as a child from ${from}, but it is not a STAC catalog or collection (type "${String(type ?? 'none')}")`);
  };

  // Breadth-first with at most `concurrency` reads in flight; the first error stops the walk.
  const queue: Array<[string, string, string | undefined]> = visit(rootUri, root, undefined).map(([u, c]) => [u, rootUri, c]);
  const running = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  while (queue.length > 0 || running.size > 0) {
    while (!failure && queue.length > 0 && running.size < opts.concurrency) {
      const [uri, from, collection] = queue.shift() as [string, string, string | undefined];
      const task: Promise<void> = readChild(uri, from, collection).then(
        (next) => {
          for (const [u, c] of next) queue.push([u, uri, c]);
        },
        (err: unknown) => {
          failure ??= { err };
        },
      );
      running.add(task);
      void task.finally(() => running.delete(task));
    }
    if (running.size > 0) await Promise.race(running);
    if (failure) throw failure.err;
  }
  return { nodes, items };
}

/** Depth-first over child links in link order; a link to a catalog still on the path is a cycle. */
function checkForCycles(rootUri: string, nodes: Map<string, CatalogNode>): void {
  const onPath = new Set<string>();
  const done = new Set<string>();
  const stack: Array<{ uri: string; next: number }> = [{ uri: rootUri, next: 0 }];
  onPath.add(rootUri);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const children = nodes.get(top.uri)?.children ?? [];
    if (top.next >= children.length) {
      stack.pop();
      onPath.delete(top.uri);
      done.add(top.uri);
      continue;
    }
    const child = children[top.next++];
    if (onPath.has(child)) throw new CatalogLoopError(top.uri, child);
    if (!done.has(child) && nodes.has(child)) {
      onPath.add(child);
      stack.push({ uri: child, next: 0 });
    }
  }
}

/**
 * Maps with at most `concurrency` calls in flight and yields the results in input order. A failure is thrown
 * when its turn comes; results still in flight when the consumer stops are dropped.
 */
async function* mapOrdered<T, R>(inputs: T[], concurrency: number, fn: (x: T) => Promise<R>): AsyncGenerator<[T, R]> {
  const window: Array<Promise<R>> = [];
  let next = 0;
  const start = (): void => {
    const p = fn(inputs[next++]);
    // Handled here so that a failure behind the one being awaited is not an unhandled rejection.
    p.catch(() => undefined);
    window.push(p);
  };
  let emitted = 0;
  while (emitted < inputs.length) {
    while (window.length < concurrency && next < inputs.length) start();
    const result = await (window.shift() as Promise<R>);
    yield [inputs[emitted++], result];
  }
}
