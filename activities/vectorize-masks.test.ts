/**
 * vectorizeMasks alone, over the in-memory store: an empty mask gives valid empty files, a mask's rows are read
 * band by band with heartbeats, and a cancelled run writes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { MemoryObjectStore } from '../platform/storage/memory';
import type { ObjectStore } from '../platform/storage/object-store';
import { writeRasterCog } from '../raster/vector/testing/write-cog';
import type { VectorizeResult } from '../workflows/scene-dag';
import type { ScenePlan } from '../workflows/types';
import type { TaskRunner } from './deps';
import { cogUri, vectorUri } from './output-keys';
import { createVectorizeMasks } from './vectorize-masks';

const OUT = 'memory://vectors-test/out';
const WIDTH = 700;
const HEIGHT = 1100; // three 512-row bands
const GT: [number, number, number, number, number, number] = [400000, 10, 0, 5800000, 0, -10];

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-vectorize-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const noPool: TaskRunner = {
  size: 0,
  run() {
    throw new Error('vectorizeMasks runs nothing in the pool');
  },
} as TaskRunner;

function planFor(sceneId: string): ScenePlan {
  return {
    sceneId,
    outUri: OUT,
    datetime: '2024-08-15T16:20:00Z',
    variants: { water: 'water' },
    vectors: { sources: [{ name: 'water', product: 'water' }], connectivity: 4, minAreaM2: 0, formats: ['geoparquet', 'geojson'] },
  } as unknown as ScenePlan;
}

async function putMask(store: ObjectStore, sceneId: string, mask: Uint8Array): Promise<void> {
  const path = join(dir, `${sceneId}.tif`);
  await writeRasterCog(path, mask, { width: WIDTH, height: HEIGHT, sampleType: 'uint8', epsg: 32633, geoTransform: GT, nodata: 255 });
  await store.put(cogUri(OUT, sceneId, 'water'), await readFile(path));
}

test('an empty mask gives valid empty files and 0 polygons', async () => {
  const store = new MemoryObjectStore();
  const mask = new Uint8Array(WIDTH * HEIGHT);
  mask.fill(255, 0, WIDTH * 10); // nodata rows are no polygons either
  await putMask(store, 'EMPTY', mask);
  const vectorize = createVectorizeMasks({ store, pool: noPool, logger: pino({ level: 'silent' }), codeVersion: 'test' });
  const result = (await new MockActivityEnvironment().run(vectorize, { plan: planFor('EMPTY') })) as VectorizeResult;
  assert.deepEqual(result.polygons, { water: { water: 0 } });
  assert.deepEqual(result.outputs.map((o) => [o.vector?.format, o.vector?.polygons, o.role, o.product]), [
    ['geoparquet', 0, 'vector', 'water'],
    ['geojson', 0, 'vector', 'water'],
  ]);
  const geojson = JSON.parse(new TextDecoder().decode(await store.get(vectorUri(OUT, 'EMPTY', 'water', 'geojson'))));
  assert.deepEqual(geojson, { type: 'FeatureCollection', features: [] });
  const parquet = await store.get(vectorUri(OUT, 'EMPTY', 'water', 'geoparquet'));
  assert.equal(new TextDecoder().decode(parquet.subarray(0, 4)), 'PAR1');
});

test('a cancelled run stops between row bands and writes no file', async () => {
  const store = new MemoryObjectStore();
  const mask = new Uint8Array(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) mask[y * WIDTH + x] = (x >> 4) % 2 && (y >> 4) % 2 ? 1 : 0;
  await putMask(store, 'CANCEL', mask);
  const env = new MockActivityEnvironment();
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => heartbeats.push(d));
  // The second read (the first band's blocks, after the header) cancels, as a workflow's cancellation would.
  let reads = 0;
  const cancelling: ObjectStore = Object.create(store, {
    source: {
      value: (uri: string) => {
        const src = store.source(uri);
        return {
          ...src,
          url: src.url,
          stats: src.stats,
          size: () => src.size!(),
          fetch: async (offset: number, length: number, opts?: { signal?: AbortSignal }) => {
            if (++reads === 2) env.cancel();
            return src.fetch(offset, length, opts);
          },
        };
      },
    },
  });
  const vectorize = createVectorizeMasks({ store: cancelling, pool: noPool, logger: pino({ level: 'silent' }), codeVersion: 'test' });
  await assert.rejects(env.run(vectorize, { plan: planFor('CANCEL') }), (e: Error) => /cancel|abort/i.test(`${e.name} ${e.message}`));
  assert.deepEqual(heartbeats[0], { mask: '', rows: 0 });
  const written = [];
  for await (const o of store.list(`${OUT}/scenes/CANCEL/vectors/`)) written.push(o.uri);
  assert.deepEqual(written, []);

  // The same mask, not cancelled: 22 x 34 squares of 16 px (the last band's row ends mid-square).
  const vectorizeAll = createVectorizeMasks({ store, pool: noPool, logger: pino({ level: 'silent' }), codeVersion: 'test' });
  const full = (await new MockActivityEnvironment().run(vectorizeAll, { plan: planFor('CANCEL') })) as VectorizeResult;
  assert.equal(full.polygons.water.water, 22 * 34);
});
