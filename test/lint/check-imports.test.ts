import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';

// Compiled tests run from dist/test/lint/; the script and the sources sit at the repository root.
const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'infra', 'check-imports.js');

function run(root: string): { code: number | null; lines: string[]; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' });
  return { code: r.status, lines: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr };
}

/** Writes `files` (path → source) under a fresh temporary folder. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-imports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('infra/check-imports.js', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('reports each import that breaks a layer rule, with file, line and rule, and exits 1', () => {
    const dir = tree({
      'raster/a.ts': "import { s } from '../platform/store';\nexport const a = s;\n",
      'raster/a.test.ts': "import { h } from '../test/support/h';\nimport 'node:test';\nvoid h;\n",
      'raster/b.ts': "import { Connection } from '@temporalio/client';\nexport type C = Connection;\n",
      'platform/store.ts': "import type { Act } from '../activities/act';\nexport const s: Act | 1 = 1;\n",
      'activities/act.ts': "import type { Pool } from '../workers/pool';\nexport type Act = Pool;\n",
      'workflows/w.ts': [
        "import { proxyActivities } from '@temporalio/workflow';",
        "import type { Act } from '../activities/act';",
        "import { readFile } from 'node:fs/promises';",
        "import { type Act as A2 } from '../activities/act';",
        "export { s } from '../platform/store';",
        "export const w = [proxyActivities, readFile] as unknown as Act | A2;",
        '',
      ].join('\n'),
      'workflows/w.test.ts': "import { test } from 'node:test';\nimport { s } from '../platform/store';\nvoid [test, s];\n",
      'workers/pool.ts': 'export type Pool = number;\n',
      'workers/main.ts': 'export const main = 1;\n',
      'workers/local.ts': 'export const local = 1;\n',
      'cli/commands/worker.ts': "import { main } from '../../workers/main';\nexport const x = main;\n",
      'cli/commands/run.ts': "export async function run() {\n  return (await import('../../workers/local')).local;\n}\n",
      'cli/commands/status.ts': "export async function f() {\n  return import('../../workers/pool');\n}\n",
      'test/t.ts': "import { main } from '../workers/main';\nimport '../cli/commands/run';\nvoid main;\n",
    });
    dirs.push(dir);
    const r = run(dir);
    assert.deepEqual(r.lines, [
      "activities/act.ts:1: activities may not import workers/pool.ts (type) (nothing imports cli or workers (only test/ and bench/, and the listed CLI exceptions))",
      'cli/commands/status.ts:2: cli may not import workers/pool.ts (nothing imports cli or workers (only test/ and bench/, and the listed CLI exceptions))',
      'cli/commands/worker.ts:1: cli may not import workers/main.ts (nothing imports cli or workers; this exception must stay a lazy import())',
      'platform/store.ts:1: platform may not import activities/act.ts (type) (platform may import raster only)',
      'raster/a.ts:1: raster may not import platform/store.ts (raster imports nothing of ours outside raster)',
      'raster/b.ts:1: raster may not import @temporalio/client (raster imports no Temporal or AWS SDK package)',
      'workflows/w.ts:3: workflows may not import node:fs/promises (workflows import no Node built-ins: the sandbox cannot load them)',
      'workflows/w.ts:5: workflows may not import platform/store.ts (workflows import only @temporalio/workflow, @temporalio/common and their own files at runtime; use import type for the rest)',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /8 violations/);
  });

  it('exits 0 and prints nothing for a tree that keeps the rules', () => {
    const dir = tree({
      'raster/a.ts': "import { b } from './b';\nexport const a = b;\n",
      'raster/b.ts': 'export const b = 1;\n',
      'platform/p.ts': "import { a } from '../raster/a';\nexport const p = a;\n",
      'workflows/w.ts': "import { sleep } from '@temporalio/workflow';\nimport type { P } from '../platform/types';\nexport const w: P = sleep;\n",
      'platform/types.ts': 'export type P = unknown;\n',
    });
    dirs.push(dir);
    assert.deepEqual(run(dir), { code: 0, lines: [], stderr: '' });
  });

  it('reports an exception that no longer matches an import', () => {
    const dir = tree({ 'cli/commands/run.ts': 'export const run = 1;\n' });
    dirs.push(dir);
    const r = run(dir);
    assert.deepEqual(r.lines, [
      'cli/commands/run.ts:1: cli may not import workers/local.ts (stale exception: it no longer imports it; remove it from EXCEPTIONS in infra/check-imports.js)',
    ]);
    assert.equal(r.code, 1);
  });

  // Separate from the cases above: it reports the state of the code, not of the checker.
  it('finds no violation in this repository', () => {
    const r = run(ROOT);
    assert.equal(r.code, 0, `violations of the import rules:\n${r.lines.join('\n')}`);
  });
});
