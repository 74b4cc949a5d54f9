import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ConfigError } from '../platform/config';
import { HttpStatusError, ObjectNotFoundError, StorageAccessError } from '../platform/storage/errors';
import { RasterError, TiffFormatError } from '../raster/errors';
import { InputError } from './errors';
import { isNonRetryable, toApplicationFailure, withFailureMapping } from './failures';

/** Asserts `err` became a non-retryable failure typed by its class, with message and cause kept. */
function assertNonRetryable(err: Error): void {
  const f = toApplicationFailure(err);
  assert.ok(f instanceof ApplicationFailure, `${err.name} becomes an ApplicationFailure`);
  assert.deepEqual([f.type, f.nonRetryable, f.message, f.cause], [err.name, true, err.message, err]);
}

/** Asserts `err` is rethrown as it is, which Temporal retries. */
function assertRetryable(err: Error): void {
  assert.equal(toApplicationFailure(err), err);
}

describe('toApplicationFailure', () => {
  it('raster: a RasterError is not retried; an I/O error from a byte source (a plain Error) is', () => {
    assertNonRetryable(new TiffFormatError('TRUNCATED', 's3://in/a.tif', 'ends at byte 100, IFD at 4096'));
    assertNonRetryable(new RasterError('INVALID_ARGUMENT', 'cog-writer', 'size must be positive integers, got 0x0'));
    assertRetryable(new Error('s3://in/a.tif: ECONNRESET'));
  });

  it('storage: StorageAccessError and a 4xx are not retried; a 5xx or 429 is', () => {
    assertNonRetryable(new StorageAccessError('s3://out/x', 'access denied (AccessDenied, HTTP 403)'));
    assertNonRetryable(new ObjectNotFoundError('s3://in/missing.tif'));
    assertNonRetryable(new HttpStatusError('https://data.example/a.tif', 400));
    assertNonRetryable(new HttpStatusError('https://data.example/a.tif', 501));
    assertRetryable(new HttpStatusError('https://data.example/a.tif', 503, { attempts: 4 }));
    assertRetryable(new HttpStatusError('https://data.example/a.tif', 429));
  });

  it('activities: InputError is not retried; anything the activity throws without a decision is', () => {
    assertNonRetryable(new InputError('s3://in/a.tif', 'no band wavelengths found'));
    assertRetryable(new TypeError("Cannot read properties of undefined (reading 'size')"));
  });

  it('config: ConfigError is not retried', () => {
    assertNonRetryable(new ConfigError([{ key: 'worker.threads', message: 'expected an integer' }]));
  });

  it('a plain Error is retried', () => {
    assertRetryable(new Error('socket hang up'));
    assert.equal(isNonRetryable(new Error('x')), false);
  });

  it('reads the property, not the class, so an error rebuilt from its fields keeps its decision', () => {
    const revived = Object.assign(new Error('a.tif: compression 5 block does not decode'), { name: 'TiffFormatError', retryable: false });
    assertNonRetryable(revived);
    assertRetryable(Object.assign(new Error('blip'), { retryable: true }));
  });

  it('passes an ApplicationFailure through as it is, and leaves non-errors alone', () => {
    const f = ApplicationFailure.retryable('later', 'Busy');
    assert.equal(toApplicationFailure(f), f);
    assert.equal(toApplicationFailure('text'), 'text');
    const notAnError = { message: 'x', retryable: false };
    assert.equal(toApplicationFailure(notAnError), notAnError);
  });

  it('withFailureMapping applies it at every activity edge', async () => {
    const acts = withFailureMapping({
      bad: async () => {
        throw new InputError('s3://in/a.tif', 'STAC item has no GeoTIFF data asset');
      },
      flaky: async () => {
        throw new Error('ETIMEDOUT');
      },
      ok: async () => 42,
    });
    await assert.rejects(acts.bad(), (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable && err.type === 'InputError');
    await assert.rejects(acts.flaky(), (err: unknown) => !(err instanceof ApplicationFailure) && (err as Error).message === 'ETIMEDOUT');
    assert.equal(await acts.ok(), 42);
  });
});

// Compiled tests run from dist/activities/; sources sit at the repository root, compiled modules under dist/.
const DIST = join(__dirname, '..');
const ROOT = join(DIST, '..');

/** `retryable` of a class: read from its prototype (a getter), else from an instance built without arguments. */
function decisionOf(cls: new (...args: never[]) => Error): unknown {
  const fromPrototype = (cls.prototype as { retryable?: unknown }).retryable;
  if (typeof fromPrototype === 'boolean') return fromPrototype;
  try {
    return (new (cls as unknown as new () => Error)() as { retryable?: unknown }).retryable;
  } catch {
    return undefined;
  }
}

/**
 * Exported Error subclasses of compiled modules (`dist/<path>.js`) without a decision, as `path: Name`, each class
 * once (under the first module that exports it; re-exports from an index.ts are the same class).
 */
function undecided(modules: string[]): string[] {
  const seen = new Set<unknown>();
  const out: string[] = [];
  for (const path of modules) {
    const mod = require(join(DIST, `${path}.js`)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error) || seen.has(value)) continue;
      seen.add(value);
      if (typeof decisionOf(value as new () => Error) !== 'boolean') out.push(`${path}: ${name}`);
    }
  }
  return out;
}

function sourceModules(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceModules(path, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(path.slice(0, -3));
  }
  return out;
}

describe('every error class decides its retryability', () => {
  it('the error modules of raster, storage, activities and config', () => {
    const modules = ['raster/errors', 'platform/storage/errors', 'activities/errors', 'platform/config'];
    assert.deepEqual(undecided(modules), []);
  });

  it('every exported error class under raster/, platform/, activities/ and workflows/', () => {
    // compression/assembly/ is AssemblyScript, compiled to WebAssembly rather than by tsc.
    const modules = ['raster', 'platform', 'activities', 'workflows']
      .flatMap((dir) => sourceModules(dir))
      .filter((m) => !m.startsWith(join('raster', 'compression', 'assembly')));
    assert.ok(modules.length > 100, `found ${modules.length} modules`);
    assert.deepEqual(undecided(modules), []);
  });
});
