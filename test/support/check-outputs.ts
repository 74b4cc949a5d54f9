/**
 * Checks a finished scene's outputs against independent oracles: GDAL's COG validator and reader, the numpy
 * reference of the product definitions, DuckDB for the Parquet tables, and sha256 of every object for the manifest.
 * Shared by the in-process and the Temporal + MinIO tests; `localPath` maps an output URI to a local copy.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import type { OutputFile, SceneResult } from '../../workflows/types';
import sharp from 'sharp';
import { gdalReadBand, habReference, maxAbsDiff, rgbPreviewReference, validateCog } from './gdal-oracle';

export interface CheckOptions {
  result: SceneResult;
  inputPath: string;
  localPath: (uri: string) => string;
  /** Local directory holding the copy of `<out>/tables/tile_stats`. */
  tableRoot: string;
  tmpDir: string;
  tiles: number;
  /** References of the run's custom mask products, from the numpy reference of the built-in ones. */
  references?: Record<string, (ref: Awaited<ReturnType<typeof habReference>>) => Uint8Array>;
}

export async function checkSceneOutputs(o: CheckOptions): Promise<void> {
  const manifest = JSON.parse(await readFile(o.localPath(o.result.manifest), 'utf8'));
  const bands = manifest.parameters.bands as Record<string, { index: number }>;

  // Every object the manifest lists exists with the size and sha256 it records.
  for (const entry of manifest.outputs as Array<{ uri: string; sizeBytes: number; sha256: string }>) {
    const bytes = await readFile(o.localPath(entry.uri));
    assert.equal(bytes.byteLength, entry.sizeBytes, `size of ${entry.uri}`);
    assert.equal(createHash('sha256').update(new Uint8Array(bytes)).digest('hex'), entry.sha256, `sha256 of ${entry.uri}`);
  }
  const listed = new Map((manifest.outputs as Array<{ uri: string; sha256: string }>).map((e) => [e.uri, e]));
  for (const uri of [...Object.values(o.result.cogs), ...o.result.parquet, ...Object.values(o.result.previews), o.result.stac]) {
    assert.ok(listed.has(uri), `manifest lists ${uri}`);
  }
  // Every output the run returns (map outputs and the quick look too) is in the manifest with the same sha256.
  for (const f of o.result.outputs) if (f.role !== 'manifest') assert.equal(listed.get(f.uri)?.sha256, f.sha256, `manifest records ${f.uri} as returned`);

  // The STAC item links every output.
  const item = JSON.parse(await readFile(o.localPath(o.result.stac), 'utf8'));
  assert.equal(item.type, 'Feature');
  const assets = Object.values(item.assets as Record<string, Record<string, unknown> & { href: string }>);
  const hrefs = new Set(assets.map((a) => a.href));
  for (const f of manifest.outputs as OutputFile[]) if (f.role !== 'stac' && f.role !== 'manifest') assert.ok(hrefs.has(f.uri), `STAC item links ${f.uri}`);
  await checkMapOutputs(o, manifest.outputs as OutputFile[], assets);

  // COGs: valid for GDAL, and pixel values equal to the numpy reference.
  const ref = await habReference(o.inputPath, { g: bands.g.index, n: bands.n.index, re: (bands.re ?? bands.g).index, r: (bands.r ?? bands.n).index }, o.tmpDir);
  for (const [product, uri] of Object.entries(o.result.cogs)) {
    const path = o.localPath(uri);
    const v = await validateCog(path);
    assert.ok(v.ok, `${product} COG is valid:\n${v.output}`);
    const band = await gdalReadBand(path, o.tmpDir);
    assert.equal(band.width, ref.summary.width);
    assert.equal(band.height, ref.summary.height);
    assert.ok(band.overviews > 0 || Math.max(band.width, band.height) <= 512, `${product} has overviews`);
    if (product === 'water') {
      assert.deepEqual(new Uint8Array(band.bytes), ref.water, 'water mask equals the reference');
    } else if (o.references?.[product]) {
      const want = o.references[product](ref);
      assert.ok(want instanceof Uint8Array, `the reference of ${product} is a mask`);
      assert.deepEqual(new Uint8Array(band.bytes), want, `${product} equals its reference`);
    } else {
      const ours = new Float32Array(band.bytes.buffer, band.bytes.byteOffset, band.bytes.byteLength / 4);
      const diff = maxAbsDiff(ours, ref[product as 'ndwi' | 'ndci' | 'ndvi']);
      assert.ok(diff <= 1e-6, `${product} differs from numpy by ${diff}`);
    }
  }
  if (o.result.cogs.ndci) {
    assert.ok(ref.summary.bloom > 0, 'the test scene has bloom pixels');
    assert.equal(o.result.summary.bloomPixels, ref.summary.bloom, 'bloom pixel count');
  }

  // RGB preview: equal to the numpy reduce + 2–98 % stretch (±1 level for float rounding), nodata transparent.
  if (o.result.previews.rgb) {
    const factor = manifest.parameters.previewFactor as number;
    const ref = await rgbPreviewReference(o.inputPath, { red: bands.red.index, green: bands.green.index, blue: bands.blue.index }, factor, o.tmpDir);
    const { data, info } = await sharp(await readFile(o.localPath(o.result.previews.rgb))).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [ref.width, ref.height, 4]);
    let off = 0;
    let valid = 0;
    for (let i = 0; i < ref.width * ref.height; i++) {
      const refNodata = ref.rgb[i * 3] === 0;
      assert.equal(data[i * 4 + 3] === 0, refNodata, `preview nodata at pixel ${i}`);
      if (refNodata) continue;
      valid++;
      for (let c = 0; c < 3; c++) if (Math.abs(data[i * 4 + c] - ref.rgb[i * 3 + c]) > 1) off++;
    }
    assert.ok(valid > 0, 'the preview has valid pixels');
    assert.ok(off <= valid * 3 * 0.001, `${off} preview samples differ from numpy by more than 1`);
  }

  // Parquet: one row per tile and product, partition columns from the hive path.
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const reader = await con.runAndReadAll(
    `SELECT scene, product, count(*)::INTEGER AS n, sum(valid_count)::BIGINT AS valid FROM read_parquet('${o.tableRoot}/**/*.parquet', hive_partitioning = true) WHERE scene = '${o.result.sceneId}' GROUP BY ALL ORDER BY product`,
  );
  const rows = reader.getRowObjects() as Array<{ scene: string; product: string; n: number; valid: bigint }>;
  const cogProducts = Object.keys(o.result.cogs).sort();
  assert.deepEqual(rows.map((r) => r.product), cogProducts);
  for (const r of rows) assert.equal(r.n, o.tiles, `${r.product}: one row per tile`);
  const water = rows.find((r) => r.product === 'water');
  if (water) assert.equal(Number(water.valid), ref.summary.valid, 'valid pixels in the water table');
  con.closeSync?.();
}

/**
 * The map outputs the manifest lists. Reprojected copies: valid COGs whose asset carries the copy's grid. Polygon
 * files: as many features as their record says (GeoJSON parsed, GeoParquet counted by DuckDB). The quick look:
 * present when there is a preview or a polygon file, and linking only relative hrefs.
 */
async function checkMapOutputs(o: CheckOptions, files: OutputFile[], assets: Array<Record<string, unknown> & { href: string }>): Promise<void> {
  const asset = (uri: string) => assets.find((a) => a.href === uri)!;
  for (const f of files.filter((x) => x.role === 'reprojected')) {
    const v = await validateCog(o.localPath(f.uri));
    assert.ok(v.ok, `${f.uri} is a valid COG:\n${v.output}`);
    assert.ok(f.proj, `${f.uri} records its grid`);
    const a = asset(f.uri);
    assert.deepEqual([a['proj:epsg'], a['proj:shape'], a['proj:transform']], [f.proj.epsg, f.proj.shape, f.proj.transform], `proj:* of ${f.uri}`);
  }
  const vectors = files.filter((x) => x.role === 'vector');
  for (const f of vectors) {
    assert.ok(f.vector, `${f.uri} records its mask, format and count`);
    const path = o.localPath(f.uri);
    let n: number;
    if (f.vector.format === 'geojson') {
      n = (JSON.parse(await readFile(path, 'utf8')) as { features: unknown[] }).features.length;
    } else {
      const db = await DuckDBInstance.create(':memory:');
      const con = await db.connect();
      n = Number((await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${path}')`)).getRowObjectsJS()[0].n);
      con.closeSync();
      db.closeSync();
    }
    assert.equal(n, f.vector.polygons, `features in ${f.uri}`);
    assert.equal(asset(f.uri)['tessera:polygons'], f.vector.polygons);
  }
  const page = files.find((x) => x.role === 'quicklook');
  assert.equal(page !== undefined, vectors.length > 0 || files.some((x) => x.role === 'preview'), 'a quick look exactly when there is something to show');
  if (page) {
    const html = await readFile(o.localPath(page.uri), 'utf8');
    const hrefs = [...html.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(hrefs.length > 0 && hrefs.every((h) => !/^[a-z][a-z0-9+.-]*:/i.test(h)), `the quick look links relative hrefs only: ${hrefs.filter((h) => /:/.test(h)).join(', ')}`);
  }
}
