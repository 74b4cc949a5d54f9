/**
 * Map outputs end to end on real parts: `tessera run --vectors water,bloom --reproject EPSG:3857` of a multi-tile
 * scene to MinIO through Temporal and two `tessera worker` processes. The polygon files, the copies and the quick
 * look are downloaded and checked: listed in the STAC item and the manifest, copies valid for GDAL's validator,
 * as many water (and custom-mask) polygons as gdal_polygonize.py finds in their COGs, every activity payload small.
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../platform/config';
import { createStoreRouter } from '../../platform/storage/open-store';
import type { ObjectStore } from '../../platform/storage/object-store';
import { generateScene } from '../../raster/synthetic/scene';
import { gdalPolygonize } from '../../raster/vector/testing/gdal-polygonize';
import { checkSceneOutputs } from '../support/check-outputs';
import { startWorker, stopProcess, tessera } from '../support/cli';
import { ensureDevStack, stackEnv, type DevStack } from '../support/dev-stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const run = promisify(execFile);
/** As in pipeline.test.ts: every activity input and result stays well under Temporal's payload limits. */
const PAYLOAD_LIMIT_BYTES = 64 * 1024;

describe('map outputs on Temporal + MinIO', () => {
  let stack: DevStack;
  let env: NodeJS.ProcessEnv;
  let store: ObjectStore;
  let dir: string;
  let prefix: string;
  let input: string;
  let scene: { cogPath: string; width: number; height: number };
  const workers: ChildProcess[] = [];

  before(async () => {
    stack = await ensureDevStack();
    const id = `maps-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    env = stackEnv(stack, id, { threads: 1 });
    store = createStoreRouter(loadConfig(env));
    dir = await mkdtemp(join(tmpdir(), 'tessera-maps-'));
    prefix = `s3://${stack.bucket}/${id}`;
    // 1100 px: 3 x 3 tiles with edge tiles, so the DAG runs every stage as its own activity (not inline).
    scene = await generateScene({ outPath: join(dir, 'WYV-MAPS.tif'), sizePx: 1100, bands: 31, seed: 11 });
    input = `${prefix}/input/WYV-MAPS.tif`;
    await store.put(input, new Uint8Array(await readFile(scene.cogPath)));
    workers.push(startWorker(env), startWorker(env));
  });

  after(async () => {
    await Promise.all(workers.map((w) => stopProcess(w)));
    if (store && prefix) await store.deletePrefix(`${prefix}/`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('polygons, EPSG:3857 copies and the quick look of a 3 x 3-tile scene', async (t) => {
    const out = `${prefix}/out`;
    // `hot` is bloom again as a mask product of its own, so its COG can be traced by GDAL: the lake is one water
    // polygon, while NDCI above the threshold leaves some hundred specks along the bloom's edge.
    const r = await tessera(
      ['run', input, '--out', out, '--products', 'ndwi,water,ndci,rgb', '--index', 'hot=NDCI > 0.3', '--vectors', 'water,bloom,hot', '--reproject', 'EPSG:3857', '--wait', '--json'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as Json;
    assert.equal(result.status, 'completed');
    const vectorFiles = (result.outputs.vectors as Json[]).map((v) => `${v.name}.${v.format}`).sort();
    assert.deepEqual(vectorFiles, ['bloom.geojson', 'bloom.geoparquet', 'hot.geojson', 'hot.geoparquet', 'water.geojson', 'water.geoparquet']);
    assert.deepEqual((result.outputs.reprojected as Json[]).map((c) => [c.product, c.epsg]).sort(), [['hot', 3857], ['ndci', 3857], ['ndwi', 3857], ['water', 3857]]);
    assert.equal(result.outputs.quicklook, `${out}/scenes/WYV-MAPS/index.html`);

    const local = join(dir, 'out');
    const toLocal = (uri: string) => join(local, uri.slice(out.length + 1));
    for await (const obj of store.list(`${out}/`)) {
      await mkdir(dirname(toLocal(obj.uri)), { recursive: true });
      await writeFile(toLocal(obj.uri), await store.get(obj.uri));
    }

    // The item lists every polygon file, copy and the quick look, each with its media type.
    const item = JSON.parse(await readFile(toLocal(result.outputs.stac), 'utf8')) as Json;
    const byHref = new Map<string, Json>(Object.entries(item.assets as Record<string, Json>).map(([key, a]) => [a.href, { key, ...a }]));
    for (const v of result.outputs.vectors as Json[]) {
      const a = byHref.get(v.uri);
      assert.ok(a, `item lists ${v.uri}`);
      assert.equal(a.key, `vectors_${v.name}_${v.format}`);
      assert.equal(a.type, v.format === 'geojson' ? 'application/geo+json' : 'application/vnd.apache.parquet');
      assert.equal(a['tessera:polygons'], v.polygons);
    }
    for (const c of result.outputs.reprojected as Json[]) {
      const a = byHref.get(c.uri);
      assert.ok(a, `item lists ${c.uri}`);
      assert.equal(a.key, `${c.product}_epsg3857`);
      assert.equal(a['proj:epsg'], 3857);
    }
    assert.equal(byHref.get(result.outputs.quicklook)?.type, 'text/html');
    // sha256 of every object in the manifest, copies through GDAL's COG validator, feature counts, COG values.
    await checkSceneOutputs({
      result: { ...result, ...result.outputs, outputs: [] },
      inputPath: scene.cogPath,
      localPath: toLocal,
      tableRoot: join(local, 'tables', 'tile_stats'),
      tmpDir: dir,
      tiles: Math.ceil(scene.width / 512) * Math.ceil(scene.height / 512),
      // 1 where NDCI > 0.3, 0 where not, 255 where NDCI is nodata (outside water). The comparison is in float32, as
      // numpy's and the bloom count's: an NDCI of exactly float32(0.3) is not above it (a dozen pixels here).
      references: { hot: (ref) => Uint8Array.from(ref.ndci, (v) => (Number.isNaN(v) ? 255 : v > Math.fround(0.3) ? 1 : 0)) },
    });

    // As many polygons as gdal_polygonize.py traces (4-connected) in the mask COGs read back from MinIO.
    const gdal: Record<string, number> = {};
    for (const name of ['water', 'hot']) {
      const ours = (result.outputs.vectors as Json[]).find((v) => v.name === name && v.format === 'geojson')!;
      gdal[name] = gdalPolygonize({ mask: toLocal(result.outputs.cogs[name]), connectivity: 4, value: 1, workdir: dir }).gdal.count;
      assert.equal(ours.polygons, gdal[name], `${name} polygons: ours ${ours.polygons}, gdal_polygonize ${gdal[name]}`);
      assert.equal(item.properties['tessera:polygons'][name], gdal[name]);
    }
    assert.ok(gdal.hot > 10, `the hot mask has many polygons (${gdal.hot})`);

    // The map activities ran on the workers through Temporal, and every payload stayed small.
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const client = new Client({ connection, namespace: stack.namespace });
      const history = await client.workflow.getHandle(result.workflowId).fetchHistory();
      const types = new Map<string, number>();
      let largest = { bytes: 0, what: '' };
      for (const ev of history.events ?? []) {
        const scheduled = ev.activityTaskScheduledEventAttributes;
        if (scheduled?.activityType?.name) types.set(scheduled.activityType.name, (types.get(scheduled.activityType.name) ?? 0) + 1);
        const payloads = [...(scheduled?.input?.payloads ?? []), ...(ev.activityTaskCompletedEventAttributes?.result?.payloads ?? [])];
        const bytes = payloads.reduce((n, p) => n + (p.data?.byteLength ?? 0), 0);
        if (bytes > largest.bytes) largest = { bytes, what: `event ${ev.eventId} ${scheduled?.activityType?.name ?? 'result'}` };
      }
      assert.equal(types.get('vectorizeMasks'), 1);
      assert.equal(types.get('warpCog'), 4, 'one copy per COG product');
      t.diagnostic(`polygons ${JSON.stringify(item.properties['tessera:polygons'])}, gdal_polygonize ${JSON.stringify(gdal)}; largest payload ${largest.bytes} B (${largest.what})`);
      assert.ok(largest.bytes > 0 && largest.bytes < PAYLOAD_LIMIT_BYTES, `largest activity payload ${largest.bytes} B (${largest.what}) < 64 KB`);
    } finally {
      await connection.close();
    }
  });

  test('a bad map request exits 2 with one line before anything starts', async () => {
    const out = `${prefix}/bad-out`;
    const cases: Array<[string[], RegExp]> = [
      [['--vectors', 'ndwi'], /^tessera run: --vectors: "ndwi" is not a mask product/],
      [['--reproject', 'EPSG:999999'], /^tessera run: --reproject: EPSG:999999 is not among the \d+ CRSs Tessera can project to/],
    ];
    for (const [args, message] of cases) {
      const r = await tessera(['run', input, '--out', out, '--scene-id', 'BAD-MAPS', ...args, '--wait'], env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
      assert.match(lines[0], message);
      assert.equal(r.stdout, '');
    }
    // Nothing started: no workflow for the scene, nothing written.
    const listed = await run(stack.temporalBin, ['workflow', 'list', '--address', stack.temporalAddress, '--namespace', stack.namespace, '--query', 'TesseraScene="BAD-MAPS"', '-o', 'json']);
    assert.ok(!listed.stdout.includes('BAD-MAPS'), `no workflow started:\n${listed.stdout}`);
    for await (const obj of store.list(`${out}/`)) assert.fail(`wrote ${obj.uri}`);
  });
});
