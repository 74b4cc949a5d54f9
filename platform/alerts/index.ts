/** Public surface of bloom alerts: the alert file, hysteresis over scenes, a scene's metrics, webhook delivery. */
export * from './alert-types';
export { AlertFileError, MAX_RULES, checkWebhookUrl, parseAlertFile } from './rules';
export { alertIdempotencyKey, evaluateScenes, stepRule, type SceneFacts } from './hysteresis';
export { ndciPreviewOf, sceneMetrics, type ManifestForAlerts } from './metrics';
export { postAlert, WebhookRejectedError, WebhookUnavailableError, type PostAlertOptions } from './webhook';
