import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { createStoreRouter } from '../../platform/storage/open-store';
import { normalizeUri } from '../../platform/storage/uri';
import { ObjectNotFoundError } from '../../platform/storage/errors';
import { deriveSceneId, paramsHash, sanitizeSceneId, sceneWorkflowId } from '../../workflows/run-ids';
import type { processScene } from '../../workflows/process-scene';
import { DEFAULT_PRODUCTS, type ProcessSceneInput, type SceneResult } from '../../workflows/types';
import { RasterError } from '../../raster/errors';
import { parseProductEntry } from '../../raster/jobs/products/request';
import { bindProducts, type RunProducts } from '../../raster/jobs/products/resolve';
import { productParams } from '../../workflows/products';
import { planReprojectGrid } from '../../raster/jobs/products/map-request';
import { MAP_HELP, MAP_OPTIONS, parse, parseMapFlags, parseProductFlags, parsePositiveInt, parseWavelengths } from '../args';
import * as print from '../print';
import { connectClient, workflowUiUrl } from '../temporal-client';
import { UsageError } from '../usage-error';
import { rootMessage } from './status';

export const RUN_HELP = `Usage: tessera run INPUT... [options]

Runs the bloom pipeline on one or more scenes. Each INPUT is a GeoTIFF (path, file:// or s3:// URI) or a STAC
item JSON; every scene is its own workflow, so a bad scene fails alone while the others complete.

Options:
  --products LIST      comma-separated, case-insensitive: ndwi,water,ndci,ndvi,rgb (default ${DEFAULT_PRODUCTS.join(',')})
  --out URI            output root (default $TESSERA_OUT or file://<cwd>/.out)
  --wavelengths NM,..  band centre wavelengths in nm, when the file has none
  --param P.NAME=V     product parameter, repeatable: water.threshold (NDWI, default 0.3), ndci.threshold
                       (bloom NDCI, default 0.3); non-default values are written as their own variant (ndci@<hash>)
                       --products also takes any index of the spectral-index catalog the bands can compute
                       (NDTI, FAI, SAVI, ...) and MCI, FLH, CI_cyano: see tessera indices list --input INPUT
  --index NAME=EXPR    a custom product, repeatable: a formula of band keys (N, RE1), wavelengths (R709),
                       constants and products (bloom=NDCI > 0.3 is a mask: 1/0, 255 nodata)
  --index-file FILE    custom products from a JSON file: [{"name", "formula", "where"?, "calibration"?, ...}]
  --where MASK         compute the --index and --calibrate products only where MASK (water, a custom mask) is 1
  --calibrate NAME=SRC:poly:C0,C1,...[:UNITS]   a quantity from a product: C0 + C1*x + C2*x^2 ... of SRC;
                       NAME=SRC:mishra2012 is chlorophyll-a from NDCI (mg m-3, Mishra & Mishra 2012)
  --const K=V          a formula constant for every product that has it, repeatable (L=0.5 for SAVI)
${MAP_HELP}
  --scene-id ID        scene id (default: the input file name; one INPUT only)
  --concurrency N      tile activities in flight per scene (default 16)
  --wait               wait for the runs to finish and print their outputs
  --json               print JSON: one object for one scene, {"runs": [...]} for several
  --local              run in this process, without a Temporal server
  --threads N          worker threads for --local (default $TESSERA_THREADS or the CPU count)
  -v, --verbose        stack traces on errors
  -h, --help           this help

Exit code 0 when every scene completed (or started, without --wait), 1 when any failed.`;

/** What `run` reports per scene. */
interface SceneRun {
  input: ProcessSceneInput;
  workflowId?: string;
  runId?: string;
  uiUrl?: string;
  result?: SceneResult;
  error?: string;
}

export async function runCommand(argv: string[], config: Config, logger: Logger): Promise<number> {
  const { values, positionals } = parse(argv, {
    products: { type: 'string' },
    out: { type: 'string' },
    wavelengths: { type: 'string' },
    param: { type: 'string', multiple: true },
    index: { type: 'string', multiple: true },
    'index-file': { type: 'string' },
    where: { type: 'string' },
    calibrate: { type: 'string', multiple: true },
    const: { type: 'string', multiple: true },
    'scene-id': { type: 'string' },
    concurrency: { type: 'string' },
    wait: { type: 'boolean' },
    json: { type: 'boolean' },
    local: { type: 'boolean' },
    threads: { type: 'string' },
    ...MAP_OPTIONS,
  });
  if (values.help) {
    print.out(RUN_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('expected at least one INPUT (see tessera run --help)');
  if (values['scene-id'] && positionals.length > 1) throw new UsageError('--scene-id needs exactly one INPUT');
  const { products, params, run: asked } = parseProductFlags(values, DEFAULT_PRODUCTS);
  const maps = parseMapFlags(values, asked, params);
  const wavelengthsNm = values.wavelengths ? parseWavelengths(values.wavelengths) : undefined;
  const tileConcurrency = parsePositiveInt('--concurrency', values.concurrency, 16);
  const out = normalizeUri(values.out ?? config.output.defaultUri);
  const runs: SceneRun[] = positionals.map((p) => {
    const input: ProcessSceneInput = { input: normalizeUri(p), out, products, wavelengthsNm, tileConcurrency, ...(params ? { params } : {}), ...maps };
    input.sceneId = sanitizeSceneId(values['scene-id'] ?? deriveSceneId(input.input));
    input.paramsHash = paramsHash(input);
    return { input };
  });
  await checkLocations(config, runs.map((r) => r.input));
  await checkSensor(config, runs[0].input, asked);

  if (values.local) {
    const { runLocal } = await import('../../workers/local');
    const threads = parsePositiveInt('--threads', values.threads, config.worker.threads);
    for (const run of runs) {
      try {
        run.result = await runLocal(config, run.input, { logger, threads });
      } catch (err) {
        if (runs.length === 1) throw err;
        run.error = rootMessage(err);
      }
    }
    return report(runs, values.json === true);
  }

  const { client, close } = await connectClient(config);
  try {
    for (const run of runs) await start(client, config, run);
    if (!values.wait) {
      if (values.json) {
        const started = runs.map((r) => ({ workflowId: r.workflowId, runId: r.runId, status: 'started', sceneId: r.input.sceneId, uiUrl: r.uiUrl }));
        print.json(started.length === 1 ? started[0] : { runs: started });
      } else {
        for (const r of runs) {
          print.out(`started ${r.workflowId} (run ${r.runId})`);
          print.out(`  watch:  tessera watch ${r.workflowId}`);
          print.out(`  ui:     ${r.uiUrl}`);
        }
      }
      return 0;
    }
    await Promise.all(
      runs.map(async (run) => {
        try {
          run.result = (await client.workflow.getHandle(run.workflowId!).result()) as SceneResult;
        } catch (err) {
          if (runs.length === 1) throw err;
          run.error = rootMessage(err);
        }
      }),
    );
    return report(runs, values.json === true);
  } finally {
    await close();
  }
}

/**
 * Starts a scene's workflow. Same scene + parameters = same id: a run in progress is joined, a completed one is
 * not redone (its result is read back), and only a failed or cancelled one is started again.
 */
async function start(client: Client, config: Config, run: SceneRun): Promise<void> {
  const input = run.input;
  const workflowId = sceneWorkflowId(input.sceneId!, input.paramsHash!);
  try {
    const handle = await client.workflow.start<typeof processScene>('processScene', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      staticSummary: `${input.sceneId}: ${input.products.map(productLabel).join(', ')}`.slice(0, 200),
    });
    run.runId = handle.firstExecutionRunId;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    run.runId = (await client.workflow.getHandle(workflowId).describe()).runId;
  }
  run.workflowId = workflowId;
  run.uiUrl = workflowUiUrl(config, workflowId);
}

function report(runs: SceneRun[], json: boolean): number {
  const failed = runs.filter((r) => r.error !== undefined);
  if (json) {
    const objects = runs.map((r) =>
      r.result
        ? print.sceneResultJson(r.result, r)
        : { runId: r.runId ?? null, workflowId: r.workflowId ?? null, status: 'failed', sceneId: r.input.sceneId, error: r.error, uiUrl: r.uiUrl ?? null },
    );
    print.json(objects.length === 1 ? objects[0] : { runs: objects });
  } else {
    for (const r of runs) {
      if (r.result) print.printSceneResult(r.result, r);
      else print.out(`scene ${r.input.sceneId}: failed — ${r.error}${r.uiUrl ? `\n  temporal ui    ${r.uiUrl}` : ''}`);
    }
  }
  for (const r of failed) print.err(`tessera run: scene ${r.input.sceneId} failed: ${r.error}`);
  return failed.length > 0 ? 1 : 0;
}

/** A product entry as people read it: the name, and a custom product's formula. */
function productLabel(entry: string): string {
  const e = parseProductEntry(entry);
  return 'name' in e ? e.name : `${e.request.name}=${e.request.formula}`;
}

/**
 * Binds the products to the first scene's bands, as its plan will, so that a band the sensor lacks, a wavelength
 * outside it or a division its wavelengths make constant is reported (exit 2) before anything starts; the same
 * for a reprojected copy over the size limits. An input
 * that cannot be read here is left to the run, which reports it for its scene.
 */
async function checkSensor(config: Config, input: ProcessSceneInput, run: RunProducts): Promise<void> {
  const { inputHeader } = await import('./indices');
  let header;
  try {
    header = await inputHeader(config, input.input, input.wavelengthsNm);
  } catch {
    return;
  }
  try {
    if (header.sensor.bands.length > 0) {
      bindProducts(run, header.sensor, Object.fromEntries(Object.keys(run.definitions).map((p) => [p, productParams(p, input.params, run.definitions)])));
    }
    // A copy too large for the first scene is refused here; every scene's plan checks its own.
    if (input.reproject) planReprojectGrid(header.tiffUri, header.grid, input.reproject.epsg);
  } catch (err) {
    if (err instanceof RasterError) throw new UsageError(err.message);
    throw err;
  }
}

/** Fails before starting anything when an input is missing or the output bucket does not exist. */
async function checkLocations(config: Config, inputs: ProcessSceneInput[]): Promise<void> {
  const store = createStoreRouter(config);
  for (const input of inputs) if (!(await store.head(input.input))) throw new ObjectNotFoundError(input.input);
  // Listing one key surfaces a missing bucket (BucketNotFoundError) or bad credentials right away.
  for await (const _ of store.list(inputs[0].out)) break;
}
