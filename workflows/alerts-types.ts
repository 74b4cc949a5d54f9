/**
 * The alert contract as the workflows and the CLI see it. It is defined beside the alert code, in
 * platform/alerts/alert-types.ts; workflows take it as types only, plus the two things here that are theirs: the
 * activities alerts use, and a fresh state.
 */
import type { AlertCrossing, AlertDeliveryResult, AlertRule, AlertState, EvaluateAlertsInput, EvaluateAlertsResult } from '../platform/alerts/alert-types';

export type {
  AlertAoi,
  AlertCrossing,
  AlertDeliveryResult,
  AlertMetric,
  AlertRule,
  AlertState,
  DeliveryCounts,
  DeliveryRecord,
  EvaluateAlertsInput,
  EvaluateAlertsResult,
  P98Product,
  RuleOutcome,
  RuleState,
  SceneEvaluation,
} from '../platform/alerts/alert-types';

/** The activities alerts use; activities/index.ts implements them. */
export interface AlertActivities {
  /** Reads the scenes' manifests and items, applies the rules' hysteresis; pure in its inputs, so safe to retry. */
  evaluateAlerts(input: EvaluateAlertsInput): Promise<EvaluateAlertsResult>;
  /** POSTs one crossing; throws on a refused or failed delivery (5xx, 408 and 429 are retried). */
  deliverAlert(input: AlertCrossing): Promise<AlertDeliveryResult>;
  /** A schedule's alert state from `<out>/_alerts/<owner>.json`; null when there is none yet. */
  loadAlertState(input: { out: string; owner: string }): Promise<AlertState | null>;
  /** Writes the state; returns its URI. */
  saveAlertState(input: { out: string; owner: string; state: AlertState }): Promise<string>;
}

/** A fresh state: every rule armed, nothing seen. */
export function initialAlertState(rules: readonly AlertRule[]): AlertState {
  return { rules: Object.fromEntries(rules.map((r) => [r.name, { armed: true, crossings: 0 }])), seen: { datetimeMs: null, ids: [] } };
}
