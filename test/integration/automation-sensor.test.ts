/**
 * The new-scene sensor on real servers. A static STAC catalog is appended to one item at a time (rustac serve
 * 0.9.18 answers POST /collections/{id}/items with 405: it has no Transaction extension, and loads its items only at
 * start), and the sensor is expected to start each item's scene exactly once, counted from Temporal itself (scene
 * runs by TesseraSceneSensor, child starts in the sensor's histories):
 *
 * - on the shared dev stack: three items, a continue-as-new every 3 polls, and a `kill -9` of the worker that is
 *   running the sensor's poll (held in flight by a catalog server that stalls): the poll is retried on the other
 *   worker and the sensor goes on from its cursor;
 * - alerts: a local webhook receiver gets exactly one alert per threshold crossing, none below the threshold, none
 *   while the hysteresis holds; the first crossing arrives on the third attempt, after two 500s, with the same
 *   Idempotency-Key; a webhook that always answers 500 is retried five times, then marked failed, and nothing else
 *   stops; the sensor workflow as the Temporal UI shows it is saved as a screenshot;
 * - on a private stack: the Temporal server stops and starts again mid-sensor, an item added while it is down is
 *   processed once it is back, none twice.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { AlertRule } from '../../workflows/alerts-types';
import type { sensor } from '../../workflows/sensor';
import { sensorStatusQuery } from '../../workflows/sensor-messages';
import type { SensorStatus } from '../../workflows/sensor-types';
import { saveScreenshot, withPage } from '../support/browser';
import { stopProcess, tessera } from '../support/cli';
import {
  activityRuns,
  childRuns,
  runChain,
  sleep,
  startCatalogRig,
  temporalCli,
  uniqueName,
  withClient,
  type CatalogRig,
} from '../support/catalog-run';
import { writeStacFixture, type FixtureScene, type StacFixture } from '../support/stac-fixture';
import { openWorkflow, searchAttributes, workflowStatus } from '../support/temporal-ui';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { startPrivateStack, type PrivateStack } from '../reliability/private-stack';

const PRODUCTS = 'ndwi,water,ndci';
const POLL_EVERY = '2s';

/**
 * A static catalog that grows: `catalog.json` → `collection.json` → `items/<id>.json`. An item is written first and
 * the collection's link to it second (by rename), so a poll never sees a link to a missing item.
 */
class LiveCatalog {
  readonly ids: string[] = [];
  constructor(
    readonly dir: string,
    private readonly fixture: StacFixture,
  ) {}

  static async create(dir: string, fixture: StacFixture): Promise<LiveCatalog> {
    await mkdir(join(dir, 'items'), { recursive: true });
    const live = new LiveCatalog(dir, fixture);
    await writeFile(
      join(dir, 'catalog.json'),
      JSON.stringify({
        type: 'Catalog',
        stac_version: '1.0.0',
        id: 'live',
        description: 'grows one item at a time',
        links: [
          { rel: 'root', href: './catalog.json', type: 'application/json' },
          { rel: 'child', href: './collection.json', type: 'application/json' },
        ],
      }),
    );
    await live.writeCollection();
    return live;
  }

  get catalogUri(): string {
    return pathToFileURL(join(this.dir, 'catalog.json')).href;
  }

  /** Adds the fixture scene as an item with `datetime`; returns its id. */
  async add(scene: FixtureScene, datetime: string): Promise<string> {
    const item = JSON.parse(await readFile(scene.itemPath, 'utf8')) as { properties: Record<string, unknown>; links: unknown[]; assets: { cog: { href: string } } };
    item.properties.datetime = datetime;
    item.assets.cog.href = scene.tiffUri;
    item.links = [
      { rel: 'root', href: '../catalog.json', type: 'application/json' },
      { rel: 'parent', href: '../collection.json', type: 'application/json' },
      { rel: 'collection', href: '../collection.json', type: 'application/json' },
    ];
    await writeFile(join(this.dir, 'items', `${scene.id}.json`), JSON.stringify(item));
    this.ids.push(scene.id);
    await this.writeCollection();
    return scene.id;
  }

  private async writeCollection(): Promise<void> {
    const doc = {
      type: 'Collection',
      stac_version: '1.0.0',
      id: this.fixture.collection,
      description: 'live',
      license: 'proprietary',
      extent: { spatial: { bbox: [[-180, -90, 180, 90]] }, temporal: { interval: [[null, null]] } },
      links: [
        { rel: 'root', href: './catalog.json', type: 'application/json' },
        { rel: 'parent', href: './catalog.json', type: 'application/json' },
        ...this.ids.map((id) => ({ rel: 'item', href: `./items/${id}.json`, type: 'application/geo+json' })),
      ],
    };
    const tmp = join(this.dir, `collection.json.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify(doc));
    await rename(tmp, join(this.dir, 'collection.json'));
  }
}

/** Serves a folder over HTTP; while `stallMs` is set, every request is answered only after that long. */
async function serveFolder(root: string): Promise<{ url: string; stallMs: number; requests: number; close(): Promise<void> }> {
  const state = { url: '', stallMs: 0, requests: 0, close: async () => undefined as void };
  const stalled = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    state.requests++;
    const answer = async () => {
      try {
        const body = await readFile(join(root, decodeURIComponent((req.url ?? '/').split('?')[0])));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.byteLength });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404).end();
      }
    };
    if (state.stallMs > 0) {
      const timer = setTimeout(() => {
        stalled.delete(timer);
        void answer();
      }, state.stallMs);
      stalled.add(timer);
    } else void answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      for (const timer of stalled) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

/** The item datetime of the n-th item a test adds: a fixed base plus n minutes, so the order is the add order. */
function itemTime(base: number, n: number): string {
  return new Date(base + n * 60_000).toISOString();
}

async function statusOf(handle: WorkflowHandle<typeof sensor>): Promise<SensorStatus | undefined> {
  return handle.query(sensorStatusQuery).catch(() => undefined);
}

/** Polls the sensor's status until `ok` holds; fails with the last status seen. */
async function waitForStatus(handle: WorkflowHandle<typeof sensor>, ok: (s: SensorStatus) => boolean, timeoutMs: number, what: string): Promise<SensorStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: SensorStatus | undefined;
  for (;;) {
    last = (await statusOf(handle)) ?? last;
    if (last && ok(last)) return last;
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs} ms; last status: ${JSON.stringify(last, null, 1)?.slice(0, 3000)}`);
    await sleep(250);
  }
}

/**
 * Scene runs the sensor started, per workflow id, from Temporal's visibility (every run, closed or not). Visibility
 * is written after the run closes, so this waits (up to 10 s) until it lists `expected` runs.
 */
async function sceneRunsOf(stack: Pick<CatalogRig['stack'], 'temporalBin' | 'temporalAddress' | 'namespace'>, name: string, expected: number): Promise<Record<string, number>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const out = await temporalCli(stack as CatalogRig['stack'], ['workflow', 'list', '--query', `TesseraSceneSensor="${name}" AND WorkflowType="processScene"`, '-o', 'json']);
    const runs = out.trim() ? (JSON.parse(out) as Array<{ execution: { workflowId: string } }>) : [];
    const counts: Record<string, number> = {};
    for (const r of runs) counts[r.execution.workflowId] = (counts[r.execution.workflowId] ?? 0) + 1;
    if (runs.length >= expected || Date.now() > deadline) return counts;
    await sleep(500);
  }
}

/** Starts the sensor through the CLI, as a user would. */
async function startSensor(env: NodeJS.ProcessEnv, name: string, source: string, out: string, extra: string[] = []): Promise<void> {
  const r = await tessera(['sensor', 'start', name, source, '--every', POLL_EVERY, '--since', 'all', '--products', PRODUCTS, '--out', out, '--json', ...extra], env, 60_000);
  assert.equal(r.code, 0, `sensor start: ${r.stderr}`);
}

async function stopSensor(env: NodeJS.ProcessEnv, name: string): Promise<SensorStatus> {
  const r = await tessera(['sensor', 'stop', name, '--json'], env, 180_000);
  assert.equal(r.code, 0, `sensor stop: ${r.stderr}`);
  return JSON.parse(r.stdout) as SensorStatus;
}

describe('sensor on the shared dev stack', { timeout: 900_000 }, () => {
  let rig: CatalogRig;
  let fixture: StacFixture;
  before(async () => {
    rig = await startCatalogRig('auto-sensor', { workers: 2 });
    fixture = await writeStacFixture({ dir: join(rig.dir, 'fixture'), count: 12, sizePx: 64, assetHref: 'absolute' });
  });
  after(async () => {
    await rig?.close();
  });

  test('three items added one at a time are each processed once; kill -9 of the polling worker; continue-as-new', async (t) => {
    const began = Date.now();
    const live = await LiveCatalog.create(join(rig.dir, 'live-a'), fixture);
    const server = await serveFolder(live.dir);
    const name = uniqueName('sa');
    const base = Date.parse('2026-06-01T10:00:00Z');
    try {
      await startSensor(rig.env, name, `${server.url}/catalog.json`, `${rig.prefix}/a`, ['--polls-per-run', '3']);
      await withClient(rig.stack, async (client) => {
        const handle = client.workflow.getHandle<typeof sensor>(`sensor-${name}`);
        const a = await live.add(fixture.scenes[0], itemTime(base, 1));
        await waitForStatus(handle, (s) => s.counts.completed === 1, 120_000, `scene ${a} completed`);
        const b = await live.add(fixture.scenes[1], itemTime(base, 2));
        const two = await waitForStatus(handle, (s) => s.counts.completed === 2, 120_000, `scene ${b} completed`);
        assert.equal(two.cursor.datetime, new Date(itemTime(base, 2)).toISOString(), 'the cursor is at the newest item');

        // Stall the catalog, so the next poll stays in flight, and kill the worker running it.
        server.stallMs = 120_000;
        const deadline = Date.now() + 60_000;
        let victim: ChildProcess | undefined;
        while (!victim) {
          assert.ok(Date.now() < deadline, 'no poll in flight on a rig worker within 60 s');
          const d = await handle.describe();
          const poll = (d.raw.pendingActivities ?? []).find((p) => p.activityType?.name === 'pollSource' && Number(p.state) === 2 /* STARTED */);
          const pid = Number((poll?.lastWorkerIdentity ?? '').split('@')[0]);
          victim = rig.workers.find((w) => w.pid === pid && w.exitCode === null);
          if (!victim) await sleep(100);
        }
        victim.kill('SIGKILL');
        const killedAt = Date.now();
        server.stallMs = 0;
        t.diagnostic(`killed worker ${victim.pid} while it ran pollSource`);
        const c = await live.add(fixture.scenes[2], itemTime(base, 3));
        const done = await waitForStatus(handle, (s) => s.counts.completed === 3, 180_000, `scene ${c} completed after the kill`);
        t.diagnostic(`third scene completed ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill; ${done.counts.polls} polls, run ${done.run}`);
        assert.ok(done.run > 1, `the sensor continued as new (run ${done.run})`);

        const final = await stopSensor(rig.env, name);
        assert.equal(final.stage, 'stopped');
        assert.deepEqual(
          { started: final.counts.started, completed: final.counts.completed, failed: final.counts.failed, duplicates: final.counts.duplicates },
          { started: 3, completed: 3, failed: 0, duplicates: 0 },
        );

        // Counted by Temporal: one scene run per item, and the chain of sensor runs started each once.
        const runs = await sceneRunsOf(rig.stack, name, 3);
        assert.deepEqual(runs, Object.fromEntries([a, b, c].map((id) => [`sensor-${name}/${id}`, 1])), 'one run per scene');
        const chain = await runChain(client, `sensor-${name}`);
        const children = childRuns(chain).filter((r) => r.workflowType === 'processScene');
        assert.deepEqual(children.map((r) => r.workflowId).sort(), [a, b, c].map((id) => `sensor-${name}/${id}`).sort(), 'each scene started once across the chain');
        // The poll the victim held was retried by the survivor (its last start is attempt 2 or later, elsewhere).
        const polls = chain.flatMap((r) => activityRuns(r.events)).filter((x) => x.type === 'pollSource');
        const retried = polls.filter((p) => p.attempt > 1);
        assert.ok(retried.length >= 1, `a poll was retried after the kill: ${JSON.stringify(polls.map((p) => [p.attempt, p.identity, p.outcome]))}`);
        assert.ok(retried.every((p) => !p.identity?.startsWith(`${victim!.pid}@`)), 'the retry ran on the surviving worker');
        assert.ok(polls.every((p) => p.outcome === 'completed'), 'every poll completed in the end');
      });
    } finally {
      await server.close();
    }
    t.diagnostic(`test took ${((Date.now() - began) / 1000).toFixed(1)} s`);
  });

  test('alerts: one per crossing, none below the threshold or inside the hysteresis; retried with one key; a failing webhook marked failed', async (t) => {
    const began = Date.now();
    // The first test killed one of the two workers.
    if (rig.workers.filter((w) => w.exitCode === null && w.signalCode === null).length < 2) rig.addWorker();
    // The oracle: each scene's bloom fraction from an in-process run of the same pipeline.
    const values = await Promise.all(
      fixture.scenes.map(async (s) => {
        const r = await tessera(['run', s.itemUri, '--local', '--json', '--products', PRODUCTS, '--out', pathToFileURL(join(rig.dir, 'oracle')).href], rig.env, 120_000);
        assert.equal(r.code, 0, r.stderr);
        return { scene: s, value: (JSON.parse(r.stdout) as { summary: { bloomFraction: number } }).summary.bloomFraction };
      }),
    );
    const s = [...values].sort((x, y) => x.value - y.value);
    const n = s.length;
    // Three scenes above the threshold, one between it and threshold - hysteresis, two below that.
    const threshold = (s[n - 4].value + s[n - 3].value) / 2;
    const hysteresis = threshold - (s[1].value + s[2].value) / 2;
    const low1 = s[0];
    const high1 = s[n - 1];
    const high2 = s[n - 2];
    const band = s[n - 4];
    const low2 = s[1];
    const high3 = s[n - 3];
    const sequence = [low1, high1, high2, band, low2, high3];
    t.diagnostic(`threshold ${threshold.toFixed(4)}, re-arm below ${(threshold - hysteresis).toFixed(4)}; values in order: ${sequence.map((x) => x.value.toFixed(4)).join(', ')}`);

    const rx = await startWebhookReceiver();
    const broken = await startWebhookReceiver();
    broken.failAlways(500);
    const rules: AlertRule[] = [
      { name: 'bloom', metric: 'bloom_fraction', threshold, hysteresis, webhook: `${rx.url}/bloom` },
      // NDCI's 98th percentile is positive in every scene: this rule fires on the first and never re-arms.
      { name: 'to-broken', metric: 'ndci_p98', threshold: 0, hysteresis: 0, webhook: `${broken.url}/hook` },
    ];
    const alertFile = join(rig.dir, 'alerts.json');
    await writeFile(alertFile, JSON.stringify({ rules }, null, 2));
    rx.failNext(2, 500);

    const live = await LiveCatalog.create(join(rig.dir, 'live-b'), fixture);
    const name = uniqueName('sb');
    const base = Date.parse('2026-07-01T10:00:00Z');
    try {
      await startSensor(rig.env, name, live.catalogUri, `${rig.prefix}/b`, ['--alert', alertFile]);
      await withClient(rig.stack, async (client) => {
        const handle = client.workflow.getHandle<typeof sensor>(`sensor-${name}`);
        for (const [i, x] of sequence.entries()) {
          const id = await live.add(x.scene, itemTime(base, i + 1));
          await waitForStatus(handle, (st) => st.alerts?.rules.find((r) => r.name === 'bloom')?.lastScene === id, 120_000, `alerts evaluated on ${id}`);
        }
        // The first crossing: 500, 500, then 200, 1 s and 2 s apart, with one key; the broken webhook: 5 attempts.
        await rx.waitFor((reqs) => reqs.filter((r) => r.status === 200).length >= 2, 60_000, 'two accepted alerts');
        const st = await waitForStatus(handle, (x) => x.alerts!.deliveries.pending === 0 && x.alerts!.deliveries.failed === 1, 90_000, 'the broken webhook marked failed');

        const accepted = rx.accepted();
        assert.deepEqual(accepted.map((r) => (r.body as { scene: string }).scene), [high1.scene.id, high3.scene.id], 'alerts on the two rises only');
        const first = rx.requests.filter((r) => r.idempotencyKey === accepted[0].idempotencyKey);
        assert.deepEqual(first.map((r) => [r.status, r.attempt]), [[500, 1], [500, 2], [200, 3]], 'two 500s, then delivered on the third attempt');
        assert.equal(new Set(rx.requests.map((r) => r.idempotencyKey)).size, 2, 'one key per crossing, the same on every attempt');
        assert.notEqual(accepted[0].idempotencyKey, accepted[1].idempotencyKey);
        const body = accepted[0].body as Record<string, unknown>;
        assert.deepEqual(
          { rule: body.rule, scene: body.scene, metric: body.metric, threshold: body.threshold, crossing: body.crossing },
          { rule: 'bloom', scene: high1.scene.id, metric: 'bloom_fraction', threshold, crossing: 1 },
        );
        assert.ok(Math.abs((body.value as number) - high1.value) < 1e-9, `value ${body.value} is the scene's ${high1.value}`);
        assert.equal(body.datetime, itemTime(base, 2));
        assert.match(String(body.stacItem), new RegExp(`/scenes/${high1.scene.id}/item\\.json$`));
        assert.match(String(body.ndciPreview), new RegExp(`/scenes/${high1.scene.id}/preview/ndci\\.png$`));
        for (const uri of [body.stacItem, body.ndciPreview] as string[]) assert.ok(await rig.store.head(uri), `${uri} exists`);

        assert.equal(broken.requests.length, 5, 'the broken webhook was tried 5 times');
        assert.equal(new Set(broken.requests.map((r) => r.idempotencyKey)).size, 1);
        assert.equal((broken.requests[0].body as { scene: string }).scene, low1.scene.id);
        const failed = st.alerts!.recent.find((d) => d.rule === 'to-broken');
        assert.equal(failed?.state, 'failed');
        assert.match(failed?.error ?? '', /answered 500/);
        assert.deepEqual(st.alerts!.deliveries, { delivered: 2, failed: 1, pending: 0 });
        assert.deepEqual(st.counts.completed, sequence.length, 'every scene was processed while the webhook failed');

        const cli = await tessera(['sensor', 'status', name], rig.env, 60_000);
        assert.equal(cli.code, 0, cli.stderr);
        assert.match(cli.stdout, /alerts +2 delivered, 1 failed, 0 pending/);
        assert.match(cli.stdout, /failed +to-broken #1 .* 500/);
        t.diagnostic(cli.stdout.trim().split('\n').slice(0, 4).join(' | '));

        // The Temporal UI shows the sensor with its search attributes; the screenshot is for a person to look at.
        const shot = await withPage(async (page) => {
          const target = { uiUrl: rig.stack.uiUrl, namespace: rig.stack.namespace };
          await openWorkflow(page, target, `sensor-${name}`);
          assert.equal(await workflowStatus(page), 'Running');
          const path = await saveScreenshot(page, 'automation-sensor');
          const attrs = await searchAttributes(page);
          assert.equal(attrs.TesseraSceneSensor, name);
          assert.ok(typeof attrs.TesseraSensorCursor === 'string', `the cursor is shown: ${JSON.stringify(attrs)}`);
          return path;
        }, { viewport: { width: 1600, height: 1400 } });
        t.diagnostic(`screenshot ${shot}`);

        const final = await stopSensor(rig.env, name);
        assert.equal(final.counts.started, sequence.length);
        assert.equal(rx.accepted().length, 2, 'no more alerts after the stop');
      });
    } finally {
      await rx.close();
      await broken.close();
    }
    t.diagnostic(`test took ${((Date.now() - began) / 1000).toFixed(1)} s`);
  });
});

describe('sensor across a Temporal server restart (private stack)', { timeout: 600_000 }, () => {
  let stack: PrivateStack | undefined;
  const workers: ChildProcess[] = [];
  let dir = '';
  before(async () => {
    stack = await startPrivateStack();
    dir = join(stack.dataDir, 'test');
    await mkdir(dir, { recursive: true });
  });
  after(async () => {
    await Promise.all(workers.map((w) => stopProcess(w, 'SIGKILL')));
    await stack?.down();
  });

  test('no item is missed or processed twice when the server restarts mid-sensor', async (t) => {
    const began = Date.now();
    const s = stack!;
    const queue = uniqueName('sr');
    const env = { ...s.env, TESSERA_TASK_QUEUE: queue, TESSERA_THREADS: '1', LOG_LEVEL: 'warn' };
    const { spawn } = await import('node:child_process');
    const { openSync, closeSync } = await import('node:fs');
    for (const label of ['a', 'b']) {
      const fd = openSync(join(dir, `worker-${label}.log`), 'a');
      workers.push(spawn(process.execPath, [join(__dirname, '..', '..', 'cli', 'main.js'), 'worker'], { env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', fd, fd] }));
      closeSync(fd);
    }
    const fixture = await writeStacFixture({ dir: join(dir, 'fixture'), count: 12, sizePx: 64, assetHref: 'absolute' });
    const live = await LiveCatalog.create(join(dir, 'live'), fixture);
    const name = 'restart';
    const base = Date.parse('2026-08-01T10:00:00Z');
    const out = `s3://${s.bucket}/restart`;
    await startSensor(env, name, live.catalogUri, out);

    const connection = await Connection.connect({ address: s.temporalAddress });
    let client = new Client({ connection, namespace: s.namespace });
    let handle = client.workflow.getHandle<typeof sensor>(`sensor-${name}`);
    const a = await live.add(fixture.scenes[0], itemTime(base, 1));
    await waitForStatus(handle, (st) => st.counts.completed === 1, 120_000, `scene ${a} completed`);

    await s.stop('temporal');
    const stoppedAt = Date.now();
    const b = await live.add(fixture.scenes[1], itemTime(base, 2));
    await sleep(10_000);
    await s.start();
    t.diagnostic(`server down ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s; item ${b} added while it was down`);
    await connection.close();
    const again = await Connection.connect({ address: s.temporalAddress });
    try {
      client = new Client({ connection: again, namespace: s.namespace });
      handle = client.workflow.getHandle<typeof sensor>(`sensor-${name}`);
      await waitForStatus(handle, (st) => st.counts.completed === 2, 180_000, `scene ${b} completed after the restart`);
      const c = await live.add(fixture.scenes[2], itemTime(base, 3));
      await waitForStatus(handle, (st) => st.counts.completed === 3, 120_000, `scene ${c} completed`);
      for (const [i, w] of workers.entries()) assert.equal(w.exitCode, null, `worker ${'ab'[i]} survived the restart`);

      const final = await stopSensor(env, name);
      assert.deepEqual([final.counts.started, final.counts.completed, final.counts.duplicates], [3, 3, 0]);
      const runs = await sceneRunsOf(s, name, 3);
      assert.deepEqual(runs, Object.fromEntries([a, b, c].map((id) => [`sensor-${name}/${id}`, 1])), 'one run per scene');
      for (const id of [a, b, c]) assert.ok(await s.store.head(`${out}/scenes/${id}/manifest.json`), `${id} published`);
    } catch (err) {
      const logs = await Promise.all(['a', 'b'].map((l) => readFile(join(dir, `worker-${l}.log`), 'utf8').catch(() => '')));
      throw new Error(`${(err as Error).message}\n${logs.map((l) => l.split('\n').slice(-15).join('\n')).join('\n---\n')}`, { cause: err });
    } finally {
      await again.close();
    }
    t.diagnostic(`test took ${((Date.now() - began) / 1000).toFixed(1)} s`);
  });
});

