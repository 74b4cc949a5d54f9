/**
 * The pino root logger, and the adapter that installs it as Temporal's Runtime logger.
 *
 * Output: JSON lines on stdout by default; human-readable (pino-pretty, loaded only then) when
 * `config.log.pretty` is set. Our modules take a `Logger` from their deps and call
 * `logger.child({ component: 'storage' })`; numbers go in fields, not in message text.
 *
 * Redaction: fields that look like credentials (`secretAccessKey`, `apiKey`, `authorization`, `password`,
 * `credentials`, `AWS_SECRET_ACCESS_KEY`, ...) are replaced by "[Redacted]" at the top level and up to two
 * levels down (`{ s3: { credentials } }`, `{ req: { headers: { authorization } } }`), so logging a config
 * slice, an SDK request or an environment object cannot leak a secret. Secrets inside message *text* cannot
 * be caught: never interpolate them.
 */
import pino from 'pino';
import type { LogLevel as TemporalLogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { LogConfig } from './config';

export type Logger = pino.Logger;

/** Field names redacted wherever they appear (top level, one or two levels down). */
export const SECRET_FIELDS: readonly string[] = [
  'password',
  'secret',
  'secretAccessKey',
  'accessKeyId',
  'sessionToken',
  'apiKey',
  'authorization',
  'Authorization',
  'credentials',
  'token',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'TEMPORAL_API_KEY',
  'MINIO_ROOT_PASSWORD',
];

/** pino `redact.paths` built from SECRET_FIELDS. */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export interface CreateLoggerOptions {
  /** Where lines go. @default stdout */
  destination?: pino.DestinationStream;
}

/**
 * Creates the root logger.
 * @param bindings fields added to every line (e.g. `{ service: 'worker' }`).
 */
export function createLogger(
  log: Pick<LogConfig, 'level' | 'pretty'>,
  bindings?: Record<string, unknown>,
  opts: CreateLoggerOptions = {},
): Logger {
  const options: pino.LoggerOptions = {
    level: log.level,
    redact: { paths: [...REDACT_PATHS], censor: '[Redacted]' },
    // Temporal's metadata carries errors under `error`; serialise them like pino's own `err`.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  let destination = opts.destination;
  if (log.pretty) {
    // Loaded only when wanted: JSON output (production) never pays for it.
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    destination = pretty.build({
      destination: opts.destination ?? 1,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      colorize: opts.destination ? false : undefined,
    });
  }
  const root = destination ? pino(options, destination) : pino(options);
  return bindings ? root.child(bindings) : root;
}

const LEVELS: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** A Temporal `Logger` that also flushes (the Runtime flushes flushable loggers on shutdown). */
export interface TemporalPinoLogger extends TemporalLogger {
  flush(): void;
}

/**
 * Adapts a pino logger to Temporal's `Logger`, for `Runtime.install({ logger: temporalLoggerAdapter(root) })`.
 * The SDK's activity and workflow loggers then land in pino with workflowId, runId, activityId, attempt,
 * ... as fields. Symbol-keyed metadata (the SDK's internal timestamp) is dropped: pino stamps its own time.
 */
export function temporalLoggerAdapter(logger: Logger): TemporalPinoLogger {
  const log = (level: TemporalLogLevel, message: string, meta?: LogMetadata): void => {
    const method = LEVELS[level] ?? 'info';
    if (meta && Object.keys(meta).length > 0) logger[method]({ ...meta }, message);
    else logger[method](message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
    flush: () => logger.flush(),
  };
}
