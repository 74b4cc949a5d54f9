/**
 * The alert rules applied to a run of scenes, in order, with hysteresis: a rule fires once when its value rises
 * above the threshold, then stays quiet until a value falls below `threshold - hysteresis`, which re-arms it.
 * A value in between changes nothing. Pure: the same state and scenes always give the same crossings, which is
 * what lets the evaluating activity be retried and the idempotency keys repeat.
 */
import { createHash } from 'node:crypto';
import { geometryIntersectsBbox } from '../catalog/geometry';
import type { Bbox } from '../catalog/scene-types';
import { SEEN_IDS, type AlertCrossing, type AlertMetric, type AlertRule, type AlertState, type RuleOutcome, type RuleState, type SceneEvaluation } from './alert-types';

/** What the rules need to know about one processed scene. */
export interface SceneFacts {
  sceneId: string;
  datetime: string | null;
  /** WGS 84 footprint of the output item; null for a scene without georeferencing. */
  bbox: Bbox | null;
  metrics: Partial<Record<AlertMetric, number | null>>;
  stacItem: string;
  ndciPreview: string | null;
}

/** One rule and one value: whether it fires, and the rule's next state. */
export function stepRule(rule: Pick<AlertRule, 'threshold' | 'hysteresis'>, state: RuleState, value: number): { state: RuleState; fired: boolean } {
  if (state.armed && value > rule.threshold) return { state: { ...state, armed: false, crossings: state.crossings + 1 }, fired: true };
  if (!state.armed && value < rule.threshold - rule.hysteresis) return { state: { ...state, armed: true }, fired: false };
  return { state, fired: false };
}

/** `Idempotency-Key` of a crossing: SHA-256 hex of rule, scene and crossing number, so every attempt sends the same. */
export function alertIdempotencyKey(rule: string, scene: string, crossing: number): string {
  return createHash('sha256').update(JSON.stringify(['tessera-alert', rule, scene, crossing])).digest('hex');
}

/**
 * Applies every rule to each scene in order. A scene counts for a rule when the rule has no AOI or the scene's
 * footprint meets it (polygon against bbox, as `tessera report --aoi`), and the scene has a value for the metric.
 * Scenes evaluated before, or older than the newest one evaluated, are passed over (see AlertState).
 * @param scenes `null` marks a scene that has no manifest (its run failed or has not published): passed over.
 */
export function evaluateScenes(
  rules: readonly AlertRule[],
  start: AlertState,
  scenes: ReadonlyArray<{ sceneId: string; datetime: string | null; facts: SceneFacts | null }>,
  automation: string,
): { state: AlertState; crossings: AlertCrossing[]; scenes: SceneEvaluation[] } {
  const state: AlertState = { rules: { ...start.rules }, seen: { datetimeMs: start.seen.datetimeMs, ids: [...start.seen.ids] } };
  const crossings: AlertCrossing[] = [];
  const evaluations: SceneEvaluation[] = [];
  for (const { sceneId, datetime, facts } of scenes) {
    const ms = datetime === null ? null : Date.parse(datetime);
    const base = { sceneId, datetime, rules: [] as RuleOutcome[] };
    if (!facts) {
      evaluations.push({ ...base, status: 'not processed' });
      continue;
    }
    if (state.seen.ids.includes(sceneId)) {
      evaluations.push({ ...base, status: 'already evaluated' });
      continue;
    }
    if (ms !== null && state.seen.datetimeMs !== null && ms < state.seen.datetimeMs) {
      evaluations.push({ ...base, status: 'older than evaluated' });
      continue;
    }
    const outcomes: RuleOutcome[] = [];
    for (const rule of rules) {
      const prior = state.rules[rule.name] ?? { armed: true, crossings: 0 };
      if (rule.aoi) {
        if (!facts.bbox) {
          outcomes.push({ rule: rule.name, skipped: 'no footprint' });
          continue;
        }
        if (geometryIntersectsBbox(rule.aoi, facts.bbox) !== true) {
          outcomes.push({ rule: rule.name, skipped: 'outside aoi' });
          continue;
        }
      }
      const value = facts.metrics[rule.metric];
      if (value === null || value === undefined || !Number.isFinite(value)) {
        outcomes.push({ rule: rule.name, skipped: 'no value' });
        continue;
      }
      const next = stepRule(rule, prior, value);
      state.rules[rule.name] = { ...next.state, last: { sceneId, value, datetime } };
      outcomes.push({ rule: rule.name, value, fired: next.fired, armed: next.state.armed });
      if (next.fired) {
        crossings.push({
          rule: rule.name,
          scene: sceneId,
          datetime,
          metric: rule.metric,
          value,
          threshold: rule.threshold,
          hysteresis: rule.hysteresis,
          crossing: next.state.crossings,
          stacItem: facts.stacItem,
          ndciPreview: facts.ndciPreview,
          webhook: rule.webhook,
          idempotencyKey: alertIdempotencyKey(rule.name, sceneId, next.state.crossings),
          automation,
        });
      }
    }
    evaluations.push({ ...base, status: 'evaluated', rules: outcomes });
    state.seen.ids.push(sceneId);
    if (state.seen.ids.length > SEEN_IDS) state.seen.ids.splice(0, state.seen.ids.length - SEEN_IDS);
    if (ms !== null && (state.seen.datetimeMs === null || ms > state.seen.datetimeMs)) state.seen.datetimeMs = ms;
  }
  return { state, crossings, scenes: evaluations };
}
