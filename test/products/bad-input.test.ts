/**
 * Bad product requests through the real CLI: each exits 2 before anything starts, with exactly the message below
 * on stderr (one line; a formula's syntax error and a constant division add the formula and a caret under it).
 * Checks that need the scene's bands read its header (the first INPUT) in the CLI, as its plan would.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { generateScene } from '../../raster/synthetic/scene';
import { tessera } from '../support/cli';

describe('tessera run: bad product requests exit 2 with one message', { timeout: 120_000 }, () => {
  let dir = '';
  let scene = '';
  let out = '';
  // Anything that got past the checks would try this Temporal address and fail differently.
  const env = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', LOG_LEVEL: 'warn' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-bad-products-'));
    scene = (await generateScene({ outPath: join(dir, 'WYV31.tif'), sizePx: 64, bands: 31, seed: 2 })).cogPath;
    out = pathToFileURL(join(dir, 'out')).href;
    await writeFile(join(dir, 'indices.yaml'), '- name: x\n  formula: N\n');
    await writeFile(join(dir, 'bad.json'), JSON.stringify([{ name: 'x', formula: 'N', colour: 'red' }]));
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cases: Array<{ name: string; args: () => string[]; stderr: string | (() => string) }> = [
    {
      name: 'unknown index: the nearest names',
      args: () => ['--products', 'ndci,NDVJ'],
      stderr: 'tessera run: --products: unknown product "NDVJ" (not a built-in, a custom index of this run or a spectral index; did you mean ndvi?)',
    },
    {
      name: 'an index the sensor cannot compute: the missing band',
      args: () => ['--products', 'NDMI'],
      stderr: 'tessera run: NDMI: needs S1 (1550–1750 nm); nearest is band 31 (Band_880) at 880 nm (sensor WYV31.tif)',
    },
    {
      name: 'a formula syntax error: caret under the offending character',
      args: () => ['--index', 'bloom=NDCI >> 0.3'],
      stderr: ["tessera run: bloom: unexpected '>' at column 7 of \"NDCI >> 0.3\" (a mask compares two formulas once)", 'bloom = NDCI >> 0.3', "              ^ unexpected '>'"].join('\n'),
    },
    {
      name: 'an unclosed parenthesis',
      args: () => ['--index', 'x=(N - R / (N + R)'],
      stderr: ["tessera run: x: expected ')' at column 17 of \"(N - R / (N + R)\" (the '(' at column 1 is never closed)", 'x = (N - R / (N + R)', "                    ^ expected ')'"].join('\n'),
    },
    {
      name: 'a division the formula makes constant',
      args: () => ['--index', 'x=(N - R) / (R - R)'],
      stderr: ['tessera run: x: constant division: its denominator is identically zero (column 9 of "(N - R) / (R - R)")', 'x = (N - R) / (R - R)', '            ^ this division'].join('\n'),
    },
    {
      name: 'a wavelength outside the sensor',
      args: () => ['--index', 'swir=R1600 - R880'],
      stderr: 'tessera run: swir: no band within 12 nm of 1600 nm (nearest: band 31 (Band_880) at 880 nm)',
    },
    {
      name: 'a --where mask that is not a mask',
      args: () => ['--index', 'turbid=NDTI', '--where', 'ndvi'],
      stderr: "tessera run: turbid: --where ndvi: ndvi is not a mask (it holds float32 values); a mask is water or a comparison such as 'bloom=NDCI > 0.3'",
    },
    {
      name: 'a name clash with a built-in',
      args: () => ['--index', 'NDCI=(RE1 - R) / (RE1 + R)'],
      stderr: 'tessera run: NDCI: clashes with the built-in product ndci (product names are case-insensitive); choose another name',
    },
    {
      name: 'an identifier that is nothing known',
      args: () => ['--index', 'x=NDTX + 1'],
      stderr: "tessera run: x: unknown identifier 'NDTX' at column 1 of \"NDTX + 1\" (not a band key, wavelength name, constant or product; did you mean NDTI?)",
    },
    {
      name: 'a constant no product has',
      args: () => ['--products', 'SAVI', '--const', 'Q=1'],
      stderr: 'tessera run: --const Q: no product of this run has a constant Q (constants: L)',
    },
    {
      name: 'a calibration with one coefficient',
      args: () => ['--calibrate', 'chla=ndci:poly:14'],
      stderr: 'tessera run: --calibrate chla: "14" is not C0,C1[,C2...] (at least two finite numbers)',
    },
    {
      name: 'a calibrated mask',
      args: () => ['--calibrate', 'x=NDCI > 0.3:poly:0,1'],
      stderr: 'tessera run: x: a mask (a comparison) cannot be calibrated',
    },
    {
      name: 'a YAML index file',
      args: () => ['--index-file', join(dir, 'indices.yaml')],
      stderr: () => `tessera run: --index-file ${join(dir, 'indices.yaml')}: YAML is not supported; write the indices as JSON (an array of {"name", "formula", ...})`,
    },
    {
      name: 'an index file entry with an unknown field',
      args: () => ['--index-file', join(dir, 'bad.json')],
      stderr: () => `tessera run: --index-file ${join(dir, 'bad.json')}: index "x": unknown field "colour" (fields: name, formula, where, description, constants, calibration, preview, statistics, dtype, scale)`,
    },
    {
      name: 'a product referring to itself through another',
      args: () => ['--index', 'a=b + 1', '--index', 'b=a * 2'],
      stderr: 'tessera run: a: refers to itself (a → b → a)',
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const r = await tessera(['run', scene, '--out', out, ...c.args()], env);
      assert.equal(r.stderr.trimEnd(), typeof c.stderr === 'function' ? c.stderr() : c.stderr);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
    });
  }

  test('a wavelength between two bands: the documented error, for a wavelength index and a formula alike', async () => {
    // The 23-band list with 699 and 711 nm moved to 697 and 724: 709 nm is 12 nm from the nearest band, more than
    // the 10 nm allowed when the sensor gives no FWHM (--wavelengths).
    const wl = [503, 510, 519, 535, 549, 570, 584, 600, 614, 635, 649, 660, 669, 679, 690, 697, 724, 722, 734, 750, 764, 782, 799];
    const scene23 = (await generateScene({ outPath: join(dir, 'WYV23.tif'), sizePx: 64, bands: 23, seed: 3 })).cogPath;
    const mci = await tessera(['run', scene23, '--out', out, '--products', 'MCI', '--wavelengths', wl.join(',')], env);
    assert.equal(mci.stderr.trimEnd(), 'tessera run: MCI: needs R709: no band within 10 nm of 709 nm (nearest: band 16 at 697 nm) (sensor WYV23.tif)');
    assert.equal(mci.code, 2);
    const custom = await tessera(['run', scene23, '--out', out, '--index', 'peak=R709 - R681', '--wavelengths', wl.join(',')], env);
    assert.equal(custom.stderr.trimEnd(), 'tessera run: peak: no band within 10 nm of 709 nm (nearest: band 16 at 697 nm)');
    assert.equal(custom.code, 2);
  });

  test('tessera backfill refuses the same requests before starting anything', async () => {
    const r = await tessera(['backfill', pathToFileURL(dir).href + '/*.tif', '--out', out, '--index', 'x=(N - R'], env);
    assert.equal(r.stderr.trimEnd(), ["tessera backfill: x: expected ')' at column 7 of \"(N - R\" (the '(' at column 1 is never closed)", 'x = (N - R', "          ^ expected ')'"].join('\n'));
    assert.equal(r.code, 2);
  });
});
