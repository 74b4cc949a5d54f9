import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { createStoreRouter } from '../../platform/storage/open-store';
import { normalizeUri } from '../../platform/storage/uri';
import { ObjectNotFoundError } from '../../platform/storage/errors';
import { deriveSceneId, paramsHash, sanitizeSceneId, sceneWorkflowId } from '../../workflows/run-ids';
import type { processScene } from '../../workflows/process-scene';
import { DEFAULT_PRODUCTS, type ProcessSceneInput, type SceneResult } from '../../workflows/types';
import { parse, parseProducts, parsePositiveInt, parseWavelengths } from '../args';
import * as print from '../print';
import { connectClient, workflowUiUrl } from '../temporal-client';

export const RUN_HELP = `Usage: tessera run INPUT [options]

Runs the bloom pipeline on one scene. INPUT is a GeoTIFF (path, file:// or s3:// URI) or a STAC item JSON.

Options:
  --products LIST      comma-separated, case-insensitive: ndwi,water,ndci,ndvi,rgb (default ${DEFAULT_PRODUCTS.join(',')})
  --out URI            output root (default $TESSERA_OUT or file://<cwd>/.out)
  --wavelengths NM,..  band centre wavelengths in nm, when the file has none
  --scene-id ID        scene id (default: the input file name)
  --concurrency N      tile activities in flight (default 16)
  --wait               wait for the run to finish and print its outputs
  --json               print one JSON object (with --wait or --local)
  --local              run in this process, without a Temporal server
  --threads N          worker threads for --local (default $TESSERA_THREADS or the CPU count)
  -v, --verbose        stack traces on errors
  -h, --help           this help`;

export async function runCommand(argv: string[], config: Config, logger: Logger): Promise<number> {
  const { values, positionals } = parse(argv, {
    products: { type: 'string' },
    out: { type: 'string' },
    wavelengths: { type: 'string' },
    'scene-id': { type: 'string' },
    concurrency: { type: 'string' },
    wait: { type: 'boolean' },
    json: { type: 'boolean' },
    local: { type: 'boolean' },
    threads: { type: 'string' },
  });
  if (values.help) {
    print.out(RUN_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    print.err('tessera run: expected exactly one INPUT (see tessera run --help)');
    return 2;
  }
  const products = values.products ? parseProducts(values.products) : [...DEFAULT_PRODUCTS];
  const input: ProcessSceneInput = {
    input: normalizeUri(positionals[0]),
    out: normalizeUri(values.out ?? config.output.defaultUri),
    products,
    wavelengthsNm: values.wavelengths ? parseWavelengths(values.wavelengths) : undefined,
    tileConcurrency: parsePositiveInt('--concurrency', values.concurrency, 16),
  };
  input.sceneId = sanitizeSceneId(values['scene-id'] ?? deriveSceneId(input.input));
  input.paramsHash = paramsHash(input);
  await checkLocations(config, input);

  if (values.local) {
    const { runLocal } = await import('../../workers/local');
    const threads = parsePositiveInt('--threads', values.threads, config.worker.threads);
    const result = await runLocal(config, input, { logger, threads });
    if (values.json) print.json(print.sceneResultJson(result));
    else print.printSceneResult(result);
    return 0;
  }

  const workflowId = sceneWorkflowId(input.sceneId, input.paramsHash);
  const { client, close } = await connectClient(config);
  try {
    let runId: string;
    try {
      const handle = await client.workflow.start<typeof processScene>('processScene', {
        taskQueue: config.temporal.taskQueue,
        workflowId,
        args: [input],
        // Same scene + parameters = same id: a run in progress is joined, a completed one is not redone,
        // and only a failed or cancelled one is started again.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        staticSummary: `${input.sceneId}: ${products.join(', ')}`,
      });
      runId = handle.firstExecutionRunId;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Completed before with the same parameters: its outputs are already there.
      runId = (await client.workflow.getHandle(workflowId).describe()).runId;
    }
    const uiUrl = workflowUiUrl(config, workflowId);
    if (!values.wait) {
      if (values.json) print.json({ workflowId, runId, status: 'started', sceneId: input.sceneId, uiUrl });
      else {
        print.out(`started ${workflowId} (run ${runId})`);
        print.out(`  watch:  tessera watch ${workflowId}`);
        print.out(`  ui:     ${uiUrl}`);
      }
      return 0;
    }
    const result = (await client.workflow.getHandle(workflowId).result()) as SceneResult;
    if (values.json) print.json(print.sceneResultJson(result, { workflowId, runId, uiUrl }));
    else print.printSceneResult(result, { workflowId, runId, uiUrl });
    return 0;
  } finally {
    await close();
  }
}

/** Fails before starting anything when the input is missing or the output bucket does not exist. */
async function checkLocations(config: Config, input: ProcessSceneInput): Promise<void> {
  const store = createStoreRouter(config);
  if (!(await store.head(input.input))) throw new ObjectNotFoundError(input.input);
  // Listing one key surfaces a missing bucket (BucketNotFoundError) or bad credentials right away.
  for await (const _ of store.list(input.out)) break;
}
