/**
 * Bad command lines and unreachable services: `tessera run` exits non-zero with exactly one line on stderr that
 * names the problem and no stack trace; with --verbose the stack follows. MinIO and Temporal come from a private
 * stack, so the "missing bucket" and "missing credentials" cases meet a real S3 endpoint.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tessera } from '../support/cli';
import { isolatedEnv, startPrivateStack, type PrivateStack } from './private-stack';

interface Case {
  name: string;
  args: () => string[];
  env?: () => NodeJS.ProcessEnv;
  /** What the one line must say. */
  names: RegExp;
}

/** A line of a V8 stack trace: `    at fn (file.js:12:34)`. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

describe('tessera run: bad input and unreachable services', { timeout: 180_000 }, () => {
  let stack: PrivateStack | undefined;
  let dir = '';
  let existing = '';
  let fileOut = '';

  before(async () => {
    stack = await startPrivateStack();
    dir = await mkdtemp(join(tmpdir(), 'tessera-cli-errors-'));
    // Only its existence is checked before these errors; the bytes are never read.
    existing = join(dir, 'SCENE.tif');
    await writeFile(existing, 'not read');
    fileOut = `file://${dir}/out`;
  });

  after(async () => {
    await stack?.down();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const s = (): PrivateStack => {
    assert.ok(stack, 'private stack started');
    return stack;
  };
  const noCredentials = (): NodeJS.ProcessEnv =>
    isolatedEnv({
      TEMPORAL_ADDRESS: s().temporalAddress,
      AWS_ENDPOINT_URL_S3: s().env.AWS_ENDPOINT_URL_S3,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    });

  const cases: Case[] = [
    {
      name: 'unknown product',
      args: () => ['run', existing, '--products', 'ndwi,chlorophyll', '--out', fileOut],
      names: /unknown product "chlorophyll"/,
    },
    {
      name: 'malformed URI (ftp://x)',
      args: () => ['run', 'ftp://x', '--out', fileOut],
      names: /ftp:\/\/x.*unsupported scheme/,
    },
    {
      name: 's3:// bucket that does not exist',
      args: () => ['run', 's3://tessera-no-such-bucket/in/SCENE.tif', '--out', fileOut],
      names: /bucket "tessera-no-such-bucket" does not exist/,
    },
    {
      name: 's3:// without credentials',
      args: () => ['run', `s3://${s().bucket}/in/SCENE.tif`, '--out', fileOut],
      env: noCredentials,
      names: /credentials/i,
    },
    {
      name: 'unreachable Temporal (127.0.0.1:1)',
      args: () => ['run', existing, '--out', fileOut],
      env: () => ({ ...s().env, TEMPORAL_ADDRESS: '127.0.0.1:1' }),
      names: /cannot reach Temporal at 127\.0\.0\.1:1/,
    },
    {
      name: 'bad --wavelengths (abc)',
      args: () => ['run', existing, '--wavelengths', 'abc', '--out', fileOut],
      names: /--wavelengths: "abc" is not a wavelength/,
    },
    {
      name: 'missing input file',
      args: () => ['run', join(dir, 'MISSING.tif'), '--out', fileOut],
      names: /MISSING\.tif: object not found/,
    },
  ];

  for (const c of cases) {
    test(`${c.name}: non-zero exit, one line on stderr naming it, no stack`, async () => {
      const r = await tessera(c.args(), c.env?.() ?? s().env, 30_000);
      assert.notEqual(r.code, 0, `exit code; stdout:\n${r.stdout}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `exactly one line on stderr, got ${lines.length}:\n${r.stderr}`);
      assert.match(lines[0], c.names);
      assert.match(lines[0], /^tessera run: /, 'the line says which command failed');
      assert.doesNotMatch(r.stderr, STACK_LINE, 'no stack trace without --verbose');
      assert.equal(r.stdout, '', 'nothing on stdout');
    });

    test(`${c.name}: --verbose adds the stack`, async () => {
      const r = await tessera([...c.args(), '--verbose'], c.env?.() ?? s().env, 30_000);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, c.names);
      assert.match(r.stderr, STACK_LINE, `a stack trace with --verbose:\n${r.stderr}`);
    });
  }
});
