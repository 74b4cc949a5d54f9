#!/usr/bin/env node
// Runs the compiled tests in ONE `node --test` process, so there is one closing summary.
//
//   node infra/run-tests.js unit|integration|all [node --test options...]
//
//   unit         dist/**/*.test.js outside dist/test/integration/
//   integration  dist/test/integration/**/*.test.js (needs the dev stack; the tests start it)
//   all          both
//
// Options after the suite go to `node --test` (e.g. --test-name-pattern=bloom). Exits with the test
// runner's code; fails when no test file matches, since a run of nothing must not pass as green.
'use strict';

const { spawn } = require('node:child_process');
const { existsSync, readdirSync } = require('node:fs');
const { join, relative, sep } = require('node:path');

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const INTEGRATION = join(DIST, 'test', 'integration') + sep;
const SUITES = ['unit', 'integration', 'all'];

function findTests(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') findTests(path, out);
    } else if (entry.isFile() && entry.name.endsWith('.test.js')) {
      out.push(path);
    }
  }
  return out;
}

function main(argv) {
  const [suite, ...extra] = argv;
  if (!SUITES.includes(suite)) {
    console.error(`usage: node infra/run-tests.js ${SUITES.join('|')} [node --test options...]`);
    return 2;
  }
  if (!existsSync(DIST)) {
    console.error('run-tests: no dist/ folder; build first (npm run build)');
    return 1;
  }
  const files = findTests(DIST)
    .filter((f) => suite === 'all' || (suite === 'integration') === f.startsWith(INTEGRATION))
    .sort();
  if (files.length === 0) {
    console.error(`run-tests: no ${suite === 'all' ? '' : `${suite} `}test files (*.test.js) under dist/; build first (npm run build)`);
    return 1;
  }
  const args = ['--test', '--test-reporter=spec', ...extra, ...files.map((f) => relative(ROOT, f))];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal === 'SIGINT' ? 2 : 15));
  });
  return undefined;
}

const code = main(process.argv.slice(2));
if (code !== undefined) process.exit(code);
