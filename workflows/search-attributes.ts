import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, registered on the dev server by infra/dev-stack.sh (`--search-attribute`).
 * They make runs findable in the Web UI and with `temporal workflow list --query 'TesseraScene="..."'`.
 * The SQLite dev server has 10 Keyword, 3 Int and 3 Double slots; the Int slots are all taken (TilesDone, ScenesDone,
 * ScenesFailed).
 */
export const SA_SCENE = defineSearchAttributeKey('TesseraScene', SearchAttributeType.KEYWORD);
export const SA_SENSOR = defineSearchAttributeKey('TesseraSensor', SearchAttributeType.KEYWORD);
export const SA_STAGE = defineSearchAttributeKey('TesseraStage', SearchAttributeType.KEYWORD);
export const SA_TILES_DONE = defineSearchAttributeKey('TesseraTilesDone', SearchAttributeType.INT);
export const SA_BLOOM_FRACTION = defineSearchAttributeKey('TesseraBloomFraction', SearchAttributeType.DOUBLE);
/** A backfill's id, set on the backfill itself and on every scene run it starts: `TesseraBackfill="<id>"` finds both. */
export const SA_BACKFILL = defineSearchAttributeKey('TesseraBackfill', SearchAttributeType.KEYWORD);
/** Scenes of a backfill that completed, whether they did raster work or skipped unchanged partitions. */
export const SA_SCENES_DONE = defineSearchAttributeKey('TesseraScenesDone', SearchAttributeType.INT);
/** Scenes of a backfill whose run failed. */
export const SA_SCENES_FAILED = defineSearchAttributeKey('TesseraScenesFailed', SearchAttributeType.INT);
/**
 * A schedule's name, on the schedule itself, on every action it starts and on their backfills:
 * `TesseraSchedule="<name>"` finds them all (and `tessera schedule list` lists schedules by it).
 */
export const SA_SCHEDULE = defineSearchAttributeKey('TesseraSchedule', SearchAttributeType.KEYWORD);
/**
 * A new-scene sensor's name (not the instrument, which is TesseraSensor), on the sensor and on every scene run it
 * starts: `TesseraSceneSensor="<name>"` finds both.
 */
export const SA_SCENE_SENSOR = defineSearchAttributeKey('TesseraSceneSensor', SearchAttributeType.KEYWORD);
/** A sensor's cursor: the newest scene datetime it has accepted. */
export const SA_SENSOR_CURSOR = defineSearchAttributeKey('TesseraSensorCursor', SearchAttributeType.DATETIME);
