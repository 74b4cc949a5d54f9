import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, registered on the dev server by infra/dev-stack.sh (`--search-attribute`).
 * They make runs findable in the Web UI and with `temporal workflow list --query 'TesseraScene="..."'`.
 */
export const SA_SCENE = defineSearchAttributeKey('TesseraScene', SearchAttributeType.KEYWORD);
export const SA_SENSOR = defineSearchAttributeKey('TesseraSensor', SearchAttributeType.KEYWORD);
export const SA_STAGE = defineSearchAttributeKey('TesseraStage', SearchAttributeType.KEYWORD);
export const SA_TILES_DONE = defineSearchAttributeKey('TesseraTilesDone', SearchAttributeType.INT);
export const SA_BLOOM_FRACTION = defineSearchAttributeKey('TesseraBloomFraction', SearchAttributeType.DOUBLE);
