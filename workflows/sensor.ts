/**
 * A new-scene sensor: a long-running workflow that polls a catalog source every `everyMs`, starts each scene it
 * has not seen as a child `processScene`, and evaluates bloom alerts on the scenes it processed.
 *
 * Exactly one start per scene, by two guards. The durable cursor (newest datetime accepted + the last RECENT_IDS
 * ids) keeps a poll from handing out a scene twice; and the child's workflow id is derived from the scene
 * (`sensor-<name>/<sceneId>`) with REJECT_DUPLICATE, so Temporal itself refuses a second start, even from a new
 * sensor of the same name that starts from scratch. A refused start counts as "already started".
 *
 * The source being down never ends the sensor: the poll activity retries with backoff, a poll that still fails is
 * logged and recorded (status shows it), and the next poll waits twice as long, up to 10 × everyMs. After
 * `pollsPerRun` polls the sensor stops starting, lets its scene runs and deliveries finish (children stay with the
 * run that started them), and continues as new with the cursor, the queue of scenes not yet started, counts and
 * alert state. A stop signal ends it the same way, without the continue-as-new.
 *
 * Alerts are evaluated in the order scenes were started (their datetime order), each once its run and every run
 * started before it have ended, so the hysteresis sees time moving forward. Deliveries run in the background:
 * a webhook that keeps failing is retried, then marked failed; nothing else waits on it.
 */
import {
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import { alertStoreActivities, DeliveryBook, failureReason } from './alerts';
import { initialAlertState, type AlertState } from './alerts-types';
import type { SceneRef } from './catalog-types';
import type { processScene } from './process-scene';
import { sanitizeSceneId } from './run-ids';
import { formatDurationMs } from './schedule-duration';
import { SA_SCENE, SA_SCENE_SENSOR, SA_SENSOR_CURSOR } from './search-attributes';
import { sensorStatusQuery, stopSensorSignal } from './sensor-messages';
import {
  DEFAULT_POLL_PAGE,
  DEFAULT_POLLS_PER_RUN,
  DEFAULT_SENSOR_PARALLEL,
  RECENT_IDS,
  STATUS_RECENT,
  sensorSceneWorkflowId,
  type PollRecord,
  type SensorActivities,
  type SensorInput,
  type SensorResult,
  type SensorScene,
  type SensorState,
  type SensorStatus,
} from './sensor-types';
import type { ProcessSceneInput } from './types';

/**
 * A poll lists a catalog from the cursor on: seconds for a STAC API or a small static catalog. It heartbeats per
 * source page, so a lost worker is noticed in 20 s. Retries 1, 2, 4 s apart (4 attempts) ride out a brief
 * outage within one poll; a longer one fails the poll, and the sensor polls again later.
 */
const polling = proxyActivities<SensorActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 4 },
});

/** Longest wait, after the last scene run ended, for deliveries before continuing as new (they are carried over). @format ms */
const DELIVERY_DRAIN_MS = 60_000;
/** A failing source is polled less often: everyMs × 2^(failures-1), at most this many times everyMs. */
const MAX_BACKOFF_FACTOR = 10;

/** Polls a source and processes each new scene once; see the module doc. The workflow id is `sensor-<name>`. */
export async function sensor(input: SensorInput): Promise<SensorResult> {
  const { workflowId } = workflowInfo();
  validate(input);
  const maxParallel = input.maxParallel ?? DEFAULT_SENSOR_PARALLEL;
  const pollPage = input.pollPage ?? DEFAULT_POLL_PAGE;
  const pollsPerRun = input.pollsPerRun ?? DEFAULT_POLLS_PER_RUN;
  const lookbackMs = input.lookbackMs ?? 0;
  const rules = input.alerts ?? [];
  const automation = `sensor ${input.name}`;
  const nowIso = () => new Date(Date.now()).toISOString();

  const state: SensorState = input.state
    ? { ...input.state, run: input.state.run + 1, queue: [...input.state.queue] }
    : {
        cursor: { datetimeMs: null, recent: [] },
        queue: [],
        counts: { polls: 0, pollsFailed: 0, started: 0, completed: 0, failed: 0, duplicates: 0 },
        consecutivePollFailures: 0,
        pollFailures: [],
        recentScenes: [],
        startedAtMs: Date.now(),
        run: 1,
      };
  let alertState: AlertState | undefined = rules.length ? (state.alerts?.state ?? initialAlertState(rules)) : undefined;
  const book = new DeliveryBook(state.alerts);

  let stopping = false;
  let stage: SensorStatus['stage'] = 'waiting';
  let running = 0;
  let nextPollAtMs = Date.now();
  /** Scenes started by this run, in start order, until their alerts are evaluated. */
  const toEvaluate: Array<{ sceneId: string; done: boolean; ok: boolean }> = [];
  let evaluating = false;
  let alertError: string | undefined;

  const status = (): SensorStatus => ({
    name: input.name,
    workflowId,
    source: input.source,
    everyMs: input.everyMs,
    stage,
    stopping,
    cursor: { datetime: state.cursor.datetimeMs === null ? null : new Date(state.cursor.datetimeMs).toISOString(), recentIds: state.cursor.recent.length },
    queued: state.queue.length,
    running,
    counts: { ...state.counts },
    consecutivePollFailures: state.consecutivePollFailures,
    lastPoll: state.lastPoll ? { ...state.lastPoll } : undefined,
    nextPollAt: stopping ? undefined : new Date(nextPollAtMs).toISOString(),
    pollFailures: [...state.pollFailures],
    recentScenes: state.recentScenes.map((s) => ({ ...s })),
    alerts: alertState
      ? {
          rules: rules.map((r) => {
            const s = alertState!.rules[r.name] ?? { armed: true, crossings: 0 };
            return { name: r.name, metric: r.metric, threshold: r.threshold, hysteresis: r.hysteresis, armed: s.armed, crossings: s.crossings, lastValue: s.last?.value, lastScene: s.last?.sceneId };
          }),
          deliveries: { ...book.counts },
          recent: book.recent.map((d) => ({ ...d })),
          lastError: alertError,
        }
      : undefined,
    startedAt: new Date(state.startedAtMs).toISOString(),
    run: state.run,
  });
  const report = () => setCurrentDetails(currentDetails(status()));
  setHandler(sensorStatusQuery, status);
  setHandler(stopSensorSignal, (arg) => {
    if (!stopping) log.info('sensor stop requested', { sensor: input.name, reason: arg?.reason });
    stopping = true;
  });

  const recordScene = (rec: SensorScene) => {
    const i = state.recentScenes.findIndex((s) => s.workflowId === rec.workflowId);
    if (i >= 0) state.recentScenes.splice(i, 1);
    state.recentScenes.push(rec);
    if (state.recentScenes.length > STATUS_RECENT) state.recentScenes.shift();
  };

  /** Evaluates the longest prefix of ended runs, one batch at a time, so two evaluations never race on the state. */
  const pumpAlerts = async (): Promise<void> => {
    if (!alertState || evaluating) return;
    evaluating = true;
    try {
      for (;;) {
        let n = 0;
        while (n < toEvaluate.length && toEvaluate[n].done) n++;
        if (n === 0) break;
        const batch = toEvaluate.splice(0, n).filter((e) => e.ok);
        if (batch.length === 0) continue;
        try {
          const result = await alertStoreActivities.evaluateAlerts.executeWithOptions(
            { summary: `alerts on ${batch.length === 1 ? batch[0].sceneId : `${batch.length} scenes`}` },
            [{ out: input.out, rules, sceneIds: batch.map((e) => e.sceneId), state: alertState, automation }],
          );
          alertState = result.state;
          for (const c of result.crossings) void book.start(c, nowIso, report);
        } catch (err) {
          if (isCancellation(err)) throw err;
          // The output store stayed unreadable through every retry: these scenes go unevaluated, the sensor goes on.
          alertError = `${nowIso()}: ${batch.map((e) => e.sceneId).join(', ')}: ${failureReason(err)}`.slice(0, 300);
          log.warn('alert evaluation failed; the scenes are not evaluated', { sensor: input.name, scenes: batch.map((e) => e.sceneId), error: alertError });
        }
        report();
      }
    } finally {
      evaluating = false;
    }
  };

  const startScene = async (ref: SceneRef): Promise<void> => {
    const sceneId = sanitizeSceneId(ref.id);
    const childId = sensorSceneWorkflowId(input.name, sceneId);
    const rec: SensorScene = { id: ref.id, sceneId, datetime: ref.datetime, workflowId: childId, state: 'running' };
    const childInput: ProcessSceneInput = {
      // The asset the listing picked (honours --asset), with its item for bands and time, as a backfill does.
      input: ref.assetUri,
      sourceItemUri: ref.itemUri,
      sceneId,
      out: input.out,
      products: input.products,
      params: input.params,
      wavelengthsNm: input.wavelengthsNm,
      ...(input.vectors ? { vectors: input.vectors } : {}),
      ...(input.reproject ? { reproject: input.reproject } : {}),
    };
    try {
      const child = await startChild<typeof processScene>('processScene', {
        workflowId: childId,
        args: [childInput],
        // One run per scene, ever, for this sensor name: Temporal refuses a second start while the closed run is
        // retained, whatever the cursor says.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        // A scene run is never cut off half-way by the sensor stopping or being terminated.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: SA_SCENE, value: sceneId },
          { key: SA_SCENE_SENSOR, value: input.name },
        ],
        staticSummary: `${sceneId}: ${input.products.join(', ')} (sensor ${input.name})`.slice(0, 200),
        staticDetails: [`**Scene** \`${sceneId}\``, '', `- datetime: ${ref.datetime ?? 'unknown'}`, `- asset: ${ref.assetUri}`, ...(ref.itemUri ? [`- item: ${ref.itemUri}`] : []), `- sensor: \`${input.name}\``].join('\n'),
      });
      state.counts.started++;
      running++;
      const entry = { sceneId, done: false, ok: false };
      if (alertState) toEvaluate.push(entry);
      recordScene(rec);
      void child.result().then(
        () => {
          state.counts.completed++;
          entry.ok = true;
          recordScene({ ...rec, state: 'completed' });
        },
        (err) => {
          state.counts.failed++;
          recordScene({ ...rec, state: 'failed', error: failureReason(err) });
        },
      ).finally(() => {
        running--;
        entry.done = true;
        report();
        void pumpAlerts();
      });
    } catch (err) {
      if (!isAlreadyStarted(err)) throw err;
      state.counts.duplicates++;
      recordScene({ ...rec, state: 'already started' });
      log.info('scene run exists already; not started again', { sensor: input.name, sceneId, workflowId: childId });
    }
  };

  const accept = (scenes: SceneRef[]) => {
    const c = state.cursor;
    for (const ref of scenes) {
      const ms = ref.datetime === null ? null : Date.parse(ref.datetime);
      state.queue.push(ref);
      c.recent.push({ id: ref.id, datetimeMs: ms });
      if (ms !== null && (c.datetimeMs === null || ms > c.datetimeMs)) c.datetimeMs = ms;
    }
    // Ids older than the poll's lower bound can never be listed again; past RECENT_IDS the oldest go.
    const floor = c.datetimeMs === null ? null : c.datetimeMs - lookbackMs;
    c.recent = c.recent.filter((r) => r.datetimeMs === null || floor === null || r.datetimeMs >= floor);
    if (c.recent.length > RECENT_IDS) c.recent.splice(0, c.recent.length - RECENT_IDS);
  };

  const poll = async (): Promise<void> => {
    stage = 'polling';
    const startedMs = Date.now();
    const rec: PollRecord = { startedAt: new Date(startedMs).toISOString() };
    state.lastPoll = rec;
    report();
    const cursorBefore = state.cursor.datetimeMs;
    try {
      const r = await polling.pollSource.executeWithOptions({ summary: `poll ${input.source}`.slice(0, 200) }, [
        { source: input.source, filters: input.filters, cursor: state.cursor, sinceMs: input.sinceMs, lookbackMs, maxScenes: pollPage },
      ]);
      accept(r.scenes);
      Object.assign(rec, { ok: true, listed: r.listed, found: r.scenes.length, truncated: r.truncated });
      state.consecutivePollFailures = 0;
      // More new scenes than one poll takes: poll again as soon as these have started.
      nextPollAtMs = r.truncated ? Date.now() : startedMs + input.everyMs;
    } catch (err) {
      if (isCancellation(err)) throw err;
      Object.assign(rec, { ok: false, error: failureReason(err) });
      state.counts.pollsFailed++;
      state.consecutivePollFailures++;
      state.pollFailures.push({ ...rec, endedAt: nowIso() });
      if (state.pollFailures.length > STATUS_RECENT) state.pollFailures.shift();
      const factor = Math.min(2 ** (state.consecutivePollFailures - 1), MAX_BACKOFF_FACTOR);
      nextPollAtMs = Date.now() + input.everyMs * factor;
      log.warn('poll failed; the sensor polls again later', {
        sensor: input.name,
        source: input.source,
        error: rec.error,
        consecutiveFailures: state.consecutivePollFailures,
        nextPollInMs: input.everyMs * factor,
      });
    }
    rec.endedAt = nowIso();
    state.counts.polls++;
    if (state.cursor.datetimeMs !== null && state.cursor.datetimeMs !== cursorBefore) {
      upsertSearchAttributes([{ key: SA_SENSOR_CURSOR, value: new Date(state.cursor.datetimeMs) }]);
    }
    stage = 'waiting';
    report();
  };

  // Deliveries the previous run had not finished: the same crossings, the same keys.
  for (const c of state.alerts?.pending ?? []) void book.start(c, nowIso, report);
  report();

  let pollsThisRun = 0;
  for (;;) {
    if (stopping) break;
    if (state.queue.length > 0 && running < maxParallel) {
      stage = 'starting scenes';
      await startScene(state.queue.shift()!);
      if (state.queue.length === 0) stage = 'waiting';
      report();
      continue;
    }
    if (pollsThisRun >= pollsPerRun || workflowInfo().continueAsNewSuggested) break;
    if (state.queue.length === 0 && Date.now() >= nextPollAtMs) {
      await poll();
      pollsThisRun++;
      continue;
    }
    // Wait for the next poll, a free slot for a queued scene, or a stop.
    const timeoutMs = state.queue.length === 0 ? Math.max(1, nextPollAtMs - Date.now()) : undefined;
    if (timeoutMs === undefined) await condition(() => stopping || running < maxParallel);
    else await condition(() => stopping, timeoutMs);
  }

  stage = 'draining';
  report();
  // Scene runs belong to this run: let them end and their alerts be evaluated before closing or continuing.
  await condition(() => running === 0 && !evaluating && toEvaluate.length === 0);
  // A stop waits for every delivery (each ends within about a minute); a continue-as-new carries the slow ones over.
  if (stopping) await condition(() => book.pending === 0);
  else await condition(() => book.pending === 0, DELIVERY_DRAIN_MS);
  await condition(allHandlersFinished);

  const carried: SensorState = {
    ...state,
    alerts: alertState ? { state: alertState, deliveries: { ...book.counts }, recent: book.recent, pending: book.pendingCrossings() } : undefined,
  };
  if (stopping) {
    stage = 'stopped';
    report();
    return { status: status() };
  }
  const continueAsNew = makeContinueAsNewFunc<typeof sensor>({
    typedSearchAttributes: [
      { key: SA_SCENE_SENSOR, value: input.name },
      ...(state.cursor.datetimeMs !== null ? [{ key: SA_SENSOR_CURSOR, value: new Date(state.cursor.datetimeMs) }] : []),
    ],
  });
  return continueAsNew({ ...input, state: carried });
}

function validate(input: SensorInput): void {
  const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'SensorInputError');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(input.name ?? '')) throw bad(`name must be 1-63 letters, digits, ".", "_" or "-" (got ${JSON.stringify(input.name)})`);
  if (!input.source) throw bad('source must be a catalog URI');
  if (!input.out) throw bad('out must be an output root URI');
  if (!input.products?.length) throw bad('products must name at least one product');
  if (!Number.isFinite(input.everyMs) || input.everyMs < 1000) throw bad(`everyMs must be at least 1000 (got ${input.everyMs})`);
  for (const [field, v] of [['maxParallel', input.maxParallel], ['pollPage', input.pollPage], ['pollsPerRun', input.pollsPerRun]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw bad(`${field} must be a positive integer (got ${v})`);
  }
}

/** A child start refused because a run with that id exists (running, or closed and retained). */
function isAlreadyStarted(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'WorkflowExecutionAlreadyStartedError';
}

function currentDetails(s: SensorStatus): string {
  const c = s.counts;
  const lines = [
    `**${s.stage}** · polls every ${formatDurationMs(s.everyMs)} · run ${s.run}`,
    '',
    `- cursor: ${s.cursor.datetime ?? '(none yet)'} (${s.cursor.recentIds} recent ids)`,
    `- last poll: ${s.lastPoll ? `${s.lastPoll.startedAt} ${s.lastPoll.ok === undefined ? 'running' : s.lastPoll.ok ? `ok, ${s.lastPoll.found} new of ${s.lastPoll.listed}` : `FAILED: ${s.lastPoll.error}`}` : 'none yet'}`,
    `- next poll: ${s.nextPollAt ?? '–'}`,
    '',
    '| polls | failed polls | started | completed | failed | already started | running | queued |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${c.polls} | ${c.pollsFailed} | ${c.started} | ${c.completed} | ${c.failed} | ${c.duplicates} | ${s.running} | ${s.queued} |`,
  ];
  if (s.alerts) {
    const d = s.alerts.deliveries;
    lines.push('', `**Alerts**: ${d.delivered} delivered, ${d.failed} failed, ${d.pending} pending`);
    for (const r of s.alerts.rules) lines.push(`- \`${r.name}\` ${r.metric} > ${r.threshold}: ${r.armed ? 'armed' : 'fired, waiting to re-arm'} (${r.crossings} crossings)`);
  }
  return lines.join('\n').slice(0, 20_000);
}
