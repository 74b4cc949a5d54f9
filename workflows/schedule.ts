/**
 * One action of a Tessera schedule: processes the scenes of its window, `[actionTime - window, actionTime)`, as a
 * child `backfill`, then evaluates the schedule's alert rules on them.
 *
 * The action time is the nominal time the schedule fired for, which Temporal's scheduler puts in the
 * `TemporalScheduledStartTime` search attribute of every workflow it starts (triggers and backfills included);
 * `workflowInfo()` has no field of its own for it. It is read from the run's typed search attributes, so a buffered
 * action that starts late still processes its own window. A run started by hand, without a schedule, uses its start
 * time.
 *
 * The alert state outlives the action in `<out>/_alerts/schedule-<name>.json`: loaded first, saved after the
 * deliveries have ended (delivered or marked failed), so a crossing is delivered at least once: an action that
 * fails before saving is followed by one that finds the same crossing and sends it with the same idempotency key.
 */
import {
  ApplicationFailure,
  executeChild,
  log,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { alertStoreActivities, deliverCrossing } from './alerts';
import { initialAlertState, type AlertState, type DeliveryRecord } from './alerts-types';
import type { backfill } from './backfill';
import type { BackfillInput } from './backfill-types';
import { parseCron, previousFireMs } from './schedule-cron';
import { formatDurationMs } from './schedule-duration';
import {
  AUTOMATION_NAME_PATTERN,
  scheduleAlertOwner,
  scheduledBackfillId,
  type ScheduledBackfillInput,
  type ScheduledBackfillResult,
} from './schedule-types';
import { SA_BACKFILL, SA_SCHEDULE } from './search-attributes';

/** Set by Temporal's scheduler on every workflow a schedule starts: the action's nominal time. */
const SA_SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** Runs one scheduled action; see the module doc. */
export async function scheduledBackfill(input: ScheduledBackfillInput): Promise<ScheduledBackfillResult> {
  validate(input);
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(SA_SCHEDULED_START_TIME);
  const actionMs = scheduled ? scheduled.getTime() : info.startTime.getTime();
  const windowMs = input.windowMs ?? cadenceWindowMs(input, actionMs);
  const window = { startMs: actionMs - windowMs, endMs: actionMs };
  const backfillId = scheduledBackfillId(input.name, actionMs);
  const windowText = `${iso(window.startMs)} – ${iso(window.endMs)}`;
  setCurrentDetails(`**backfill** \`${backfillId}\` of ${windowText} (window ${formatDurationMs(windowMs)})`);

  // The catalog's datetime filter is closed at both ends; the window's end belongs to the next action.
  const child: BackfillInput = {
    source: input.source,
    filters: { ...input.filters, datetime: `${iso(window.startMs)}/${iso(window.endMs - 1)}` },
    out: input.out,
    products: input.products,
    params: input.params,
    wavelengthsNm: input.wavelengthsNm,
    ...(input.vectors ? { vectors: input.vectors } : {}),
    ...(input.reproject ? { reproject: input.reproject } : {}),
    maxParallel: input.maxParallel,
  };
  const record = await executeChild<typeof backfill>('backfill', {
    workflowId: backfillId,
    args: [child],
    typedSearchAttributes: [
      { key: SA_BACKFILL, value: backfillId },
      { key: SA_SCHEDULE, value: input.name },
    ],
    staticSummary: `schedule ${input.name}: ${windowText}`.slice(0, 200),
    staticDetails: [
      `**Scheduled backfill** of \`${input.name}\``,
      '',
      `- window: ${windowText}`,
      `- source: ${input.source}`,
      `- products: ${input.products.join(', ')}`,
      `- out: ${input.out}`,
    ].join('\n'),
  });

  const result: ScheduledBackfillResult = {
    schedule: input.name,
    actionTime: iso(actionMs),
    actionTimeSource: scheduled ? 'TemporalScheduledStartTime' : 'workflow start',
    window: { start: iso(window.startMs), end: iso(window.endMs) },
    backfillId,
    counts: record.counts,
  };
  const rules = input.alerts ?? [];
  if (rules.length > 0) {
    const owner = scheduleAlertOwner(input.name);
    const loaded = await alertStoreActivities.loadAlertState.executeWithOptions({ summary: `load alert state of ${owner}` }, [{ out: input.out, owner }]);
    const state = withRules(loaded, rules);
    const evaluation = await alertStoreActivities.evaluateAlerts.executeWithOptions({ summary: `alerts on the scenes of ${backfillId}` }, [
      { out: input.out, rules, backfillId, state, automation: `schedule ${input.name}` },
    ]);
    const nowIso = () => new Date(Date.now()).toISOString();
    const deliveries: DeliveryRecord[] = await Promise.all(evaluation.crossings.map((c) => deliverCrossing(c, nowIso)));
    const stateUri = await alertStoreActivities.saveAlertState.executeWithOptions({ summary: `save alert state of ${owner}` }, [
      { out: input.out, owner, state: evaluation.state },
    ]);
    const failed = deliveries.filter((d) => d.state === 'failed');
    for (const d of failed) log.warn('alert delivery failed', { rule: d.rule, scene: d.scene, webhook: d.webhook, error: d.error });
    result.alerts = {
      evaluated: evaluation.scenes.filter((s) => s.status === 'evaluated').length,
      crossings: evaluation.crossings.length,
      delivered: deliveries.length - failed.length,
      failed: failed.length,
      stateUri,
    };
  }
  const c = record.counts;
  setCurrentDetails(
    [
      `**done**: backfill \`${backfillId}\` of ${windowText}`,
      '',
      `${c.listed} scenes: ${c.done} done, ${c.skipped} skipped, ${c.failed} failed`,
      ...(result.alerts ? [``, `alerts: ${result.alerts.crossings} crossings, ${result.alerts.delivered} delivered, ${result.alerts.failed} failed`] : []),
    ].join('\n'),
  );
  return result;
}

/** The window when none is given: the interval, or for a cron the time back to its previous fire time. */
function cadenceWindowMs(input: ScheduledBackfillInput, actionMs: number): number {
  if (input.cadence.kind === 'every') return input.cadence.everyMs;
  return actionMs - previousFireMs(parseCron(input.cadence.cron), actionMs);
}

/** The loaded state with rules added since armed, and rules removed since dropped. */
function withRules(loaded: AlertState | null, rules: ScheduledBackfillInput['alerts'] & object): AlertState {
  const fresh = initialAlertState(rules);
  if (!loaded) return fresh;
  return { rules: Object.fromEntries(rules.map((r) => [r.name, loaded.rules[r.name] ?? fresh.rules[r.name]])), seen: loaded.seen };
}

function validate(input: ScheduledBackfillInput): void {
  const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'ScheduleInputError');
  if (!AUTOMATION_NAME_PATTERN.test(input.name ?? '')) throw bad(`name must be 1-63 letters, digits, ".", "_" or "-" (got ${JSON.stringify(input.name)})`);
  if (!input.source) throw bad('source must be a catalog URI');
  if (!input.out) throw bad('out must be an output root URI');
  if (!input.products?.length) throw bad('products must name at least one product');
  if (input.windowMs !== undefined && !(input.windowMs >= 1000)) throw bad(`windowMs must be at least 1000 (got ${input.windowMs})`);
  if (input.cadence?.kind === 'every' && !(input.cadence.everyMs >= 1000)) throw bad(`everyMs must be at least 1000 (got ${input.cadence.everyMs})`);
  if (input.cadence?.kind === 'cron') {
    try {
      parseCron(input.cadence.cron);
    } catch (err) {
      throw bad((err as Error).message);
    }
  }
  if (input.cadence?.kind !== 'every' && input.cadence?.kind !== 'cron') throw bad('cadence must be {kind: "every", everyMs} or {kind: "cron", cron}');
}

/** RFC 3339 in UTC, without a `.000` that says nothing. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
