/**
 * Alerts on the workflow side, shared by the sensor and the scheduled backfill: the activity proxies with their
 * retry policies, one delivery turned into a record (a delivery that ends in failure is recorded, never thrown, so
 * a webhook that keeps failing stops nothing else), and the book of recent deliveries that status shows.
 */
import { isCancellation, proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import { STATUS_RECENT } from './sensor-types';
import type { AlertActivities, AlertCrossing, DeliveryCounts, DeliveryRecord } from './alerts-types';

/**
 * Delivery retries: 1 s, 2 s, 4 s, 8 s apart, five attempts in all, so a webhook that answers 500 for good is
 * marked failed about 15 s (plus the attempts' own time, at most 10 s each) after the crossing. A `Retry-After`
 * of up to a minute replaces the next delay. Long enough to ride out a receiver's restart; short enough that a
 * sensor's stop or continue-as-new does not wait on a dead receiver for long.
 */
export const ALERT_DELIVERY_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 5,
};

/** Each attempt is one HTTP POST with a 10 s timeout (activities/deliver-alert.ts). */
const delivery = proxyActivities<Pick<AlertActivities, 'deliverAlert'>>({
  startToCloseTimeout: '15s',
  retry: ALERT_DELIVERY_RETRY,
});

/**
 * Evaluation reads a manifest and an item per scene (a backfill's window may hold hundreds) and heartbeats; the
 * state file is one small object. Store faults are retried as the scene activities' are.
 */
export const alertStoreActivities = proxyActivities<Pick<AlertActivities, 'evaluateAlerts' | 'loadAlertState' | 'saveAlertState'>>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 12 },
});

/** Delivers one crossing and says how it ended; only cancellation is thrown. */
export async function deliverCrossing(c: AlertCrossing, nowIso: () => string): Promise<DeliveryRecord> {
  const base = { rule: c.rule, scene: c.scene, crossing: c.crossing, webhook: c.webhook, idempotencyKey: c.idempotencyKey };
  try {
    const r = await delivery.deliverAlert.executeWithOptions({ summary: `alert ${c.rule} #${c.crossing}: ${c.scene} ${c.metric}=${round(c.value)} > ${c.threshold}`.slice(0, 200) }, [c]);
    return { ...base, state: 'delivered', status: r.status, attempt: r.attempt, at: r.deliveredAt };
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { ...base, state: 'failed', error: failureReason(err), status: statusOf(err), at: nowIso() };
  }
}

/** Deliveries of one automation: counts and the most recent records, with the in-flight ones as `pending`. */
export class DeliveryBook {
  readonly counts: DeliveryCounts;
  readonly recent: DeliveryRecord[];
  private readonly inFlight = new Map<string, AlertCrossing>();

  constructor(prior?: { deliveries: DeliveryCounts; recent: DeliveryRecord[] }) {
    this.counts = { ...(prior?.deliveries ?? { delivered: 0, failed: 0 }), pending: 0 };
    this.recent = [...(prior?.recent ?? [])].filter((r) => r.state !== 'pending');
  }

  /** Starts a delivery in the background; `onEnd` runs when it has been recorded. */
  start(c: AlertCrossing, nowIso: () => string, onEnd?: () => void): Promise<void> {
    this.inFlight.set(c.idempotencyKey, c);
    this.counts.pending = this.inFlight.size;
    this.push({ rule: c.rule, scene: c.scene, crossing: c.crossing, webhook: c.webhook, idempotencyKey: c.idempotencyKey, state: 'pending', at: nowIso() });
    return deliverCrossing(c, nowIso).then((rec) => {
      this.inFlight.delete(c.idempotencyKey);
      this.counts.pending = this.inFlight.size;
      if (rec.state === 'delivered') this.counts.delivered++;
      else this.counts.failed++;
      this.push(rec);
      onEnd?.();
    });
  }

  /** Crossings whose delivery has not ended. */
  pendingCrossings(): AlertCrossing[] {
    return [...this.inFlight.values()];
  }

  get pending(): number {
    return this.inFlight.size;
  }

  private push(rec: DeliveryRecord): void {
    const i = this.recent.findIndex((r) => r.idempotencyKey === rec.idempotencyKey);
    if (i >= 0) this.recent.splice(i, 1);
    this.recent.push(rec);
    if (this.recent.length > STATUS_RECENT) this.recent.shift();
  }
}

/** Characters of a failure reason kept in state and status. */
const MAX_REASON_CHARS = 240;

/** The innermost cause's message, one line, cut to MAX_REASON_CHARS. */
export function failureReason(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  const message = (e?.message ?? String(err)).split('\n')[0];
  return message.length > MAX_REASON_CHARS ? `${message.slice(0, MAX_REASON_CHARS - 1)}…` : message;
}

/** The HTTP status a webhook failure carried (`answered 500`), when it names one. */
function statusOf(err: unknown): number | undefined {
  const m = / answered (\d{3})\b/.exec(failureReason(err));
  return m ? Number(m[1]) : undefined;
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
