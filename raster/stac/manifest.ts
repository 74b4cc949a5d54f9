/**
 * The run manifest of a scene: what went in (inputs, parameters, code version), what came out (every output's
 * URI, role, size and SHA-256), and when. It is written last, so its presence marks a complete scene, and its
 * bytes are stable for equal input: key order is fixed, lists are sorted by URI and parameters by key.
 */
import { StacInputError } from './errors';

// Hashing lives in its own module; re-exported here because callers hash outputs to fill this manifest.
export { sha256Hex, Sha256Stream } from './sha256';

/** Bumped when a field is renamed, removed or changes meaning. */
export const MANIFEST_VERSION = 1;

export interface ManifestInputFile {
  uri: string;
  sizeBytes: number;
  /** Lower-case hex; absent when the input was read by ranges and never hashed whole. */
  sha256?: string;
}

export interface ManifestOutputFile {
  uri: string;
  sizeBytes: number;
  /** Lower-case hex SHA-256 of the stored bytes. */
  sha256: string;
  /** What the file is, e.g. `cog`, `table`, `preview`, `stac`. */
  role: string;
  /**
   * A reprojected copy's grid, or a polygon file's mask, format and count: recorded so that a re-run which skips
   * the partition republishes the file with its metadata. JSON only.
   */
  proj?: { epsg: number; shape: [number, number]; transform: number[] };
  vector?: { name: string; format: string; polygons: number };
}

export interface ManifestInput {
  sceneId: string;
  /** Temporal run and workflow ids of the processing run, when it ran under Temporal. */
  runId?: string;
  workflowId?: string;
  inputs: ManifestInputFile[];
  /** Processing parameters: JSON values only (objects, arrays, strings, finite numbers, booleans, null). */
  parameters: Record<string, unknown>;
  /** Version of the code that produced the outputs (e.g. a git describe string). */
  codeVersion: string;
  outputs: ManifestOutputFile[];
  /** Per partition (product variant): its content key and summary, the durable record re-runs compare against. JSON only. */
  partitions?: Record<string, unknown>;
  /** RFC 3339 date-time of the manifest. */
  createdAt: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Builds the manifest object (JSON-ready). Keys appear in a fixed order; inputs and outputs are sorted by URI;
 * parameter objects are sorted by key at every depth; optional ids are omitted when absent.
 * @throws StacInputError for an empty sceneId/codeVersion, a createdAt that is not RFC 3339, a size that is not
 *   a non-negative integer, a sha256 that is not 64 lower-case hex digits, a URI listed twice, or a parameter
 *   value JSON cannot represent (NaN, Infinity, bigint, function, class instance).
 */
export function buildManifest(input: ManifestInput): object {
  const id = input.sceneId;
  if (id.length === 0) throw new StacInputError('manifest', 'sceneId is empty');
  if (input.codeVersion.length === 0) throw new StacInputError(id, 'codeVersion is empty');
  if (!RFC3339.test(input.createdAt) || Number.isNaN(Date.parse(input.createdAt))) {
    throw new StacInputError(id, `createdAt ${JSON.stringify(input.createdAt)} is not an RFC 3339 date-time with a time zone`);
  }
  const inputs = sortedByUri(id, 'input', input.inputs).map((f) => {
    checkFile(id, 'input', f.uri, f.sizeBytes, f.sha256);
    return f.sha256 === undefined ? { uri: f.uri, sizeBytes: f.sizeBytes } : { uri: f.uri, sizeBytes: f.sizeBytes, sha256: f.sha256 };
  });
  const outputs = sortedByUri(id, 'output', input.outputs).map((f) => {
    checkFile(id, 'output', f.uri, f.sizeBytes, f.sha256);
    if (f.role.length === 0) throw new StacInputError(id, `output ${f.uri} has an empty role`);
    const entry: Record<string, unknown> = { uri: f.uri, role: f.role, sizeBytes: f.sizeBytes, sha256: f.sha256 };
    if (f.proj !== undefined) entry.proj = canonicalJson(id, `output ${f.uri} proj`, f.proj);
    if (f.vector !== undefined) entry.vector = canonicalJson(id, `output ${f.uri} vector`, f.vector);
    return entry;
  });
  const manifest: Record<string, unknown> = { manifestVersion: MANIFEST_VERSION, sceneId: id };
  if (input.workflowId !== undefined) manifest.workflowId = input.workflowId;
  if (input.runId !== undefined) manifest.runId = input.runId;
  manifest.createdAt = input.createdAt;
  manifest.codeVersion = input.codeVersion;
  manifest.parameters = canonicalJson(id, 'parameters', input.parameters);
  manifest.inputs = inputs;
  manifest.outputs = outputs;
  if (input.partitions !== undefined) manifest.partitions = canonicalJson(id, 'partitions', input.partitions);
  manifest.totals = {
    outputCount: outputs.length,
    outputBytes: input.outputs.reduce((sum, o) => sum + o.sizeBytes, 0),
  };
  return manifest;
}

function sortedByUri<T extends { uri: string }>(id: string, what: string, files: readonly T[]): T[] {
  // Code-unit order, not localeCompare: the order must not depend on the host's locale.
  const sorted = [...files].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].uri === sorted[i - 1].uri) throw new StacInputError(id, `${what} ${sorted[i].uri} is listed twice`);
  }
  return sorted;
}

function checkFile(id: string, what: string, uri: string, sizeBytes: number, sha256: string | undefined): void {
  if (uri.length === 0) throw new StacInputError(id, `an ${what} uri is empty`);
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) throw new StacInputError(id, `${what} ${uri} sizeBytes ${sizeBytes} is not an integer >= 0`);
  if (sha256 !== undefined && !SHA256_HEX.test(sha256)) throw new StacInputError(id, `${what} ${uri} sha256 ${JSON.stringify(sha256)} is not 64 lower-case hex digits`);
}

/** A copy of a JSON value with object keys sorted at every depth; undefined object members are dropped, as JSON.stringify does. */
function canonicalJson(id: string, path: string, v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new StacInputError(id, `${path} = ${v} is not a finite number`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => canonicalJson(id, `${path}[${i}]`, x === undefined ? null : x));
  if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[key];
      if (x !== undefined) out[key] = canonicalJson(id, `${path}.${key}`, x);
    }
    return out;
  }
  throw new StacInputError(id, `${path} is a ${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}, not a JSON value`);
}
