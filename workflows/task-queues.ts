/** Task queue names shared by the CLI (which starts workflows) and workers (which poll them). */
export const DEFAULT_TASK_QUEUE = 'tessera';
