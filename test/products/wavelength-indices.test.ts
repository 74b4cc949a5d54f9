/**
 * MCI, FLH and CI_cyano by name (`--products MCI,FLH,CI_cyano`) on generated 23- and 31-band scenes, against numpy
 * computing the published line heights with its own wavelength matching (the band nearest each wavelength, within
 * half its FWHM) and the matched band centres as the baseline's wavelengths; what `tessera indices list` says about
 * them; the same line height written as a custom formula gives the same pixels.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { generateScene } from '../../raster/synthetic/scene';
import { tessera } from '../support/cli';
import { assertMatches, assertValidCogs, numpyOracle, readJsonUri, runFlags } from './support';

/** The published definitions (wavelength-indices.json cites them), written out for numpy. */
const REFERENCE = {
  MCI: 'R709 - (R681 + (R753 - R681) * (W709 - W681) / (W753 - W681))',
  FLH: 'R681 - (R665 + (R709 - R665) * (W681 - W665) / (W709 - W665))',
  CI_cyano: '-(R681 - (R665 + (R709 - R665) * (W681 - W665) / (W709 - W665)))',
};

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-wavelength-'));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const bands of [23, 31] as const) {
  describe(`wavelength indices on a ${bands}-band scene`, { timeout: 300_000 }, () => {
    let scene: string;
    let result: Awaited<ReturnType<typeof runFlags>>;
    before(async () => {
      scene = (await generateScene({ outPath: join(dir, `WYV${bands}.tif`), sizePx: 600, bands, seed: 40 + bands })).cogPath;
      // The custom product is MCI as a formula of wavelength names: the same pixels as the built-in definition.
      result = await runFlags(scene, join(dir, `out${bands}`), { products: 'mci,FLH,ci_cyano', index: ['mci_formula=R709 - R681 - (R753 - R681) * (W709 - W681) / (W753 - W681)'] });
    });

    test('each equals numpy on the published line height, at the same nodata pixels', async () => {
      assert.deepEqual(Object.keys(result.cogs).sort(), ['CI_cyano', 'FLH', 'MCI', 'mci_formula']);
      const report = numpyOracle(
        scene,
        Object.entries(REFERENCE).map(([name, formula]) => ({ name, formula, cog: fileURLToPath(result.cogs[name]) })),
        { rel: 1e-5, abs: 1e-7 },
      );
      for (const r of report) assertMatches(r);
      const item = await readJsonUri(result.stac);
      for (const r of report) {
        const ours = item.properties['tessera:products'][r.name].bands as Record<string, { index: number }>;
        for (const [role, index] of Object.entries(r.bands)) assert.equal(ours[role]?.index, index, `${r.name} ${role}`);
        assert.match(item.properties['tessera:products'][r.name].reference, /doi:10\./, `${r.name} cites its definition`);
      }
    });

    test('the formula written with wavelength names gives the same pixels as MCI', async () => {
      const report = numpyOracle(scene, [{ name: 'mci_formula', formula: REFERENCE.MCI, cog: fileURLToPath(result.cogs.mci_formula) }], { rel: 1e-5, abs: 1e-7 });
      assertMatches(report[0]);
    });

    test('the COGs pass GDAL’s validator', async () => {
      await assertValidCogs(result.cogs);
    });

    test('tessera indices list shows the bands each would use', async () => {
      const r = await tessera(['indices', 'list', '--input', scene, '--json'], { ...process.env, LOG_LEVEL: 'warn' });
      assert.equal(r.code, 0, r.stderr);
      const rows = JSON.parse(r.stdout) as Array<{ name: string; computable: boolean; bands: Record<string, { index: number }> }>;
      const item = await readJsonUri(result.stac);
      for (const name of Object.keys(REFERENCE)) {
        const row = rows.find((x) => x.name === name)!;
        assert.ok(row.computable, name);
        assert.deepEqual(row.bands, Object.fromEntries(Object.entries(item.properties['tessera:products'][name].bands as Record<string, { index: number; wavelengthNm: number }>).map(([k, v]) => [k, { index: v.index, wavelengthNm: v.wavelengthNm }])));
      }
    });
  });
}
