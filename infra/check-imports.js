#!/usr/bin/env node
// Checks the import rules between Tessera's folders (README "Architecture"; the code is split by where it may run):
//
//   raster/      imports nothing of ours outside raster/, and no Temporal or AWS SDK package: it is the format
//                and math library, usable without a cluster.
//   platform/    imports raster/ and its own files only: adapters to the outside world, below the activities.
//   activities/  never imports workers/ or cli/.
//   workflows/   imports at runtime only @temporalio/workflow, @temporalio/common and its own files: the
//                workflow sandbox cannot load Node built-ins (fs, crypto, ...), and any other module would put
//                its side effects into replay. `import type` (and `export type`) of anything else is fine: it is
//                erased at compile time.
//   workers/, cli/  nothing imports them, except the exceptions listed in EXCEPTIONS below (the CLI running
//                worker code in its own process) and test/ and bench/, which may import anything.
//
// Unit tests beside the code (`*.test.ts`) follow their folder's rules, with two differences: they may import the
// shared test support under test/, and a workflow test runs in Node rather than in the sandbox (it is not reachable
// from the workflow bundle's entry, workflows/index.ts), so the workflows rule does not apply to it.
//
// Every import form counts: `import`, `import type`, `export ... from`, `import x = require()`, `require()` and
// `import()` with a literal path. Type-only forms (`import type`, `export type`, an import whose every name is
// marked `type`, `typeof import('x')`) satisfy the workflows rule; every other rule counts them like any import,
// because a type import is still a dependency on that folder.
//
//   node infra/check-imports.js [--root DIR]
//
// Prints one line per violation, `file:line: <from> may not import <to> (rule)`, and exits 1 if there is any.
// Uses the TypeScript compiler API of the installed `typescript` package to read the files (no type checking).
'use strict';

const { builtinModules } = require('node:module');
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { dirname, join, relative, resolve, sep } = require('node:path');
const ts = require('typescript');

/** The folders checked, each a layer. */
const LAYERS = ['raster', 'platform', 'activities', 'workflows', 'workers', 'cli', 'test', 'bench'];

/** Packages a workflow may import at runtime. */
const WORKFLOW_PACKAGES = ['@temporalio/workflow', '@temporalio/common'];

/** Packages raster/ may not import, by prefix: it knows nothing of Temporal or S3. */
const RASTER_BANNED_PACKAGES = ['@temporalio/', '@aws-sdk/'];

/**
 * Deliberate imports that the rules would refuse. Each is allowed only as a lazy `import()`, so that loading the
 * command does not load the worker code (thread pool, activities, AWS SDK) unless the option is used. An exception
 * that no longer matches an import is reported too, so the list cannot outlive its reason.
 */
const EXCEPTIONS = [
  // `tessera worker` runs a worker in the CLI's own process.
  { from: 'cli/commands/worker.ts', to: 'workers/main.ts' },
  // `tessera run --local` runs the whole pipeline in-process, without a Temporal server.
  { from: 'cli/commands/run.ts', to: 'workers/local.ts' },
  // `tessera backfill --dry-run` lists the source and plans every scene in-process, without a Temporal server.
  { from: 'cli/commands/backfill.ts', to: 'workers/dry-run.ts' },
];

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]]));

/** `node:test` and friends exist only with the prefix; every `node:` specifier is a built-in. */
function isBuiltin(spec) {
  return spec.startsWith('node:') || BUILTINS.has(spec);
}

function parseArgs(argv) {
  let root = join(__dirname, '..');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root' && argv[i + 1]) root = argv[++i];
    else {
      console.error('usage: node infra/check-imports.js [--root DIR]');
      process.exit(2);
    }
  }
  return resolve(root);
}

function sourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const layer of LAYERS) if (existsSync(join(root, layer))) walk(join(root, layer));
  return out.sort();
}

/** Every module specifier of a file, with its line and whether the import is type-only or lazy. */
function importsOf(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const add = (node, spec, typeOnly, lazy = false) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    found.push({ spec, line, typeOnly, lazy });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      // `import { type A, type B } from` is erased like `import type`; `import {} from` and `import 'x'` are not.
      const allTyped = !!clause && !clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly);
      add(node, node.moduleSpecifier.text, !!clause?.isTypeOnly || allTyped);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      const allTyped = !!named && named.length > 0 && named.every((e) => e.isTypeOnly);
      add(node, node.moduleSpecifier.text, node.isTypeOnly || allTyped);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteral(expr)) add(node, expr.text, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      // typeof import('x'), import('x').T
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) add(node, arg.literal.text, true);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const dynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const req = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (dynamicImport || req) add(node, node.arguments[0].text, false, dynamicImport);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** A relative specifier as a root-relative path with `/` (the file it names, when one exists). */
function resolveRelative(root, file, spec) {
  const base = resolve(dirname(file), spec);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? base;
  return relative(root, hit).split(sep).join('/');
}

function layerOf(rel) {
  const first = rel.split('/')[0];
  return LAYERS.includes(first) ? first : rel.startsWith('..') ? '(outside the repository)' : `(root) ${rel}`;
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The rule an import breaks, or undefined. `to` is a root-relative path for our files, else the package. */
function broken(fromFile, fromLayer, imp, to, toLayer) {
  const ours = toLayer !== undefined;
  const unitTest = /\.test\.[cm]?tsx?$/.test(fromFile);
  if (fromLayer === 'test' || fromLayer === 'bench') return undefined;
  if (ours && toLayer === fromLayer) return undefined;
  if (ours && toLayer === 'test' && unitTest) return undefined;

  if (ours && (toLayer === 'cli' || toLayer === 'workers')) {
    const exception = EXCEPTIONS.find((e) => e.from === fromFile && e.to === to);
    if (exception && imp.lazy) return undefined;
    if (exception) return 'nothing imports cli or workers; this exception must stay a lazy import()';
    return 'nothing imports cli or workers (only test/ and bench/, and the listed CLI exceptions)';
  }
  switch (fromLayer) {
    case 'raster':
      if (ours) return 'raster imports nothing of ours outside raster';
      if (RASTER_BANNED_PACKAGES.some((p) => imp.spec.startsWith(p))) return 'raster imports no Temporal or AWS SDK package';
      return undefined;
    case 'platform':
      if (ours && toLayer !== 'raster') return 'platform may import raster only';
      return undefined;
    case 'activities':
      return undefined; // workers and cli are handled above
    case 'workflows':
      if (imp.typeOnly || unitTest) return undefined;
      if (!ours && isBuiltin(imp.spec)) return 'workflows import no Node built-ins: the sandbox cannot load them';
      if (!ours && WORKFLOW_PACKAGES.includes(packageName(imp.spec))) return undefined;
      return 'workflows import only @temporalio/workflow, @temporalio/common and their own files at runtime; use import type for the rest';
    default:
      return undefined;
  }
}

function check(root) {
  const violations = [];
  const used = new Set();
  for (const path of sourceFiles(root)) {
    const file = relative(root, path).split(sep).join('/');
    const fromLayer = layerOf(file);
    for (const imp of importsOf(path)) {
      const relativeSpec = imp.spec.startsWith('./') || imp.spec.startsWith('../') || imp.spec === '.' || imp.spec === '..';
      const to = relativeSpec ? resolveRelative(root, path, imp.spec) : imp.spec;
      const toLayer = relativeSpec ? layerOf(to) : undefined;
      const rule = broken(file, fromLayer, imp, to, toLayer);
      if (rule) violations.push(`${file}:${imp.line}: ${fromLayer} may not import ${to}${imp.typeOnly ? ' (type)' : ''} (${rule})`);
      const exception = EXCEPTIONS.find((e) => e.from === file && e.to === to);
      if (exception) used.add(exception);
    }
  }
  for (const e of EXCEPTIONS) {
    if (!used.has(e) && existsSync(join(root, e.from))) {
      violations.push(`${e.from}:1: ${layerOf(e.from)} may not import ${e.to} (stale exception: it no longer imports it; remove it from EXCEPTIONS in infra/check-imports.js)`);
    }
  }
  return violations;
}

if (require.main === module) {
  const violations = check(parseArgs(process.argv.slice(2)));
  for (const v of violations) console.log(v);
  if (violations.length > 0) {
    console.error(`check-imports: ${violations.length} violation${violations.length === 1 ? '' : 's'} of the import rules (see the top of infra/check-imports.js)`);
    process.exit(1);
  }
}

module.exports = { check };
