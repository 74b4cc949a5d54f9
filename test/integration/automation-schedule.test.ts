/**
 * Scheduled backfills on the shared dev stack: a real Temporal Schedule (`--every 10s`) over a static catalog on
 * file:// whose item datetimes are spread around "now". Every action's backfill is expected to run exactly the
 * scenes whose datetime falls in its window [action time - 10 s, action time), the windows of consecutive actions
 * to meet, and the window to come from the action's own nominal time (TemporalScheduledStartTime). Then the verbs:
 * pause (no scheduled actions), trigger (one action, now), backfill over past windows (one new window, two re-runs
 * whose scenes all skip their unchanged partitions), delete. A bloom alert fires once across all actions, and the
 * schedule as the Temporal UI shows it is saved as a screenshot. Bad input exits 2 before anything is created.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import type { scheduledBackfill } from '../../workflows/schedule';
import { nextFireMs, parseCron, previousFireMs } from '../../workflows/schedule-cron';
import type { ScheduledBackfillResult } from '../../workflows/schedule-types';
import { saveScreenshot, withPage } from '../support/browser';
import { tessera } from '../support/cli';
import { readBackfillExecution, sceneIdOf, sleep, startCatalogRig, uniqueName, withClient, workerLogTail, type CatalogRig } from '../support/catalog-run';
import { writeStacFixture, type StacFixture } from '../support/stac-fixture';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const PRODUCTS = 'ndwi,water,ndci';
const EVERY_MS = 10_000;

interface ActionRun {
  workflowId: string;
  runId: string;
  status: string;
  startMs: number;
  closeMs: number | null;
  result?: ScheduledBackfillResult;
}

/** Every run of the schedule's actions, oldest first, with the results of those that completed. */
async function actionsOf(client: Client, name: string): Promise<ActionRun[]> {
  const runs: ActionRun[] = [];
  for await (const w of client.workflow.list({ query: `TesseraSchedule = "${name}" AND WorkflowType = "scheduledBackfill"` })) {
    const run: ActionRun = { workflowId: w.workflowId, runId: w.runId, status: w.status.name, startMs: w.startTime.getTime(), closeMs: w.closeTime?.getTime() ?? null };
    if (run.status === 'COMPLETED') run.result = await client.workflow.getHandle<typeof scheduledBackfill>(w.workflowId, w.runId).result();
    runs.push(run);
  }
  return runs.sort((a, b) => a.startMs - b.startMs);
}

async function cli(rig: CatalogRig, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return tessera(['schedule', ...args], rig.env, 120_000);
}

describe('scheduled backfill on the shared dev stack', { timeout: 600_000 }, () => {
  let rig: CatalogRig;
  let fixture: StacFixture;
  /** Item datetimes (ms) by scene id. */
  const datetimes = new Map<string, number>();
  let rx: WebhookReceiver;

  before(async () => {
    rig = await startCatalogRig('auto-sched', { workers: 2 });
    rx = await startWebhookReceiver();
    fixture = await writeStacFixture({ dir: join(rig.dir, 'fixture'), count: 12, sizePx: 64 });
    // Scenes every 5 s from 5 s ago to 50 s ahead: the next five or six actions each find one or two.
    const now = Date.now();
    for (const [i, s] of fixture.scenes.entries()) {
      const item = JSON.parse(await readFile(s.itemPath, 'utf8')) as { properties: Record<string, unknown> };
      const ms = now + (i * 5 - 5) * 1000;
      item.properties.datetime = new Date(ms).toISOString();
      await writeFile(s.itemPath, JSON.stringify(item, null, 2));
      datetimes.set(s.id, ms);
    }
  });
  after(async () => {
    await rx?.close();
    await rig?.close();
  });

  /** The fixture scenes an action with this window should run. */
  const inWindow = (w: { start: string; end: string }) =>
    [...datetimes].filter(([, ms]) => ms >= Date.parse(w.start) && ms < Date.parse(w.end)).map(([id]) => id).sort();

  /** Scene ids the action's backfill started, from its history. */
  const scenesRun = async (client: Client, r: ScheduledBackfillResult) => (await readBackfillExecution(client, r.backfillId)).children.map(sceneIdOf).sort();

  test('every 10s: each action runs exactly its window; pause, trigger, backfill, delete; one alert', async (t) => {
    const began = Date.now();
    const name = uniqueName('sch');
    const alertFile = join(rig.dir, 'alerts.json');
    // Every scene has some bloom: the rule fires on the first scene evaluated and never re-arms.
    await writeFile(alertFile, JSON.stringify([{ name: 'any-bloom', metric: 'bloom_fraction', threshold: 0, hysteresis: 0, webhook: `${rx.url}/alerts` }]));
    const out = `${rig.prefix}/out`;
    const created = await cli(rig, ['create', name, fixture.catalogUri, '--every', '10s', '--products', PRODUCTS, '--out', out, '--alert', alertFile, '--json']);
    assert.equal(created.code, 0, created.stderr);
    const view = JSON.parse(created.stdout) as { overlap: string; window: string; nextActionTimes: string[] };
    assert.deepEqual([view.overlap, view.window], ['BUFFER_ALL', '10s']);
    t.diagnostic(`created ${name}; next actions ${view.nextActionTimes.slice(0, 2).join(', ')}`);

    await withClient(rig.stack, async (client) => {
      // Three scheduled actions that found scenes.
      const deadline = Date.now() + 180_000;
      let scheduled: ActionRun[] = [];
      while (scheduled.filter((a) => (a.result?.counts.listed ?? 0) > 0).length < 3) {
        assert.ok(Date.now() < deadline, `three actions with scenes within 180 s; got ${JSON.stringify(scheduled.map((a) => [a.workflowId, a.status, a.result?.counts]))}\n${await workerLogTail(rig)}`);
        await sleep(1000);
        scheduled = (await actionsOf(client, name)).filter((a) => a.status === 'COMPLETED');
      }
      const withScenes = scheduled.filter((a) => a.result!.counts.listed > 0);
      for (const a of scheduled) {
        const r = a.result!;
        assert.equal(r.actionTimeSource, 'TemporalScheduledStartTime', a.workflowId);
        assert.equal(Date.parse(r.actionTime) % EVERY_MS, 0, `${r.actionTime}: scheduled actions fall on whole 10 s`);
        assert.equal(Date.parse(r.window.end) - Date.parse(r.window.start), EVERY_MS);
        assert.equal(r.window.end, r.actionTime);
        assert.deepEqual(await scenesRun(client, r), inWindow(r.window), `${a.workflowId}: the scenes of [${r.window.start}, ${r.window.end})`);
        assert.equal(r.counts.failed, 0);
      }
      for (let i = 1; i < scheduled.length; i++) assert.equal(scheduled[i].result!.window.start, scheduled[i - 1].result!.window.end, 'consecutive windows meet');
      t.diagnostic(
        `actions: ${scheduled.map((a) => `${a.result!.actionTime.slice(11, 19)} ${a.result!.counts.done}/${a.result!.counts.listed} in ${(((a.closeMs ?? 0) - a.startMs) / 1000).toFixed(1)} s`).join('; ')}`,
      );

      // Pause: no scheduled action for more than an interval. Trigger: one action now, on the window before now.
      assert.equal((await cli(rig, ['pause', name])).code, 0);
      const pausedAt = Date.now();
      const described = JSON.parse((await cli(rig, ['describe', name, '--json'])).stdout) as { paused: boolean };
      assert.equal(described.paused, true);
      await sleep(EVERY_MS + 3000);
      const whilePaused = (await actionsOf(client, name)).filter((a) => a.startMs > pausedAt + 1500);
      assert.deepEqual(whilePaused.map((a) => a.workflowId), [], 'no action while paused');
      const triggeredAt = Date.now();
      assert.equal((await cli(rig, ['trigger', name])).code, 0);
      let triggered: ActionRun | undefined;
      while (!triggered?.result) {
        assert.ok(Date.now() < triggeredAt + 60_000, 'the triggered action completed within 60 s');
        await sleep(500);
        triggered = (await actionsOf(client, name)).find((a) => a.startMs >= triggeredAt - 1000);
      }
      assert.ok(Math.abs(Date.parse(triggered.result.actionTime) - triggeredAt) < 5000, `trigger time ${triggered.result.actionTime}`);
      assert.deepEqual(await scenesRun(client, triggered.result), inWindow(triggered.result.window));

      // Backfill over the window before the first action and the first two windows again: one new window, and two
      // re-runs whose scenes skip every partition (content-keyed), one action after the other.
      const first = Date.parse(withScenes[0].result!.actionTime);
      const from = new Date(first - EVERY_MS).toISOString();
      const to = new Date(first + 2 * EVERY_MS).toISOString();
      const backfillAt = Date.now();
      const bf = await cli(rig, ['backfill', name, '--from', from, '--to', to]);
      assert.equal(bf.code, 0, bf.stderr);
      let filled: ActionRun[] = [];
      while (filled.filter((a) => a.result).length < 3) {
        assert.ok(Date.now() < backfillAt + 120_000, `three backfilled actions within 120 s: ${JSON.stringify(filled.map((a) => [a.workflowId, a.status]))}`);
        await sleep(1000);
        filled = (await actionsOf(client, name)).filter((a) => a.startMs >= backfillAt - 1000 && a.workflowId !== triggered!.workflowId);
      }
      const times = filled.map((a) => a.result!.actionTime).sort();
      assert.deepEqual(times, [first - EVERY_MS, first, first + EVERY_MS].map((ms) => new Date(ms).toISOString().replace('.000Z', 'Z')), 'actions at from, from+10s, from+20s; --to is exclusive');
      for (const a of filled) {
        const r = a.result!;
        assert.deepEqual(await scenesRun(client, r), inWindow(r.window), `${a.workflowId}: its window`);
        if (Date.parse(r.actionTime) >= first) {
          assert.deepEqual([r.counts.done, r.counts.skipped], [0, r.counts.listed], `${r.actionTime}: re-run scenes skip their unchanged partitions`);
        }
      }
      // BUFFER_ALL: the backfilled actions ran one after another.
      const byStart = [...filled].sort((x, y) => x.startMs - y.startMs);
      for (let i = 1; i < byStart.length; i++) assert.ok(byStart[i].startMs >= (byStart[i - 1].closeMs ?? Infinity) - 50, 'one action at a time');

      // One alert across every action: the rule fired once, and nothing re-armed it.
      assert.equal(rx.accepted().length, 1, JSON.stringify(rx.requests.map((r) => r.body)));
      const alert = rx.accepted()[0];
      assert.match(alert.idempotencyKey ?? '', /^[0-9a-f]{64}$/);
      assert.equal((alert.body as { automation: string }).automation, `schedule ${name}`);
      assert.ok(await rig.store.head(`${out}/_alerts/schedule-${name}.json`), 'the alert state is kept in the store');

      // The schedule in the Temporal UI.
      const shot = await withPage(async (page) => {
        await page.goto(`${rig.stack.uiUrl}/namespaces/${rig.stack.namespace}/schedules/schedule-${name}`, { waitUntil: 'domcontentloaded' });
        await page.getByText(`schedule-${name}`, { exact: false }).first().waitFor({ timeout: 20_000 });
        await page.getByText(/Paused/i).first().waitFor({ timeout: 20_000 });
        await sleep(1000);
        return saveScreenshot(page, 'automation-schedule');
      }, { viewport: { width: 1600, height: 1400 } });
      t.diagnostic(`screenshot ${shot}`);

      const list = JSON.parse((await cli(rig, ['list', '--json'])).stdout) as Array<{ name: string; paused: boolean }>;
      assert.deepEqual(list.filter((r) => r.name === name).map((r) => r.paused), [true]);
      assert.equal((await cli(rig, ['delete', name])).code, 0);
      const gone = await cli(rig, ['describe', name]);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, new RegExp(`no schedule ${name}`));
    });
    t.diagnostic(`test took ${((Date.now() - began) / 1000).toFixed(1)} s`);
  });

  test('cron: the fire times the windows are derived from are the ones Temporal computes', async () => {
    // Temporal's scheduler is the oracle: a paused schedule per expression, its next ten action times against ours.
    const expressions = ['*/7 * * * *', '15 10 * * mon-fri', '5-10/2 3 * * 7', '0 0 1 jan,jul *', '@daily', '0 9 13 * fri', '0 9 1 * MON'];
    await withClient(rig.stack, async (client) => {
      for (const [i, expr] of expressions.entries()) {
        const id = `${uniqueName('cron')}-${i}`;
        await client.schedule.create({
          scheduleId: id,
          spec: { cronExpressions: [expr] },
          action: { type: 'startWorkflow', workflowType: 'scheduledBackfill', taskQueue: rig.name },
          state: { paused: true },
        });
        try {
          const theirs = (await client.schedule.getHandle(id).describe()).info.nextActionTimes.map((d) => d.getTime());
          assert.ok(theirs.length >= 5, `${expr}: Temporal lists ${theirs.length} next times`);
          const cron = parseCron(expr);
          const ours: number[] = [];
          for (let t = Date.now(); ours.length < theirs.length; ) ours.push((t = nextFireMs(cron, t)));
          assert.deepEqual(ours.map((ms) => new Date(ms).toISOString()), theirs.map((ms) => new Date(ms).toISOString()), expr);
          // And each window reaches back exactly to the fire time before.
          for (let k = 1; k < theirs.length; k++) assert.equal(previousFireMs(cron, theirs[k]), theirs[k - 1], `${expr}: previous of ${new Date(theirs[k]).toISOString()}`);
        } finally {
          await client.schedule.getHandle(id).delete();
        }
      }
    });
  });

  test('bad input exits 2 with one line, before anything is created', async () => {
    const name = uniqueName('bad');
    const rules = (over: Record<string, unknown>) => JSON.stringify([{ name: 'r', metric: 'bloom_km2', threshold: 1, webhook: 'https://hooks.example/x', ...over }]);
    const files = {
      metric: join(rig.dir, 'bad-metric.json'),
      webhook: join(rig.dir, 'bad-webhook.json'),
      relative: join(rig.dir, 'bad-relative.json'),
    };
    await writeFile(files.metric, rules({ metric: 'chlorophyll_km2' }));
    await writeFile(files.webhook, rules({ webhook: 'mailto:ops@example.com' }));
    await writeFile(files.relative, rules({ webhook: 'hooks.example/x' }));
    const src = fixture.catalogUri;
    const cases: Array<[string[], RegExp]> = [
      [['schedule', 'create', name, src, '--cron', '0 25 * * *'], /--cron: "0 25 \* \* \*" hour "25": 25 is outside 0-23/],
      [['schedule', 'create', name, src, '--cron', 'every day'], /has 2 fields; expected 5/],
      [['schedule', 'create', name, src, '--every', '10 minutes'], /--every: "10 minutes" is not a duration/],
      [['schedule', 'create', name, src, '--every', '1h', '--window=-5m'], /--window: "-5m" is not a duration/],
      [['sensor', 'start', name, src, '--every', 'fast'], /--every: "fast" is not a duration/],
      [['schedule', 'create', name, src, '--every', '1h', '--alert', files.metric], /unknown metric "chlorophyll_km2"/],
      [['schedule', 'create', name, src, '--every', '1h', '--alert', files.webhook], /webhook "mailto:ops@example.com" has scheme mailto; expected http or https/],
      [['sensor', 'start', name, src, '--every', '1m', '--alert', files.relative], /webhook "hooks.example\/x" is not a URL/],
    ];
    for (const [args, message] of cases) {
      const r = await tessera(args, rig.env, 60_000);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line: ${r.stderr}`);
      assert.match(lines[0], message);
    }
    const list = JSON.parse((await cli(rig, ['list', '--json'])).stdout) as Array<{ name: string }>;
    assert.ok(!list.some((r) => r.name === name), 'no schedule was created');
    const sensors = JSON.parse((await tessera(['sensor', 'list', '--json'], rig.env, 60_000)).stdout) as Array<{ name: string }>;
    assert.ok(!sensors.some((r) => r.name === name), 'no sensor was started');
  });
});
