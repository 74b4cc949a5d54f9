import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseDatetime } from '../../platform/catalog/filters';
import type { Config } from '../../platform/config';
import { formatDurationMs, parseDurationMs } from '../../workflows/schedule-duration';
import { SA_SCENE_SENSOR } from '../../workflows/search-attributes';
import type { sensor } from '../../workflows/sensor';
import { sensorStatusQuery, stopSensorSignal } from '../../workflows/sensor-messages';
import { DEFAULT_POLL_PAGE, DEFAULT_POLLS_PER_RUN, DEFAULT_SENSOR_PARALLEL, sensorWorkflowId, type SensorInput, type SensorStatus } from '../../workflows/sensor-types';
import { DEFAULT_PRODUCTS } from '../../workflows/types';
import { MAP_HELP, MAP_OPTIONS, parse, parsePositiveInt } from '../args';
import * as print from '../print';
import { connectClient, workflowUiUrl } from '../temporal-client';
import { UsageError } from '../usage-error';
import { checkOutput } from './backfill';
import { asUsage, checkName, parseAutomationRequest } from './schedule';

export const SENSOR_HELP = `Usage: tessera sensor start NAME SOURCE --every DURATION [filters] [options]
       tessera sensor list | status NAME | stop NAME

Watches a catalog for new scenes: a long-running workflow (id sensor-NAME) polls SOURCE every DURATION, starts
each scene it has not seen once (scene run id sensor-NAME/<scene>), and evaluates alert rules on what it processed.
It keeps a durable cursor (the newest scene datetime seen and the last 1,000 scene ids), survives worker and server
restarts, and never stops because the source is down: a failed poll is retried, shown in "sensor status", and the
next poll waits longer (up to 10 x DURATION).

start:
  --every DURATION     time between polls, e.g. 30s, 5m, 1h (at least 1s)
  --since TIME|now|all scenes acquired before TIME are never started (default now: only new scenes)
  --lookback DURATION  each poll looks this far behind the cursor again, for items that arrive late (default 0)
  --products LIST      ndwi,water,ndci,ndvi,rgb (default ${DEFAULT_PRODUCTS.join(',')})
  --param P.NAME=V     product parameter, repeatable (see tessera run --help)
  --wavelengths NM,..  band centre wavelengths in nm, for files that carry none
${MAP_HELP}
  --out URI            output root (default $TESSERA_OUT or file://<cwd>/.out)
  --alert FILE         alert rules (JSON): POST a webhook when a scene's metric crosses its threshold
  --max-parallel N     scene runs in flight (default ${DEFAULT_SENSOR_PARALLEL})
  --poll-page N        new scenes one poll takes at most (default ${DEFAULT_POLL_PAGE}); the next poll goes on
  --polls-per-run N    polls before the workflow continues as new (default ${DEFAULT_POLLS_PER_RUN})
  filters              --collections, --bbox, --datetime, --filter, --limit, --asset as in tessera backfill

stop: no more polls; the scene runs and alert deliveries it started finish, then the sensor completes.
  --no-wait            return once the stop is requested

Other options: --json, -v/--verbose, -h/--help.
Exit status: 0 done, 1 failed (e.g. no such sensor, or one of that name already running), 2 bad usage (a duration
that does not parse, a bad alert file), before anything starts.`;

const START_OPTIONS = {
  every: { type: 'string' },
  since: { type: 'string' },
  lookback: { type: 'string' },
  collections: { type: 'string' },
  bbox: { type: 'string' },
  datetime: { type: 'string' },
  filter: { type: 'string' },
  limit: { type: 'string' },
  asset: { type: 'string' },
  products: { type: 'string' },
  param: { type: 'string', multiple: true },
  wavelengths: { type: 'string' },
  out: { type: 'string' },
  alert: { type: 'string' },
  'max-parallel': { type: 'string' },
  'poll-page': { type: 'string' },
  'polls-per-run': { type: 'string' },
  json: { type: 'boolean' },
  ...MAP_OPTIONS,
} as const;

const VERB_OPTIONS = { json: { type: 'boolean' }, 'no-wait': { type: 'boolean' } } as const;

/** A query answered by a live worker takes milliseconds. */
const QUERY_TIMEOUT_MS = 10_000;
/** Sensors `list` shows. */
const LIST_LIMIT = 200;

export async function sensorCommand(argv: string[], config: Config): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h') {
    print.out(SENSOR_HELP);
    return verb ? 0 : 2;
  }
  if (verb === 'start') return start(rest, config);
  const { values, positionals } = parse(rest, VERB_OPTIONS);
  if (values.help) {
    print.out(SENSOR_HELP);
    return 0;
  }
  const json = values.json === true;
  if (verb === 'list') {
    if (positionals.length > 0) throw new UsageError('sensor list takes no arguments');
    return withClient(config, async (client) => {
      const rows = await listSensors(client);
      if (json) print.json(rows);
      else print.printSensorList(rows);
      return 0;
    });
  }
  if (verb !== 'status' && verb !== 'stop') throw new UsageError(`unknown sensor verb "${verb}" (expected start, list, status, stop)`);
  if (positionals.length !== 1) throw new UsageError(`sensor ${verb} takes one NAME`);
  const name = checkName(positionals[0]);
  return withClient(config, async (client) => {
    const handle = client.workflow.getHandle<typeof sensor>(sensorWorkflowId(name));
    if (verb === 'status') {
      const status = await readSensorStatus(client, name);
      if (json) print.json(status);
      else print.printSensorStatus(status.status, { workflowStatus: status.workflowStatus, uiUrl: workflowUiUrl(config, sensorWorkflowId(name)) });
      return 0;
    }
    try {
      const desc = await handle.describe();
      if (desc.status.name !== 'RUNNING') throw new Error(`sensor ${name} is not running (${desc.status.name})`);
      await handle.signal(stopSensorSignal, { reason: 'tessera sensor stop' });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new Error(`no sensor ${name} (tessera sensor list shows them)`);
      throw err;
    }
    if (values['no-wait']) {
      if (json) print.json({ sensor: name, workflowId: sensorWorkflowId(name), stop: 'requested' });
      else print.out(`stop requested: sensor ${name} finishes its running scene runs and deliveries, then completes`);
      return 0;
    }
    const result = await handle.result();
    if (json) print.json(result.status);
    else print.printSensorStatus(result.status, { workflowStatus: 'COMPLETED', uiUrl: workflowUiUrl(config, sensorWorkflowId(name)) });
    return 0;
  });
}

async function start(argv: string[], config: Config): Promise<number> {
  const { values, positionals } = parse(argv, START_OPTIONS);
  if (values.help) {
    print.out(SENSOR_HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError('expected NAME and SOURCE (see tessera sensor --help)');
  const name = checkName(positionals[0]);
  if (values.every === undefined) throw new UsageError('--every DURATION is required (time between polls)');
  const everyMs = asUsage(() => parseDurationMs(values.every!, '--every'));
  const lookbackMs = values.lookback !== undefined ? asUsage(() => parseDurationMs(values.lookback!, '--lookback', { minMs: 0 })) : 0;
  const sinceMs = parseSince(values.since);
  const request = await parseAutomationRequest(values, positionals[1], config);
  const input: SensorInput = {
    name,
    ...request,
    everyMs,
    sinceMs,
    lookbackMs,
    ...(values['poll-page'] !== undefined ? { pollPage: parsePositiveInt('--poll-page', values['poll-page'], DEFAULT_POLL_PAGE) } : {}),
    ...(values['polls-per-run'] !== undefined ? { pollsPerRun: parsePositiveInt('--polls-per-run', values['polls-per-run'], DEFAULT_POLLS_PER_RUN) } : {}),
  };

  await checkOutput(config, input.out);
  return withClient(config, async (client) => {
    const workflowId = sensorWorkflowId(name);
    let runId: string;
    try {
      const handle = await client.workflow.start<typeof sensor>('sensor', {
        taskQueue: config.temporal.taskQueue,
        workflowId,
        args: [input],
        // One sensor per name at a time; a stopped one may be started again (its scene runs are never repeated:
        // their ids are the scenes', with REJECT_DUPLICATE).
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [{ key: SA_SCENE_SENSOR, value: name }],
        staticSummary: `sensor ${name}: ${input.source} every ${formatDurationMs(everyMs)}: ${input.products.join(', ')}`.slice(0, 200),
        staticDetails: sensorDetails(input),
        memo: { tessera: { kind: 'sensor', source: input.source, every: formatDurationMs(everyMs), out: input.out, products: input.products, alerts: (input.alerts ?? []).length } },
      });
      runId = handle.firstExecutionRunId;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new Error(`sensor ${name} is running already (tessera sensor status ${name}; stop it with tessera sensor stop ${name})`);
      throw err;
    }
    const started = { sensor: name, workflowId, runId, status: 'started', uiUrl: workflowUiUrl(config, workflowId) };
    if (values.json) print.json(started);
    else print.printSensorStarted(started);
    return 0;
  });
}

/** `now` (default), `all`, or an RFC 3339 instant / date. */
function parseSince(text: string | undefined): number | null {
  if (text === undefined || text === 'now') return Date.now();
  if (text === 'all') return null;
  const canonical = parseDatetime(text, '--since');
  if (canonical.includes('/') && !/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) throw new UsageError(`--since: "${text}" is a range; expected now, all, or one instant`);
  return Date.parse(canonical.split('/')[0]);
}

export interface SensorStatusView {
  workflowStatus: string;
  status: SensorStatus;
}

async function readSensorStatus(client: Client, name: string): Promise<SensorStatusView> {
  const handle = client.workflow.getHandle<typeof sensor>(sensorWorkflowId(name));
  let workflowStatus: string;
  try {
    workflowStatus = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new Error(`no sensor ${name} (tessera sensor list shows them)`);
    throw err;
  }
  const status = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(sensorStatusQuery));
  return { workflowStatus, status };
}

/** One line of `sensor list`. */
export interface SensorRow {
  name: string;
  workflowId: string;
  status: string;
  startedAt: string;
  source: string | null;
  every: string | null;
}

async function listSensors(client: Client): Promise<SensorRow[]> {
  const rows: SensorRow[] = [];
  // A sensor continues as new: only its latest run is its state, the others are ContinuedAsNew.
  const query = `WorkflowType = 'sensor' AND ExecutionStatus != 'ContinuedAsNew'`;
  for await (const w of client.workflow.list({ query, pageSize: 100 })) {
    const memo = (w.memo?.tessera ?? {}) as { source?: string; every?: string };
    rows.push({
      name: w.typedSearchAttributes?.get(SA_SCENE_SENSOR) ?? w.workflowId.replace(/^sensor-/, ''),
      workflowId: w.workflowId,
      status: w.status.name,
      startedAt: w.startTime.toISOString(),
      source: memo.source ?? null,
      every: memo.every ?? null,
    });
    if (rows.length >= LIST_LIMIT) break;
  }
  return rows;
}

function sensorDetails(input: SensorInput): string {
  const lines = [
    `**Sensor** \`${input.name}\`: polls every ${formatDurationMs(input.everyMs)}`,
    '',
    `- source: ${input.source}`,
    `- since: ${input.sinceMs === null ? 'all scenes' : new Date(input.sinceMs).toISOString()}${input.lookbackMs ? `, lookback ${formatDurationMs(input.lookbackMs)}` : ''}`,
  ];
  const filters = Object.entries(input.filters ?? {});
  if (filters.length > 0) lines.push(`- filters: ${filters.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}`);
  lines.push(`- products: ${input.products.join(', ')}`, `- out: ${input.out}`);
  for (const r of input.alerts ?? []) lines.push(`- alert \`${r.name}\`: ${r.metric} > ${r.threshold} (hysteresis ${r.hysteresis})`);
  lines.push('', `Scene runs: \`TesseraSceneSensor="${input.name}"\``);
  return lines.join('\n').slice(0, 20_000);
}

async function withClient<T>(config: Config, fn: (client: Client) => Promise<T>): Promise<T> {
  const { client, close } = await connectClient(config);
  try {
    return await fn(client);
  } finally {
    await close();
  }
}
