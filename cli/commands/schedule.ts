import { readFile } from 'node:fs/promises';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleSpec,
} from '@temporalio/client';
import { AlertFileError, parseAlertFile } from '../../platform/alerts/rules';
import { parseDatetime } from '../../platform/catalog/filters';
import type { Config } from '../../platform/config';
import { normalizeUri } from '../../platform/storage/uri';
import type { AlertRule } from '../../workflows/alerts-types';
import type { SceneFilters } from '../../workflows/catalog-types';
import { CronError, nextFireMs, parseCron } from '../../workflows/schedule-cron';
import { DurationError, formatDurationMs, parseDurationMs } from '../../workflows/schedule-duration';
import type { scheduledBackfill } from '../../workflows/schedule';
import {
  AUTOMATION_NAME_PATTERN,
  SCHEDULE_OVERLAP_POLICY,
  scheduleId,
  scheduledWorkflowIdBase,
  type ScheduleCadence,
  type ScheduledBackfillInput,
  type ScheduledBackfillResult,
} from '../../workflows/schedule-types';
import { SA_SCHEDULE } from '../../workflows/search-attributes';
import { DEFAULT_MAX_PARALLEL, MAX_PARALLEL_LIMIT } from '../../workflows/backfill-types';
import { DEFAULT_PRODUCTS, type ProductName, type ReprojectRequest, type VectorRequest } from '../../workflows/types';
import { MAP_HELP, MAP_OPTIONS, parse, parseMapFlags, parseParams, parsePositiveInt, parseProducts, parseWavelengths } from '../args';
import { collectProducts } from '../../raster/jobs/products/resolve';
import { PRODUCTS } from '../../workflows/products';
import * as print from '../print';
import { connectClient } from '../temporal-client';
import { UsageError } from '../usage-error';
import { canonicalSource, checkOutput, parseFilters } from './backfill';

export const SCHEDULE_HELP = `Usage: tessera schedule create NAME SOURCE (--every DURATION | --cron EXPR) [filters] [options]
       tessera schedule list | describe NAME | pause NAME | unpause NAME | trigger NAME | delete NAME
       tessera schedule backfill NAME --from TIME --to TIME

Runs "tessera backfill SOURCE" unattended, as a Temporal Schedule. Each action processes the scenes whose datetime
falls in its window [action time - window, action time): with the default window (the interval, or for a cron the
time since its previous fire time) consecutive actions cover time without gaps or overlaps. Actions never overlap
(policy BUFFER_ALL: a late action delays the next, none is skipped); scenes whose outputs are up to date are skipped.

create:
  --every DURATION     e.g. 10s, 15m, 6h, 1d (at least 1s); actions at whole multiples of it since the Unix epoch
  --cron EXPR          5 fields, UTC: "minute hour day-of-month month day-of-week", or @hourly, @daily, ...;
                       as in Temporal, a time must match day-of-month AND day-of-week when both are given
  --window DURATION    how far back each action looks (default: the interval)
  --products LIST      ndwi,water,ndci,ndvi,rgb (default ${DEFAULT_PRODUCTS.join(',')})
  --param P.NAME=V     product parameter, repeatable (see tessera run --help)
  --wavelengths NM,..  band centre wavelengths in nm, for files that carry none
${MAP_HELP}
  --out URI            output root (default $TESSERA_OUT or file://<cwd>/.out)
  --alert FILE         alert rules (JSON): after each action, POST a webhook when a metric crosses its threshold
  --max-parallel N     scene runs in flight per action (default ${DEFAULT_MAX_PARALLEL})
  --paused             create it paused
  filters              --collections, --bbox, --filter, --limit, --asset as in tessera backfill (not --datetime:
                       each action sets it from its window)

backfill:
  --from TIME --to TIME  take, one after another, the actions the schedule would have taken in [from, to)
                         (RFC 3339, e.g. 2026-06-01T00:00:00Z), each on its own window

Other options: --note TEXT (pause, unpause), --json, -v/--verbose, -h/--help.
Exit status: 0 done, 1 failed (e.g. no such schedule), 2 bad usage (a cron or duration that does not parse, a bad
alert file), before anything is created.`;

const CREATE_OPTIONS = {
  every: { type: 'string' },
  cron: { type: 'string' },
  window: { type: 'string' },
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
  paused: { type: 'boolean' },
  json: { type: 'boolean' },
  ...MAP_OPTIONS,
} as const;

const VERB_OPTIONS = {
  json: { type: 'boolean' },
  note: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

type CreateValues = ReturnType<typeof parse<typeof CREATE_OPTIONS>>['values'];

/** Catchup after a Temporal outage: actions missed within this are still taken (in order, BUFFER_ALL). */
const CATCHUP_WINDOW = '365 days';
/** Recent actions `describe` looks up (their status and window). */
const DESCRIBE_RECENT = 5;

export async function scheduleCommand(argv: string[], config: Config): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h') {
    print.out(SCHEDULE_HELP);
    return verb ? 0 : 2;
  }
  if (verb === 'create') return create(rest, config);
  const { values, positionals } = parse(rest, VERB_OPTIONS);
  if (values.help) {
    print.out(SCHEDULE_HELP);
    return 0;
  }
  const json = values.json === true;
  if (verb === 'list') {
    if (positionals.length > 0) throw new UsageError('schedule list takes no arguments');
    return withClient(config, async (client) => {
      const rows = await listSchedules(client);
      if (json) print.json(rows);
      else print.printScheduleList(rows);
      return 0;
    });
  }
  const verbs = ['describe', 'pause', 'unpause', 'trigger', 'delete', 'backfill'];
  if (!verbs.includes(verb)) throw new UsageError(`unknown schedule verb "${verb}" (expected create, list, ${verbs.join(', ')})`);
  if (positionals.length !== 1) throw new UsageError(`schedule ${verb} takes one NAME`);
  const name = checkName(positionals[0]);
  if (verb !== 'backfill' && (values.from !== undefined || values.to !== undefined)) throw new UsageError('--from and --to go with schedule backfill');
  const range = verb === 'backfill' ? backfillRange(values.from, values.to) : undefined;

  return withClient(config, async (client) => {
    const handle = client.schedule.getHandle(scheduleId(name));
    try {
      switch (verb) {
        case 'describe': {
          const view = await describeSchedule(client, name);
          if (json) print.json(view);
          else print.printScheduleDescription(view);
          return 0;
        }
        case 'pause':
          await handle.pause(values.note ?? 'paused with tessera schedule pause');
          break;
        case 'unpause':
          await handle.unpause(values.note ?? 'unpaused with tessera schedule unpause');
          break;
        case 'trigger':
          // The schedule's own policy, not the SDK's default ALLOW_ALL: a triggered action waits for a running one.
          await handle.trigger(ScheduleOverlapPolicy.BUFFER_ALL);
          break;
        case 'delete':
          await handle.delete();
          break;
        case 'backfill':
          // Temporal's backfill takes the actions at both ends of its range; --to is exclusive, as a window's end is.
          await handle.backfill({ start: new Date(range!.fromMs), end: new Date(range!.toMs - 1), overlap: ScheduleOverlapPolicy.BUFFER_ALL });
          break;
      }
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw new Error(`no schedule ${name} (tessera schedule list shows them)`);
      throw err;
    }
    const done = { schedule: name, scheduleId: scheduleId(name), action: verb, ...(range ? { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() } : {}) };
    if (json) print.json(done);
    else print.printScheduleAction(done);
    return 0;
  });
}

/** `schedule create`: everything is checked before the schedule is created. */
async function create(argv: string[], config: Config): Promise<number> {
  const { values, positionals } = parse(argv, CREATE_OPTIONS);
  if (values.help) {
    print.out(SCHEDULE_HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError('expected NAME and SOURCE (see tessera schedule --help)');
  const name = checkName(positionals[0]);
  if (values.datetime !== undefined) throw new UsageError('--datetime is set by each action from its window; use --window to widen it');
  const cadence = parseCadence(values);
  const windowMs = values.window !== undefined ? asUsage(() => parseDurationMs(values.window!, '--window')) : undefined;
  const request = await parseAutomationRequest(values, positionals[1], config);
  const input: ScheduledBackfillInput = { name, cadence, ...(windowMs !== undefined ? { windowMs } : {}), ...request };

  await checkOutput(config, input.out);
  return withClient(config, async (client) => {
    const spec: ScheduleSpec = cadence.kind === 'every' ? { intervals: [{ every: cadence.everyMs }] } : { cronExpressions: [cadence.cron] };
    const summary = `scheduled backfill of ${input.source} ${cadenceText(cadence)}: ${input.products.join(', ')}`.slice(0, 200);
    try {
      await client.schedule.create({
        scheduleId: scheduleId(name),
        spec,
        action: {
          type: 'startWorkflow',
          workflowType: 'scheduledBackfill',
          workflowId: scheduledWorkflowIdBase(name),
          taskQueue: config.temporal.taskQueue,
          args: [input] as Parameters<typeof scheduledBackfill>,
          typedSearchAttributes: [{ key: SA_SCHEDULE, value: name }],
          staticSummary: summary,
          staticDetails: scheduleDetails(input),
        },
        policies: { overlap: SCHEDULE_OVERLAP_POLICY, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false },
        typedSearchAttributes: [{ key: SA_SCHEDULE, value: name }],
        memo: { tessera: scheduleMemo(input) },
        state: { paused: values.paused === true, note: values.paused ? 'created paused' : `created with tessera schedule create` },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw new Error(`schedule ${name} exists already; delete it first (tessera schedule delete ${name})`);
      throw err;
    }
    const view = await describeSchedule(client, name);
    if (values.json) print.json(view);
    else print.printScheduleCreated(view);
    return 0;
  });
}

/** What a schedule and its sensor share on the command line: SOURCE, filters, products, output and alert rules. */
export interface AutomationRequest {
  source: string;
  filters: SceneFilters;
  out: string;
  products: ProductName[];
  params?: Record<string, number>;
  wavelengthsNm?: number[];
  vectors?: VectorRequest;
  reproject?: ReprojectRequest;
  maxParallel?: number;
  alerts?: AlertRule[];
}

/**
 * Parses SOURCE, the filter flags, --products, --param, --wavelengths, the map flags (--vectors, --reproject, ...),
 * --out, --max-parallel and --alert FILE.
 * @throws UsageError / FilterError (exit 2) for anything that does not parse, including every alert-file problem.
 */
export async function parseAutomationRequest(
  values: Pick<
    CreateValues,
    'collections' | 'bbox' | 'datetime' | 'filter' | 'limit' | 'asset' | 'products' | 'param' | 'wavelengths' | 'out' | 'alert' | 'max-parallel' | keyof typeof MAP_OPTIONS
  >,
  source: string,
  config: Config,
): Promise<AutomationRequest> {
  const maxParallel = values['max-parallel'] === undefined ? undefined : parsePositiveInt('--max-parallel', values['max-parallel'], DEFAULT_MAX_PARALLEL);
  if (maxParallel !== undefined && maxParallel > MAX_PARALLEL_LIMIT) throw new UsageError(`--max-parallel: ${maxParallel} is more than ${MAX_PARALLEL_LIMIT}`);
  const request: AutomationRequest = {
    source: canonicalSource(source),
    filters: parseFilters(values),
    out: asUsage(() => normalizeUri(values.out ?? config.output.defaultUri), '--out'),
    products: values.products ? parseProducts(values.products) : [...DEFAULT_PRODUCTS],
    params: parseParams(values.param),
    wavelengthsNm: values.wavelengths ? parseWavelengths(values.wavelengths) : undefined,
    ...(maxParallel !== undefined ? { maxParallel } : {}),
  };
  Object.assign(request, parseMapFlags(values, collectProducts(request.products, PRODUCTS), request.params));
  if (values.alert !== undefined) {
    request.alerts = await readAlertRules(values.alert);
    const needsNdci = request.alerts.filter((r) => r.metric.startsWith('bloom_') && !request.products.includes('ndci'));
    if (needsNdci.length > 0) throw new UsageError(`--alert ${values.alert}: rule "${needsNdci[0].name}" watches ${needsNdci[0].metric}, which needs the ndci product (--products)`);
    const p98 = request.alerts.find((r) => r.metric.endsWith('_p98') && !request.products.includes(r.metric.replace(/_p98$/, '') as ProductName));
    if (p98) throw new UsageError(`--alert ${values.alert}: rule "${p98.name}" watches ${p98.metric}, whose product is not in --products`);
  }
  return request;
}

/** Reads and checks an alert file (JSON). @throws UsageError naming the file and the problem. */
export async function readAlertRules(file: string): Promise<AlertRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--alert ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return parseAlertFile(text, file);
  } catch (err) {
    if (err instanceof AlertFileError) throw new UsageError(err.message);
    throw err;
  }
}

/** A schedule or sensor name. @throws UsageError */
export function checkName(name: string): string {
  if (!AUTOMATION_NAME_PATTERN.test(name)) throw new UsageError(`"${name}" is not a name (1-63 letters, digits, ".", "_" or "-", starting with a letter or digit)`);
  return name;
}

/** Runs `fn`, turning a DurationError, CronError or a bad URI into a UsageError (exit 2). */
export function asUsage<T>(fn: () => T, flag?: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DurationError || err instanceof CronError) throw new UsageError(err.message);
    if (flag && err instanceof Error && err.name === 'InvalidUriError') throw new UsageError(`${flag}: ${err.message}`);
    throw err;
  }
}

function parseCadence(values: CreateValues): ScheduleCadence {
  if ((values.every === undefined) === (values.cron === undefined)) throw new UsageError('give exactly one of --every DURATION and --cron EXPR');
  if (values.every !== undefined) return { kind: 'every', everyMs: asUsage(() => parseDurationMs(values.every!, '--every')) };
  const cron = asUsage(() => parseCron(values.cron!));
  // An expression that parses but never fires (`0 0 30 2 *`) is as useless as one that does not parse.
  asUsage(() => nextFireMs(cron, Date.now()));
  return { kind: 'cron', cron: cron.expression };
}

function backfillRange(from: string | undefined, to: string | undefined): { fromMs: number; toMs: number } {
  if (from === undefined || to === undefined) throw new UsageError('schedule backfill needs --from TIME and --to TIME');
  const instant = (flag: string, text: string) => {
    const canonical = parseDatetime(text, flag);
    if (canonical.includes('/')) throw new UsageError(`${flag}: "${text}" is a range; expected one instant (2026-06-01T00:00:00Z)`);
    return Date.parse(canonical);
  };
  const fromMs = instant('--from', from);
  const toMs = instant('--to', to);
  if (toMs <= fromMs) throw new UsageError(`--to ${to} is not after --from ${from}`);
  return { fromMs, toMs };
}

export function cadenceText(c: ScheduleCadence): string {
  return c.kind === 'every' ? `every ${formatDurationMs(c.everyMs)}` : `cron "${c.cron}" (UTC)`;
}

function scheduleMemo(input: ScheduledBackfillInput): Record<string, unknown> {
  return {
    kind: 'scheduled-backfill',
    cadence: cadenceText(input.cadence),
    window: input.windowMs !== undefined ? formatDurationMs(input.windowMs) : 'the interval',
    source: input.source,
    out: input.out,
    products: input.products,
    alerts: (input.alerts ?? []).map((r) => `${r.name}: ${r.metric} > ${r.threshold} → ${r.webhook}`),
  };
}

function scheduleDetails(input: ScheduledBackfillInput): string {
  const lines = [
    `**Scheduled backfill** \`${input.name}\`, ${cadenceText(input.cadence)}`,
    '',
    `- window: ${input.windowMs !== undefined ? formatDurationMs(input.windowMs) : 'the interval'} before each action`,
    `- source: ${input.source}`,
  ];
  const filters = Object.entries(input.filters ?? {});
  if (filters.length > 0) lines.push(`- filters: ${filters.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}`);
  lines.push(`- products: ${input.products.join(', ')}`, `- out: ${input.out}`);
  for (const r of input.alerts ?? []) lines.push(`- alert \`${r.name}\`: ${r.metric} > ${r.threshold} (hysteresis ${r.hysteresis})`);
  lines.push('', `Runs: \`TesseraSchedule="${input.name}"\``);
  return lines.join('\n').slice(0, 20_000);
}

/** One line of `schedule list`. */
export interface ScheduleRow {
  name: string;
  scheduleId: string;
  paused: boolean;
  cadence: string;
  source: string | null;
  nextActionAt: string | null;
  lastActionAt: string | null;
}

async function listSchedules(client: Client): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for await (const s of client.schedule.list({ query: `${SA_SCHEDULE.name} IS NOT NULL` })) {
    const name = s.typedSearchAttributes?.get(SA_SCHEDULE) ?? s.scheduleId.replace(/^schedule-/, '');
    const memo = (s.memo?.tessera ?? {}) as { cadence?: string; source?: string };
    rows.push({
      name,
      scheduleId: s.scheduleId,
      paused: s.state.paused,
      cadence: memo.cadence ?? '',
      source: memo.source ?? null,
      nextActionAt: s.info.nextActionTimes[0]?.toISOString() ?? null,
      lastActionAt: s.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
    });
  }
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What `schedule describe` shows. */
export interface ScheduleView {
  name: string;
  scheduleId: string;
  paused: boolean;
  note: string | null;
  cadence: string;
  window: string;
  overlap: string;
  catchupWindowMs: number;
  source: string;
  filters: Record<string, unknown>;
  out: string;
  products: string[];
  alerts: Array<{ name: string; metric: string; threshold: number; hysteresis: number; webhook: string }>;
  taskQueue: string;
  nextActionTimes: string[];
  actions: { total: number; missedCatchup: number; skippedOverlap: number; running: string[] };
  recent: Array<{
    scheduledAt: string;
    takenAt: string;
    workflowId: string;
    status: string;
    window?: { start: string; end: string };
    backfillId?: string;
    counts?: ScheduledBackfillResult['counts'];
    alerts?: ScheduledBackfillResult['alerts'];
  }>;
}

/** @throws Error "no schedule NAME" when it does not exist. */
export async function describeSchedule(client: Client, name: string): Promise<ScheduleView> {
  let d: ScheduleDescription;
  try {
    d = await client.schedule.getHandle(scheduleId(name)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new Error(`no schedule ${name} (tessera schedule list shows them)`);
    throw err;
  }
  if (d.action.type !== 'startWorkflow' || d.action.workflowType !== 'scheduledBackfill') throw new Error(`schedule ${d.scheduleId} is not a Tessera schedule`);
  const input = d.action.args?.[0] as ScheduledBackfillInput | undefined;
  if (!input) throw new Error(`schedule ${d.scheduleId} has no scheduledBackfill input`);
  const recent: ScheduleView['recent'] = [];
  for (const a of d.info.recentActions.slice(-DESCRIBE_RECENT)) {
    const row: ScheduleView['recent'][number] = {
      scheduledAt: a.scheduledAt.toISOString(),
      takenAt: a.takenAt.toISOString(),
      workflowId: a.action.workflow.workflowId,
      status: 'unknown',
    };
    try {
      const h = client.workflow.getHandle<typeof scheduledBackfill>(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId);
      row.status = (await h.describe()).status.name;
      if (row.status === 'COMPLETED') {
        const r = await h.result();
        Object.assign(row, { window: r.window, backfillId: r.backfillId, counts: r.counts, alerts: r.alerts });
      }
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      row.status = 'gone (past retention)';
    }
    recent.push(row);
  }
  return {
    name,
    scheduleId: d.scheduleId,
    paused: d.state.paused,
    note: d.state.note ?? null,
    cadence: cadenceText(input.cadence),
    window: input.windowMs !== undefined ? formatDurationMs(input.windowMs) : input.cadence.kind === 'every' ? formatDurationMs(input.cadence.everyMs) : 'since the previous fire time',
    overlap: d.policies.overlap ?? 'SKIP',
    catchupWindowMs: d.policies.catchupWindow,
    source: input.source,
    filters: input.filters as Record<string, unknown>,
    out: input.out,
    products: input.products,
    alerts: (input.alerts ?? []).map((r) => ({ name: r.name, metric: r.metric, threshold: r.threshold, hysteresis: r.hysteresis, webhook: r.webhook })),
    taskQueue: d.action.taskQueue ?? '',
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    actions: {
      total: d.info.numActionsTaken,
      missedCatchup: d.info.numActionsMissedCatchupWindow,
      skippedOverlap: d.info.numActionsSkippedOverlap,
      running: d.info.runningActions.map((a) => a.workflow.workflowId),
    },
    recent,
  };
}

async function withClient<T>(config: Config, fn: (client: Client) => Promise<T>): Promise<T> {
  const { client, close } = await connectClient(config);
  try {
    return await fn(client);
  } finally {
    await close();
  }
}
