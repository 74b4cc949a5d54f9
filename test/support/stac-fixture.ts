/**
 * A small STAC fixture for catalog tests: `count` tiny synthetic scenes (the project's generator: float32 COG
 * with wavelengths, plus its STAC item), each given its own datetime, footprint and cloud cover, laid out as a
 * static catalog with relative links:
 *
 *   DIR/catalog.json                        Catalog, child → lake-erie/collection.json
 *   DIR/lake-erie/collection.json           Collection, item → ./<id>/<id>.json
 *   DIR/lake-erie/<id>/<id>.json + <id>.tif item (eo:bands, asset href ./<id>.tif) and its COG
 *   DIR/api/collection.json                 the collection without item links, for `rustac serve`
 *   DIR/api/items.json, items.ndjson        every item as a FeatureCollection / one per line (see writeApiItems)
 *
 * The footprints are the fixture's, not the pixels': every COG is the generator's western-Lake-Erie scene, and
 * each item claims its own box so that a bbox query selects some of them. Tests compute what should match from
 * the returned `scenes`.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateScene } from '../../raster/synthetic/scene';
import type { Bbox } from '../../workflows/catalog-types';

export interface StacFixtureOptions {
  /** Folder to write into (created; an existing fixture there is replaced). */
  dir: string;
  /** Scenes; at least 12, so that filters have something to tell apart. @default 12 */
  count?: number;
  /** Width and height of each COG. @default 64 @format px */
  sizePx?: number;
  /** @default 23 */
  bands?: 23 | 31;
  /** @default 'lake-erie' */
  collection?: string;
  /** First scene's date (YYYY-MM-DD); scene i is `stepDays * i` later, at 16:20 UTC. @default '2024-06-01' */
  start?: string;
  /** @default 7 */
  stepDays?: number;
  /** Footprint of scene i is `bboxes[i % bboxes.length]`. @default fixtureBbox(i) for each scene */
  bboxes?: Bbox[];
  /** How the items' asset hrefs are written: `./<id>.tif`, or the absolute file:// URI. @default 'relative' */
  assetHref?: 'relative' | 'absolute';
}

/** The fields of the generator's STAC item (raster/synthetic/stac-item.ts) that the fixture rewrites. */
interface GeneratedItem {
  collection?: string;
  bbox?: Bbox;
  geometry?: unknown;
  properties: Record<string, unknown>;
  assets: { cog: { href: string } };
  links?: unknown[];
}

export interface FixtureScene {
  id: string;
  datetime: string;
  bbox: Bbox;
  cloudCover: number;
  itemPath: string;
  /** file:// URI of the item, as a static listing reports it. */
  itemUri: string;
  tiffPath: string;
  tiffUri: string;
  /** The COG's path below DIR with `/` separators, for URLs of a server rooted at DIR. */
  tiffRelPath: string;
}

export interface StacFixture {
  dir: string;
  collection: string;
  catalogPath: string;
  catalogUri: string;
  collectionPath: string;
  collectionUri: string;
  /** `rustac serve` inputs: the collection without item links, and every item (asset hrefs: file:// URIs). */
  api: { collectionPath: string; itemsPath: string; ndjsonPath: string };
  scenes: FixtureScene[];
}

/**
 * Footprint of scene i by default: 0.4° squares on a 4-column grid from (-84, 41), 0.6° apart, so the scenes
 * are distinct and any box selects a predictable subset.
 */
export function fixtureBbox(i: number): Bbox {
  const w = -84 + (i % 4) * 0.6;
  const s = 41 + Math.floor(i / 4) * 0.6;
  return [round(w), round(s), round(w + 0.4), round(s + 0.4)];
}

/** Writes the fixture (see the module comment). Scenes are generated one after the other (~50 ms each at 64 px). */
export async function writeStacFixture(opts: StacFixtureOptions): Promise<StacFixture> {
  const count = opts.count ?? 12;
  if (!Number.isInteger(count) || count < 12) throw new Error(`writeStacFixture: count must be an integer >= 12, got ${count}`);
  const collection = opts.collection ?? 'lake-erie';
  const startMs = Date.parse(`${opts.start ?? '2024-06-01'}T16:20:00Z`);
  if (Number.isNaN(startMs)) throw new Error(`writeStacFixture: start must be YYYY-MM-DD, got ${opts.start}`);
  const stepDays = opts.stepDays ?? 7;
  const dir = opts.dir;
  await rm(join(dir, collection), { recursive: true, force: true });
  await rm(join(dir, 'api'), { recursive: true, force: true });
  await mkdir(join(dir, 'api'), { recursive: true });

  const scenes: FixtureScene[] = [];
  for (let i = 0; i < count; i++) {
    const datetime = new Date(startMs + i * stepDays * 86_400_000).toISOString().replace('.000Z', 'Z');
    const id = `erie-${datetime.slice(0, 10)}`;
    const bbox = opts.bboxes ? opts.bboxes[i % opts.bboxes.length] : fixtureBbox(i);
    const cloudCover = (i * 17) % 60;
    const sceneDir = join(dir, collection, id);
    const generated = await generateScene({ outPath: join(sceneDir, `${id}.tif`), sizePx: opts.sizePx ?? 64, bands: opts.bands ?? 23, seed: i + 1 });
    const item = JSON.parse(await readFile(generated.stacPath, 'utf8')) as GeneratedItem;
    const [w, s, e, n] = bbox;
    item.collection = collection;
    item.bbox = bbox;
    item.geometry = { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
    item.properties = { ...item.properties, datetime, 'eo:cloud_cover': cloudCover };
    const tiffUri = pathToFileURL(generated.cogPath).href;
    item.assets.cog.href = opts.assetHref === 'absolute' ? tiffUri : `./${id}.tif`;
    item.links = [
      { rel: 'root', href: '../../catalog.json', type: 'application/json' },
      { rel: 'parent', href: '../collection.json', type: 'application/json' },
      { rel: 'collection', href: '../collection.json', type: 'application/json' },
    ];
    await writeFile(generated.stacPath, JSON.stringify(item, null, 2) + '\n');
    scenes.push({
      id,
      datetime,
      bbox,
      cloudCover,
      itemPath: generated.stacPath,
      itemUri: pathToFileURL(generated.stacPath).href,
      tiffPath: generated.cogPath,
      tiffUri,
      tiffRelPath: relative(dir, generated.cogPath).split('\\').join('/'),
    });
  }

  const collectionPath = join(dir, collection, 'collection.json');
  const doc = collectionDoc(collection, scenes);
  await writeJson(collectionPath, {
    ...doc,
    links: [
      { rel: 'root', href: '../catalog.json', type: 'application/json' },
      { rel: 'parent', href: '../catalog.json', type: 'application/json' },
      ...scenes.map((s) => ({ rel: 'item', href: `./${s.id}/${s.id}.json`, type: 'application/geo+json' })),
    ],
  });
  const catalogPath = join(dir, 'catalog.json');
  await writeJson(catalogPath, {
    type: 'Catalog',
    stac_version: '1.0.0',
    id: 'tessera-fixture',
    description: 'Synthetic scenes for catalog tests',
    links: [
      { rel: 'root', href: './catalog.json', type: 'application/json' },
      { rel: 'child', href: `./${collection}/collection.json`, type: 'application/json' },
    ],
  });

  // rustac serve keeps asset hrefs as they are, and a relative one would then resolve against the API's item
  // URL, so the API copies get absolute hrefs. It also loads a collection's item links by itself: the API
  // collection has none, so the items are loaded once, from items.json.
  const api = { collectionPath: join(dir, 'api', 'collection.json'), itemsPath: join(dir, 'api', 'items.json'), ndjsonPath: join(dir, 'api', 'items.ndjson') };
  await writeJson(api.collectionPath, { ...doc, links: [] });
  const fixture: StacFixture = { dir, collection, catalogPath, catalogUri: pathToFileURL(catalogPath).href, collectionPath, collectionUri: pathToFileURL(collectionPath).href, api, scenes };
  await writeApiItems(fixture, (s) => s.tiffUri);
  return fixture;
}

/**
 * Rewrites the API copies of the items with asset hrefs from `href` (e.g. a static server's URL for each COG:
 * `(s) => \`${server.url}/${s.tiffRelPath}\``). Start `rustac serve` after this: it reads the files once.
 */
export async function writeApiItems(fixture: StacFixture, href: (scene: FixtureScene) => string): Promise<void> {
  const features: unknown[] = [];
  for (const scene of fixture.scenes) {
    const item = JSON.parse(await readFile(scene.itemPath, 'utf8')) as GeneratedItem;
    item.assets.cog.href = href(scene);
    item.links = [];
    features.push(item);
  }
  await writeJson(fixture.api.itemsPath, { type: 'FeatureCollection', features });
  await writeFile(fixture.api.ndjsonPath, features.map((f) => JSON.stringify(f)).join('\n') + '\n');
}

function collectionDoc(id: string, scenes: FixtureScene[]): Record<string, unknown> {
  const boxes = scenes.map((s) => s.bbox);
  return {
    type: 'Collection',
    stac_version: '1.0.0',
    stac_extensions: [],
    id,
    description: 'Synthetic hyperspectral scenes over western Lake Erie',
    license: 'proprietary',
    extent: {
      spatial: { bbox: [[Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))]] },
      temporal: { interval: [[scenes[0].datetime, scenes[scenes.length - 1].datetime]] },
    },
  };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 2) + '\n');
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
