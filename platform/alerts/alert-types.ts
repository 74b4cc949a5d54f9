/**
 * The bloom-alert contract: the rules an alert file lists, the hysteresis state each rule keeps, the crossings that
 * become webhook deliveries, and what evaluating and delivering them returns. JSON only and small: rules and state
 * cross Temporal in the sensor's and the scheduled backfill's inputs and are carried across continue-as-new.
 * Defined beside the alert code; workflows take it as types only (workflows/alerts-types.ts).
 */

/** Products whose 98th percentile a rule can watch (`ndci_p98`, …): the raster products of workflows/types.ts. */
export const P98_PRODUCTS = ['ndwi', 'water', 'ndci', 'ndvi'] as const;
export type P98Product = (typeof P98_PRODUCTS)[number];

/**
 * What a rule watches, per scene:
 * - `bloom_km2`: area of valid water whose NDCI is above the bloom threshold (needs the ndci product);
 * - `bloom_fraction`: that area's share of the valid water (0..1);
 * - `<product>_p98`: the 98th percentile of the product over the scene's valid pixels.
 */
export type AlertMetric = 'bloom_km2' | 'bloom_fraction' | `${P98Product}_p98`;

export const ALERT_METRICS: readonly AlertMetric[] = ['bloom_km2', 'bloom_fraction', ...P98_PRODUCTS.map((p) => `${p}_p98` as const)];

/** A GeoJSON Polygon or MultiPolygon in lon/lat degrees (WGS 84), as RFC 7946 writes it. */
export type AlertAoi = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

export interface AlertRule {
  /** Unique within the file; part of the idempotency key. Letters, digits, `.`, `_`, `-`, at most 64. */
  name: string;
  /**
   * Only scenes whose footprint meets this area count for the rule; the value is still the whole scene's (see
   * docs/automation.md "Alerts"). Absent: every scene counts.
   */
  aoi?: AlertAoi;
  metric: AlertMetric;
  /** The rule fires when the value rises above this. In the metric's unit (km², fraction, index value). */
  threshold: number;
  /** After firing, the rule re-arms only once a value falls below `threshold - hysteresis`. @default 0 */
  hysteresis: number;
  /** http:// or https:// URL the alert is POSTed to. */
  webhook: string;
}

/** A rule's memory between scenes. */
export interface RuleState {
  /** True when the next value above the threshold fires; false after firing, until the value falls far enough. */
  armed: boolean;
  /** Times the rule has fired; the n-th crossing's key hashes n. */
  crossings: number;
  /** The last value evaluated, with its scene. */
  last?: { sceneId: string; value: number; datetime: string | null };
}

/**
 * Hysteresis state of every rule, plus which scenes have been evaluated: alerts look forward in time, so a scene
 * older than the newest one evaluated, or one evaluated before, changes nothing (re-processing a past window
 * raises no alert again).
 */
export interface AlertState {
  rules: Record<string, RuleState>;
  /** Newest scene datetime evaluated (ms since the epoch), and the ids evaluated at or near it (at most SEEN_IDS). */
  seen: { datetimeMs: number | null; ids: string[] };
}

/** Scene ids the alert state remembers. */
export const SEEN_IDS = 1000;

/** A threshold crossing: everything the webhook receives, plus where it goes and the key that makes it idempotent. */
export interface AlertCrossing {
  rule: string;
  scene: string;
  datetime: string | null;
  metric: AlertMetric;
  value: number;
  threshold: number;
  hysteresis: number;
  /** 1 for the rule's first crossing, 2 for the next… */
  crossing: number;
  /** The output STAC item of the scene. */
  stacItem: string;
  /** The scene's NDCI preview PNG, null when none was made. */
  ndciPreview: string | null;
  webhook: string;
  /** SHA-256 hex of (rule, scene, crossing): the `Idempotency-Key` header, the same on every attempt. */
  idempotencyKey: string;
  /** `sensor <name>` or `schedule <name>`: who raised it. */
  automation: string;
}

/** Why a scene did not count for a rule (or the value it gave). */
export type RuleOutcome =
  | { rule: string; value: number; fired: boolean; armed: boolean }
  | { rule: string; skipped: 'outside aoi' | 'no value' | 'no footprint' };

export interface SceneEvaluation {
  sceneId: string;
  datetime: string | null;
  /** `evaluated`, or why the scene was passed over: no manifest (not processed), already seen, or older than seen. */
  status: 'evaluated' | 'not processed' | 'already evaluated' | 'older than evaluated';
  rules: RuleOutcome[];
}

export interface EvaluateAlertsInput {
  out: string;
  rules: AlertRule[];
  /** Scene ids (sanitised, as in `<out>/scenes/<id>/`), in the order they are to be evaluated. */
  sceneIds?: string[];
  /** Or: the scenes of a backfill's listing (`<out>/_backfills/<backfillId>/listing/`), sorted by datetime. */
  backfillId?: string;
  state: AlertState;
  automation: string;
}

export interface EvaluateAlertsResult {
  state: AlertState;
  crossings: AlertCrossing[];
  scenes: SceneEvaluation[];
}

/** What a delivery ended as; `attempts` counts HTTP attempts of the successful activity attempt's lineage. */
export interface AlertDeliveryResult {
  idempotencyKey: string;
  status: number;
  attempt: number;
  deliveredAt: string;
}

/** A delivery as status shows it. */
export interface DeliveryRecord {
  rule: string;
  scene: string;
  crossing: number;
  webhook: string;
  idempotencyKey: string;
  state: 'pending' | 'delivered' | 'failed';
  /** HTTP status of the final attempt, when there was one. */
  status?: number;
  attempt?: number;
  /** Root cause of a failed delivery. */
  error?: string;
  at: string;
}

export interface DeliveryCounts {
  delivered: number;
  failed: number;
  pending: number;
}
