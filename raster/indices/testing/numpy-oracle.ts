/**
 * Test-only bridge to numpy, the reference every kernel is checked against.
 *
 * Arrays go to a temporary directory as raw little-endian files with their dtype in a manifest; the script
 * sees them as `A['name']`, its parameters as `P`, and puts results in `OUT['name'] = ndarray` (any dtype)
 * and `RES = <json-able value>`. One Python process per call, so batch what a test needs into one script.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedArray } from '../../types';

/** Debian's interpreter ships numpy; a `python3` earlier on PATH may not have it. */
const PYTHON = process.env['TESSERA_NUMPY_PYTHON'] ?? '/usr/bin/python3';

const DTYPES: Record<string, string> = {
  Float32Array: 'float32',
  Float64Array: 'float64',
  Uint8Array: 'uint8',
  Int8Array: 'int8',
  Uint16Array: 'uint16',
  Int16Array: 'int16',
  Uint32Array: 'uint32',
  Int32Array: 'int32',
};

const PRELUDE = `
import json, sys, textwrap
import numpy as np
D = sys.argv[1]
with open(D + '/in.json') as f:
    MAN = json.load(f)
A = {k: np.fromfile(D + '/' + k + '.bin', dtype=np.dtype(v).newbyteorder('<')) for k, v in MAN['arrays'].items()}
P = MAN['params']
OUT = {}
RES = None
with open(D + '/script.py') as f:
    exec(compile(textwrap.dedent(f.read()), 'oracle-script', 'exec'))
outman = {}
for k, v in OUT.items():
    v = np.ascontiguousarray(v)
    v.astype(v.dtype.newbyteorder('<')).tofile(D + '/out_' + k + '.bin')
    outman[k] = v.dtype.name
with open(D + '/out.json', 'w') as f:
    json.dump({'arrays': outman, 'result': RES}, f)
`;

function fromBytes(dtype: string, bytes: Buffer): TypedArray {
  const copy = new Uint8Array(bytes).buffer; // fresh, aligned buffer
  switch (dtype) {
    case 'float32':
      return new Float32Array(copy);
    case 'float64':
      return new Float64Array(copy);
    case 'uint8':
    case 'bool':
      return new Uint8Array(copy);
    case 'int8':
      return new Int8Array(copy);
    case 'uint16':
      return new Uint16Array(copy);
    case 'int16':
      return new Int16Array(copy);
    case 'uint32':
      return new Uint32Array(copy);
    case 'int32':
      return new Int32Array(copy);
    default:
      throw new Error(`numpy oracle: unsupported output dtype ${dtype}`);
  }
}

export interface OracleResult {
  arrays: Record<string, TypedArray>;
  result: unknown;
}

/** Runs `script` under numpy with `inputs` and `params`; see the module doc for the conventions. */
export function runNumpy(script: string, inputs: Record<string, TypedArray>, params: unknown = {}): OracleResult {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-oracle-'));
  try {
    const manifest: Record<string, string> = {};
    for (const [name, arr] of Object.entries(inputs)) {
      const dtype = DTYPES[arr.constructor.name];
      if (!dtype) throw new Error(`numpy oracle: unsupported input ${arr.constructor.name}`);
      manifest[name] = dtype;
      writeFileSync(join(dir, `${name}.bin`), new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    }
    writeFileSync(join(dir, 'in.json'), JSON.stringify({ arrays: manifest, params }));
    writeFileSync(join(dir, 'script.py'), script);
    writeFileSync(join(dir, 'prelude.py'), PRELUDE);
    execFileSync(PYTHON, [join(dir, 'prelude.py'), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { arrays: Record<string, string>; result: unknown };
    const arrays: Record<string, TypedArray> = {};
    for (const [name, dtype] of Object.entries(out.arrays)) {
      arrays[name] = fromBytes(dtype, readFileSync(join(dir, `out_${name}.bin`)));
    }
    return { arrays, result: out.result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
