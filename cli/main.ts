#!/usr/bin/env node
/**
 * `tessera` command line: parses the command, loads the one Config from the environment, dispatches, and maps
 * errors to exit codes: 0 ok, 1 failed, 2 bad usage or configuration. Errors print one line on stderr; --verbose
 * adds the stack. Logs (pino) go to stderr so stdout stays clean for --json.
 */
import pino from 'pino';
import { FilterError } from '../platform/catalog/errors';
import { ConfigError, loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import * as print from './print';
import { UsageError } from './usage-error';

const HELP = `Usage: tessera <command> [options]

Commands:
  run INPUT        run the bloom pipeline on a scene (through Temporal, or --local)
  backfill SOURCE  run it on every scene of a STAC catalog, prefix or glob, as one durable workflow
  schedule         backfills on a cron or interval, each on its own time window (Temporal Schedules)
  sensor           watch a catalog: process each new scene once, alert a webhook on bloom thresholds
  status ID        state and progress of a run
  watch ID         live progress bar of a run
  cancel ID        cancel a run
  report OUT       time series of water and bloom area from OUT's catalog table (CSV + PNG chart)
  indices list     the products --products can name, with the bands a scene would use (--input FILE|ITEM)
  worker           start a worker process (any number, on any machines)
  generate         write a synthetic Wyvern-like scene
  dev up|down|status|env|logs   local Temporal + MinIO stack
  demo             generate a scene and run it end to end on the local stack

Run "tessera <command> --help" for a command's options. Configuration comes from the environment
(TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, AWS_ENDPOINT_URL_S3, AWS_REGION, TESSERA_THREADS, LOG_LEVEL, ...).`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const verbose = rest.includes('--verbose') || rest.includes('-v');
  // Node prints process warnings (e.g. the AWS SDK's notice about future Node versions) on stderr, where a
  // failure must be one line; show them only with --verbose.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (verbose) print.err(`warning: ${w.name}: ${w.message}`);
  });
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      print.out(HELP);
      return command ? 0 : 2;
    }
    if (command === 'dev') return (await import('./commands/dev')).devCommand(rest);
    if (command === 'generate') return await (await import('./commands/generate')).generateCommand(rest);
    const config = loadConfig();
    // Logs go to stderr, so that `--json` output on stdout stays machine-readable.
    const logger = createLogger(config.log, { service: `tessera-${command}` }, { destination: pino.destination({ fd: 2, sync: true }) });
    switch (command) {
      case 'run':
        return await (await import('./commands/run')).runCommand(rest, config, logger);
      case 'backfill':
        return await (await import('./commands/backfill')).backfillCommand(rest, config, logger);
      case 'schedule': return await (await import('./commands/schedule')).scheduleCommand(rest, config);
      case 'sensor': return await (await import('./commands/sensor')).sensorCommand(rest, config);
      case 'status':
        return await (await import('./commands/status')).statusCommand(rest, config);
      case 'watch':
        return await (await import('./commands/watch')).watchCommand(rest, config);
      case 'cancel':
        return await (await import('./commands/cancel')).cancelCommand(rest, config);
      case 'report': return await (await import('./commands/report')).reportCommand(rest, config);
      case 'indices':
        return await (await import('./commands/indices')).indicesCommand(rest, config);
      case 'worker':
        return await (await import('./commands/worker')).workerCommand(rest, config, logger);
      case 'demo':
        return await (await import('./commands/demo')).demoCommand(rest, config, logger);
      default:
        print.err(`tessera: unknown command "${command}" (see tessera --help)`);
        return 2;
    }
  } catch (err) {
    const e = err as Error;
    if (err instanceof UsageError || err instanceof FilterError || err instanceof ConfigError) {
      print.err(err instanceof ConfigError ? `tessera: ${e.message}` : `tessera ${command}: ${e.message}`);
      if (verbose && e.stack) print.err(e.stack);
      return 2;
    }
    print.err(`tessera ${command}: ${oneLine(err)}`);
    if (verbose && e?.stack) print.err(e.stack);
    return 1;
  }
}

/** Temporal's wrappers around the error that actually happened (in an activity or a child). */
const WRAPPERS = new Set(['WorkflowFailedError', 'ActivityFailure', 'ChildWorkflowFailure', 'WorkflowUpdateFailedError']);

/**
 * One line: our own message, with Temporal's wrappers peeled off ("Workflow execution failed: <the activity's
 * error>"). Causes of our own errors (an SDK's internals) are left out; --verbose shows the stack.
 */
function oneLine(err: unknown): string {
  let e = err as { name?: string; message?: string; cause?: unknown } | undefined;
  const outer = e?.message ?? String(err);
  while (e && typeof e === 'object' && e.cause && WRAPPERS.has(e.name ?? '')) e = e.cause as typeof e;
  const inner = e?.message ?? outer;
  return (inner === outer ? inner : `${outer}: ${inner}`).split('\n')[0];
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`tessera: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
