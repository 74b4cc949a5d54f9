import { ApplicationFailure } from '@temporalio/common';
import { postAlert, WebhookUnavailableError } from '../platform/alerts';
import type { AlertCrossing, AlertDeliveryResult } from '../workflows/alerts-types';
import { activityContext, activityLogger } from './context';
import type { ActivityDeps } from './deps';

/** One HTTP attempt; the activity's startToClose (workflows/alerts.ts) leaves room for it. @format ms */
const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * POSTs one alert to its webhook: `{ rule, scene, datetime, metric, value, threshold, stacItem, ndciPreview, … }`
 * with `Idempotency-Key` = the crossing's key, computed when the crossing was found, so every attempt (and a second
 * delivery after a continue-as-new) sends the same key and the receiver can drop repeats. Delivery is at least once.
 *
 * A 5xx, 408 or 429 answer, a timeout or a network error is thrown as it is and retried by the activity's retry
 * policy (a `Retry-After` of up to a minute sets the next delay); any other refusal fails non-retryably.
 */
export function createDeliverAlert(deps: ActivityDeps) {
  return async function deliverAlert(crossing: AlertCrossing): Promise<AlertDeliveryResult> {
    const ctx = activityContext();
    const attempt = ctx?.info.attempt ?? 1;
    const log = activityLogger(deps.logger, { rule: crossing.rule, scene: crossing.scene, webhook: crossing.webhook, idempotencyKey: crossing.idempotencyKey });
    const body = {
      rule: crossing.rule,
      scene: crossing.scene,
      datetime: crossing.datetime,
      metric: crossing.metric,
      value: crossing.value,
      threshold: crossing.threshold,
      hysteresis: crossing.hysteresis,
      crossing: crossing.crossing,
      stacItem: crossing.stacItem,
      ndciPreview: crossing.ndciPreview,
      automation: crossing.automation,
    };
    try {
      const status = await postAlert(crossing.webhook, body, {
        idempotencyKey: crossing.idempotencyKey,
        attempt,
        signal: ctx?.cancellationSignal,
        timeoutMs: ATTEMPT_TIMEOUT_MS,
      });
      log.info({ status, attempt }, 'alert delivered');
      return { idempotencyKey: crossing.idempotencyKey, status, attempt, deliveredAt: new Date().toISOString() };
    } catch (err) {
      log.warn({ attempt, err: (err as Error).message }, 'alert delivery failed');
      if (err instanceof WebhookUnavailableError && err.retryAfterMs !== undefined) {
        throw ApplicationFailure.create({ message: err.message, type: err.name, nextRetryDelay: err.retryAfterMs, details: [err.status] });
      }
      throw err;
    }
  };
}
