/**
 * STAC validation with `rustac validate` (installed into .tools/bin by infra/install-tools.sh).
 *
 * rustac carries the STAC core JSON schemas (1.0.0, 1.1.0) inside the binary, GeoJSON geometry rules included,
 * but fetches every schema in `stac_extensions` from its URL (stac-extensions.github.io) at run time. Without a
 * route there it fails with only "ERROR: one or more validation errors" and no detail, whatever the document.
 * This machine reaches no schema host (and tests must not try), so the helper always validates a copy without
 * `stac_extensions`: the core schemas only, with every declared extension listed in `uncheckedExtensions`.
 * Extension fields are checked by our own rules (raster/stac/output-item.test.ts).
 *
 * rustac validates its own typed model of the document, serialised again: a field of the wrong JSON type fails
 * to load ("data did not match any variant of untagged enum Value", no location), and a missing field that the
 * model has a default for is filled in before the schema sees it (a Collection without `extent`, an Item without
 * `links` pass). Tests that care whether a key is present check it themselves.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** rustac's launcher, relative to the repository root (this file runs from dist/test/support). */
export const RUSTAC = join(__dirname, '..', '..', '..', '.tools', 'bin', 'rustac');
/** rustac validates in well under a second; this only bounds a hung schema fetch. */
const RUN_TIMEOUT_MS = 60_000;

export interface RustacValidation {
  /** rustac exited 0 on the document (or, with `uncheckedExtensions`, on its copy without those extensions). */
  ok: boolean;
  /** What rustac printed, stdout then stderr, after a note naming the extensions left unchecked. */
  output: string;
  /** Extension schema URLs the document declares; rustac did not check them (see the module comment). */
  uncheckedExtensions: string[];
}

/** `stac_extensions` of the document and of the Items of an ItemCollection. */
function declaredExtensions(doc: Record<string, unknown>): string[] {
  const docs = [doc, ...(Array.isArray(doc.features) ? (doc.features as Array<Record<string, unknown>>) : [])];
  const urls = new Set<string>();
  for (const d of docs) if (Array.isArray(d.stac_extensions)) for (const u of d.stac_extensions) if (typeof u === 'string') urls.add(u);
  return [...urls];
}

/** The document with the given extension URLs taken out of every `stac_extensions`. */
function withoutExtensions(doc: Record<string, unknown>, urls: readonly string[]): Record<string, unknown> {
  const strip = (d: Record<string, unknown>): Record<string, unknown> =>
    Array.isArray(d.stac_extensions) ? { ...d, stac_extensions: d.stac_extensions.filter((u) => !urls.includes(u as string)) } : d;
  const out = strip(doc);
  if (Array.isArray(doc.features)) out.features = (doc.features as Array<Record<string, unknown>>).map(strip);
  return out;
}

function run(file: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(RUSTAC, ['validate', file], { timeout: RUN_TIMEOUT_MS }, (err, stdout, stderr) => {
      resolve({ ok: err === null, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * Validates a STAC document (a path to a JSON file, or the parsed document) with `rustac validate`.
 * @throws Error when rustac is not installed (run infra/install-tools.sh) or the file is not JSON.
 */
export async function rustacValidate(pathOrJson: string | object): Promise<RustacValidation> {
  try {
    await readFile(RUSTAC);
  } catch {
    throw new Error(`rustac is not installed at ${RUSTAC}: run infra/install-tools.sh`);
  }
  const doc = (typeof pathOrJson === 'string' ? JSON.parse(await readFile(pathOrJson, 'utf8')) : pathOrJson) as Record<string, unknown>;
  const extensions = declaredExtensions(doc);
  const unchecked = extensions;

  const dir = await mkdtemp(join(tmpdir(), 'rustac-'));
  try {
    const file = join(dir, 'document.json');
    await writeFile(file, JSON.stringify(withoutExtensions(doc, unchecked)));
    const result = await run(file);
    const note = unchecked.length > 0 ? `extension schemas not checked (offline: core schemas only): ${unchecked.join(', ')}\n` : '';
    return { ok: result.ok, output: `${note}${result.output}`, uncheckedExtensions: unchecked };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
