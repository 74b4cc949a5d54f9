import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseBbox, parseCollections, parseCql2Json, parseDatetime, parseLimit } from '../../platform/catalog/filters';
import { isGlob, splitGlob } from '../../platform/catalog/glob';
import { isHttpUri } from '../../platform/catalog/href';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { InvalidUriError, ObjectNotFoundError } from '../../platform/storage/errors';
import { createStoreRouter } from '../../platform/storage/open-store';
import { joinUri, normalizeUri } from '../../platform/storage/uri';
import type { backfill, BackfillRecord, BackfillRequest } from '../../workflows/backfill';
import { backfillId, backfillKey, isValidBackfillId, rerunBase, rerunId } from '../../workflows/backfill-ids';
import { backfillProgressQuery } from '../../workflows/backfill-messages';
import { DEFAULT_MAX_PARALLEL, MAX_PARALLEL_LIMIT, type BackfillInput } from '../../workflows/backfill-types';
import type { SceneFilters } from '../../workflows/catalog-types';
import { SA_BACKFILL } from '../../workflows/search-attributes';
import { DEFAULT_PRODUCTS } from '../../workflows/types';
import { MAP_HELP, MAP_OPTIONS, parse, parseMapFlags, parsePositiveInt, parseProductFlags, parseWavelengths } from '../args';
import * as print from '../print';
import { connectClient, workflowUiUrl } from '../temporal-client';
import { UsageError } from '../usage-error';

export const BACKFILL_HELP = `Usage: tessera backfill SOURCE [options]
       tessera backfill --rerun-failed BACKFILL_ID [--wait] [--json]

Runs the bloom pipeline on every scene of a catalog, as one durable backfill workflow that starts one scene run
per scene (at most --max-parallel at a time). A failing scene does not stop the others. SOURCE is a STAC API,
a static STAC catalog, collection or item, an object prefix or a glob (file://, s3://, http(s)://):
  tessera backfill https://stac.example.com/v1 --collections wyvern --bbox -80,25,-79,27 --datetime 2024-06-01/..
  tessera backfill 's3://bucket/scenes/*.tif' --out s3://bucket/products

The backfill id is derived from SOURCE, the filters, --out, --products, --param and --wavelengths: starting the
same backfill while it runs attaches to it; starting it again after it finished re-plans every scene, and scenes
whose outputs are up to date are skipped.

Filters:
  --collections A,B    only these STAC collections
  --bbox W,S,E,N       items intersecting this box (degrees, WGS 84)
  --datetime A/B       RFC 3339 interval; either end may be .. (open); a single instant or date works too
  --filter CQL2JSON    CQL2-JSON expression, e.g. '{"op":"<","args":[{"property":"eo:cloud_cover"},20]}'
  --limit N            at most N scenes
  --asset KEY          the item asset to read (default: the GeoTIFF asset with eo:bands)

Options:
  --products LIST      comma-separated: ndwi,water,ndci,ndvi,rgb (default ${DEFAULT_PRODUCTS.join(',')})
  --param P.NAME=V     product parameter, repeatable (see tessera run --help)
  --index NAME=EXPR    a custom product, repeatable; --index-file FILE, --where MASK, --calibrate and --const
                       as for tessera run (see tessera run --help); --products takes catalog indices too
  --wavelengths NM,..  band centre wavelengths in nm, for files that carry none
${MAP_HELP}
  --out URI            output root (default $TESSERA_OUT or file://<cwd>/.out)
  --max-parallel N     scene runs in flight (default ${DEFAULT_MAX_PARALLEL}, at most ${MAX_PARALLEL_LIMIT}); the default suits two workers of
                       2 threads + 1 activity slot each, which keep about 6 scenes' tiles flowing while 2 more plan or publish
  --id NAME            backfill id (letters, digits, . _ -) instead of the derived one
  --dry-run            start nothing: list the source here and print, per scene and product, what would run or be
                       skipped and why, with totals; exit 1 when a scene cannot be planned
  --rerun-failed ID    start a new backfill <ID>-rerun-<n> of exactly the scenes that failed in backfill ID (from its
                       result in Temporal, or from <out>/_backfills/<ID>/result.json once the history is gone)
  --wait               wait for the backfill and print its counts and failures; exit 1 when a scene failed
  --json               print JSON (the result with --wait; otherwise {workflowId, runId, status, uiUrl})
  --scenes-per-run N   scenes per workflow run before it continues as new (default 400; small values for tests)
  -v, --verbose        stack traces on errors
  -h, --help           this help

Follow it with "tessera watch ID", stop it with "tessera cancel ID" (its running scenes are cancelled too).`;

const OPTIONS = {
  collections: { type: 'string' },
  bbox: { type: 'string' },
  datetime: { type: 'string' },
  filter: { type: 'string' },
  limit: { type: 'string' },
  asset: { type: 'string' },
  products: { type: 'string' },
  param: { type: 'string', multiple: true },
  index: { type: 'string', multiple: true },
  'index-file': { type: 'string' },
  where: { type: 'string' },
  calibrate: { type: 'string', multiple: true },
  const: { type: 'string', multiple: true },
  wavelengths: { type: 'string' },
  out: { type: 'string' },
  'max-parallel': { type: 'string' },
  id: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'rerun-failed': { type: 'string' },
  wait: { type: 'boolean' },
  json: { type: 'boolean' },
  'scenes-per-run': { type: 'string' },
  ...MAP_OPTIONS,
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

/** Progress lines while `--wait` waits (stderr, TTY only). */
const WAIT_POLL_MS = 2000;
/** A query answered by a live worker takes milliseconds; past this, skip one progress line. */
const QUERY_TIMEOUT_MS = 5000;
/** Reruns looked for before giving up (`<id>-rerun-1` … `-rerun-<n>`). */
const MAX_RERUNS = 1000;

export async function backfillCommand(argv: string[], config: Config, logger: Logger): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    print.out(BACKFILL_HELP);
    return 0;
  }
  const maxParallel = parseMaxParallel(values['max-parallel']);
  const scenesPerRun = values['scenes-per-run'] === undefined ? undefined : parsePositiveInt('--scenes-per-run', values['scenes-per-run'], 0);
  if (values['rerun-failed'] !== undefined) {
    if (positionals.length > 0) throw new UsageError('--rerun-failed takes a BACKFILL_ID, not a SOURCE');
    for (const flag of ['collections', 'bbox', 'datetime', 'filter', 'limit', 'asset', 'products', 'param', 'index', 'index-file', 'where', 'calibrate', 'const', 'wavelengths', 'id', 'dry-run', 'vectors', 'connectivity', 'min-area', 'vector-formats', 'reproject', 'resampling'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} cannot be combined with --rerun-failed (the rerun uses the backfill's own settings)`);
    }
    return rerunFailed(config, values['rerun-failed'], values, { maxParallel, scenesPerRun });
  }
  if (positionals.length !== 1) throw new UsageError('expected one SOURCE (see tessera backfill --help)');

  // Names, formulas, masks and parameters are checked here; what a scene's bands cannot give fails that scene's plan.
  const { products, params, run } = parseProductFlags(values, DEFAULT_PRODUCTS);
  const maps = parseMapFlags(values, run, params);
  const request: BackfillRequest = {
    source: canonicalSource(positionals[0]),
    filters: parseFilters(values),
    out: normalizeUri(values.out ?? config.output.defaultUri),
    products,
    params,
    wavelengthsNm: values.wavelengths ? parseWavelengths(values.wavelengths) : undefined,
    ...maps,
    maxParallel,
  };
  if (values.id !== undefined && !isValidBackfillId(values.id)) {
    throw new UsageError(`--id: "${values.id}" is not a backfill id (letters, digits, dot, dash, underscore; at most 100)`);
  }
  const id = values.id ?? backfillId(request);

  if (values['dry-run']) {
    if (values.wait) throw new UsageError('--dry-run starts nothing to --wait for');
    const { dryRunBackfill } = await import('../../workers/dry-run');
    const report = await dryRunBackfill(config, id, request, { logger });
    if (values.json) print.json(report);
    else print.printDryRun(report);
    return report.totals.failed > 0 ? 1 : 0;
  }

  await checkOutput(config, request.out);
  const { client, close } = await connectClient(config);
  try {
    const input: BackfillInput = { ...request, ...(scenesPerRun ? { scenesPerRun } : {}) };
    const runId = await start(client, config, id, input);
    if (!values.wait) return reportStarted(config, id, runId, values.json === true);
    return await waitFor(client, config, id, values.json === true);
  } finally {
    await close();
  }
}

/**
 * Starts (or attaches to) a backfill. USE_EXISTING: a running backfill of the same id is joined rather than
 * doubled; ALLOW_DUPLICATE: a closed one is run again, re-planning every scene.
 */
async function start(client: Client, config: Config, id: string, input: BackfillInput): Promise<string> {
  const handle = await client.workflow.start<typeof backfill>('backfill', {
    taskQueue: config.temporal.taskQueue,
    workflowId: id,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [{ key: SA_BACKFILL, value: id }],
    staticSummary: `backfill ${input.scenes ? `${input.scenes.length} scenes of ` : ''}${input.source}: ${input.products.join(', ')}`.slice(0, 200),
    staticDetails: backfillDetails(id, input),
  });
  return handle.firstExecutionRunId;
}

function reportStarted(config: Config, id: string, runId: string, json: boolean, extra: Record<string, unknown> = {}): number {
  const uiUrl = workflowUiUrl(config, id);
  if (json) {
    print.json({ workflowId: id, runId, status: 'started', uiUrl, ...extra });
  } else {
    print.printBackfillStarted({ workflowId: id, runId, uiUrl });
  }
  return 0;
}

/** Waits for the whole chain of runs (the handle follows continue-as-new), showing progress on a terminal. */
async function waitFor(client: Client, config: Config, id: string, json: boolean): Promise<number> {
  const handle = client.workflow.getHandle<typeof backfill>(id);
  const stop = new AbortController();
  const tty = !json && process.stderr.isTTY;
  const ticker = tty
    ? (async () => {
        while (!stop.signal.aborted) {
          try {
            const p = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(backfillProgressQuery));
            process.stderr.write(`\r\x1b[2K${print.backfillProgressLine(p, Date.now())}`);
          } catch {
            // No answer this time (no worker yet, or the run just continued as new); try again at the next tick.
          }
          await sleep(WAIT_POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
        }
      })()
    : Promise.resolve();
  let result: BackfillRecord;
  try {
    result = await handle.result();
  } finally {
    stop.abort();
    await ticker;
    if (tty) process.stderr.write('\r\x1b[2K');
  }
  if (json) print.json(result);
  else print.printBackfillResult(result, { uiUrl: workflowUiUrl(config, id) });
  return result.counts.failed > 0 ? 1 : 0;
}

/**
 * `--rerun-failed ID`: a new backfill `<ID>-rerun-<n>` whose `scenes` are exactly the failed refs of ID, with ID's
 * products, parameters and output root. A new id (not ID again) keeps ID's own record intact and gives the rerun its
 * own result, which can be rerun in turn (`x-rerun-1` → `x-rerun-2`). If the latest rerun is still running, it is
 * joined instead of starting the same scenes twice.
 */
async function rerunFailed(
  config: Config,
  id: string,
  values: Values,
  opts: { maxParallel?: number; scenesPerRun?: number },
): Promise<number> {
  if (!isValidBackfillId(id)) throw new UsageError(`--rerun-failed: "${id}" is not a backfill id`);
  const store = createStoreRouter(config);
  const { client, close } = await connectClient(config);
  try {
    const record = await findRecord(client, store, id, normalizeUri(values.out ?? config.output.defaultUri));
    const json = values.json === true;
    if (record.counts.failed > record.failures.length) {
      print.err(
        `tessera backfill: ${id} had ${record.counts.failed} failed scenes, of which the first ${record.failures.length} were recorded; ` +
          'the rest are rerun by starting the backfill itself again (scenes with up-to-date outputs are skipped)',
      );
    }
    if (record.failures.length === 0) {
      if (json) print.json({ workflowId: id, status: 'nothing-to-rerun', failed: 0 });
      else print.out(`backfill ${id}: no failed scenes, nothing to rerun`);
      return 0;
    }
    const next = await nextRerun(client, store, id, record.request.out);
    const input: BackfillInput = {
      ...record.request,
      maxParallel: opts.maxParallel ?? record.request.maxParallel,
      scenes: record.failures.map((f) => f.scene),
      ...(opts.scenesPerRun ? { scenesPerRun: opts.scenesPerRun } : {}),
    };
    const runId = await start(client, config, next.id, input);
    if (!json) print.out(`${next.running ? 'attached to running rerun' : 'rerunning'} ${record.failures.length} failed scenes of ${id} as ${next.id}`);
    if (!values.wait) return reportStarted(config, next.id, runId, json, { rerunOf: id, scenes: input.scenes!.length });
    return await waitFor(client, config, next.id, json);
  } finally {
    await close();
  }
}

/**
 * A finished backfill's record: its result in Temporal while the history is kept, else the result object in the
 * store. A backfill that is still running, or that closed without completing, has no result to rerun from.
 */
async function findRecord(client: Client, store: ReturnType<typeof createStoreRouter>, id: string, out: string): Promise<BackfillRecord> {
  const handle = client.workflow.getHandle<typeof backfill>(id);
  let status: string | undefined;
  try {
    const desc = await handle.describe();
    if (desc.type !== 'backfill') throw new UsageError(`${id} is a ${desc.type} run, not a backfill`);
    status = desc.status.name;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  if (status === 'COMPLETED') return checkRecord(await handle.result(), id);
  if (status === 'RUNNING') throw new Error(`backfill ${id} is still running; wait for it (tessera watch ${id}), then rerun its failures`);
  if (status !== undefined) {
    throw new Error(`backfill ${id} is ${status} and has no result; start it again with the same flags (scenes with up-to-date outputs are skipped)`);
  }
  const uri = joinUri(out, backfillKey(id, 'result.json'));
  let bytes: Uint8Array;
  try {
    bytes = await store.get(uri);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new Error(`no backfill ${id} in Temporal and no ${uri}; pass the backfill's --out`);
    throw err;
  }
  return checkRecord(JSON.parse(new TextDecoder().decode(bytes)) as BackfillRecord, uri);
}

function checkRecord(record: BackfillRecord, where: string): BackfillRecord {
  if (!record || !Array.isArray(record.failures) || !record.counts || !record.request?.out) {
    throw new Error(`${where}: not a backfill result (expected counts, failures and request)`);
  }
  return record;
}

/** The first free `<base>-rerun-<n>`, or the latest one if it still runs. */
async function nextRerun(client: Client, store: ReturnType<typeof createStoreRouter>, id: string, out: string): Promise<{ id: string; running: boolean }> {
  let last: { id: string; status: string } | undefined;
  for (let n = 1; n <= MAX_RERUNS; n++) {
    const candidate = rerunId(id, n);
    let status: string | undefined;
    try {
      status = (await client.workflow.getHandle(candidate).describe()).status.name;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      if (await store.head(joinUri(out, backfillKey(candidate, 'result.json')))) status = 'COMPLETED';
    }
    if (status === undefined) return last?.status === 'RUNNING' ? { id: last.id, running: true } : { id: candidate, running: false };
    last = { id: candidate, status };
  }
  throw new Error(`${rerunBase(id)} has ${MAX_RERUNS} reruns already; start a new backfill with --id`);
}

/**
 * The filter flags (--collections, --bbox, --datetime, --filter, --limit, --asset) as SceneFilters.
 * @throws FilterError for a value that does not parse, UsageError for an empty --asset.
 */
export function parseFilters(values: Pick<Values, 'collections' | 'bbox' | 'datetime' | 'filter' | 'limit' | 'asset'>): SceneFilters {
  const filters: SceneFilters = {};
  if (values.collections !== undefined) filters.collections = parseCollections(values.collections);
  if (values.bbox !== undefined) filters.bbox = parseBbox(values.bbox);
  if (values.datetime !== undefined) filters.datetime = parseDatetime(values.datetime);
  if (values.filter !== undefined) filters.filter = parseCql2Json(values.filter);
  if (values.limit !== undefined) filters.limit = parseLimit(values.limit);
  if (values.asset !== undefined) {
    if (values.asset.trim() === '') throw new UsageError('--asset needs an asset key');
    filters.asset = values.asset;
  }
  return filters;
}

function parseMaxParallel(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parsePositiveInt('--max-parallel', value, DEFAULT_MAX_PARALLEL);
  if (n > MAX_PARALLEL_LIMIT) throw new UsageError(`--max-parallel: ${n} is more than ${MAX_PARALLEL_LIMIT}`);
  return n;
}

/**
 * SOURCE as workers will read it: http(s) URLs as given; paths and file:// URIs absolute (a worker's working
 * directory is not this one); for a glob, only the literal prefix is canonicalised, so `?` and `*` stay globs.
 */
export function canonicalSource(source: string): string {
  try {
    if (isHttpUri(source)) return source;
    if (isGlob(source)) {
      const { prefixUri, pattern } = splitGlob(source);
      return `${prefixUri}${pattern}`;
    }
    return normalizeUri(source);
  } catch (err) {
    if (err instanceof InvalidUriError) throw new UsageError(`SOURCE: ${err.message}`);
    throw err;
  }
}

/** Fails before anything starts when the output bucket does not exist or the credentials are refused. */
export async function checkOutput(config: Config, out: string): Promise<void> {
  const store = createStoreRouter(config);
  for await (const _ of store.list(out)) break;
}

function backfillDetails(id: string, input: BackfillInput): string {
  const lines = [`**Backfill** \`${id}\``, '', `- source: ${input.source}`];
  if (input.scenes) lines.push(`- scenes: ${input.scenes.length} given (a rerun of failed scenes)`);
  const filters = Object.entries(input.filters ?? {});
  if (filters.length > 0) lines.push(`- filters: ${filters.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}`);
  lines.push(`- products: ${input.products.join(', ')}`);
  if (input.params) lines.push(`- params: ${Object.entries(input.params).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (input.wavelengthsNm) lines.push(`- wavelengths: ${input.wavelengthsNm.join(', ')} nm`);
  lines.push(`- out: ${input.out}`, `- max parallel: ${input.maxParallel ?? DEFAULT_MAX_PARALLEL}`);
  lines.push('', `Scene runs: \`TesseraBackfill="${id}"\``);
  return lines.join('\n').slice(0, 20_000);
}
