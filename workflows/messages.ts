import { defineQuery } from '@temporalio/workflow';
import type { SceneProgress } from './types';

/** Read-only progress of a scene run: `temporal workflow query --name progress` or `tessera status`. */
export const progressQuery = defineQuery<SceneProgress>('progress');
