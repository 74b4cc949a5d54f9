/**
 * The catalog benchmark's report on a record of known numbers: every row with its ratio to the faster reference
 * (and within each round), every target with its verdict, the plot, and the record kept in bench/results.json
 * beside the runs already there. Nothing is measured: the report is what `npm run bench -- --catalog` prints.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { reportCatalog } from './catalog-report';
import { ALL_ROWS, type CatalogRecord, type CatalogSample, type RowKey } from './catalog-rows';

const WATER = { a: 10, b: 20 };

/** Two rounds of a row: wall times, worker and server CPU, thread busy. */
function rounds(walls: [number, number], extra: Partial<CatalogSample> = {}): CatalogSample[] {
  return walls.map((wallS) => ({ wallS, cpuS: wallS * 1.5, peakRssMB: 500, loadBefore: '1 1 1', waterPixels: WATER, ...extra }));
}

function record(samples: Partial<Record<RowKey, CatalogSample[]>>): CatalogRecord {
  const tessera = { workerCpuS: 40, serverCpuS: 1.6, threadBusy: [0.9, 0.8] };
  return {
    startedAt: '2026-12-01T00:00:00.000Z',
    options: { runs: 2, rows: [...ALL_ROWS], tesseraRoot: '/t', label: 'test', profile: false, reportOnly: false },
    dynamicConfig: 'k=v',
    scenes: [
      { id: 'a', sizePx: 1024, bytes: 1 },
      { id: 'b', sizePx: 1024, bytes: 1 },
    ],
    inputMB: 100,
    loadBefore: '1 1 1',
    loadAfter: '2 2 2',
    rows: [...ALL_ROWS],
    samples: {
      'ref-1': rounds([30, 34]),
      'ref-all': rounds([20, 20]),
      '1x2': rounds([22, 26], tessera),
      '2x1': rounds([24, 24], tessera),
      'hosts-1x1': rounds([40, 40], tessera),
      'hosts-2x1': rounds([20, 25], tessera),
      ...samples,
    },
    histories: {},
  };
}

describe('catalog report', () => {
  let root: string;
  let printed: string[];
  const log = console.log;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'catalog-report-'));
    mkdirSync(join(root, 'bench'));
    writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify({ scenes: { '2048': { kept: true } }, catalog: { before: { kept: true } } }));
    printed = [];
    console.log = (...args: unknown[]) => printed.push(args.join(' '));
  });
  afterEach(() => {
    console.log = log;
    rmSync(root, { recursive: true, force: true });
  });

  it('prints every row with its ratio to the faster reference, the targets with verdicts, and keeps the record', async () => {
    await reportCatalog(root, record({}));
    const text = printed.join('\n');
    const row = (name: string) => text.split('\n').find((l) => l.startsWith(`| ${name} |`))?.split('|').map((c) => c.trim());
    // Reference: ALL_CPUS (20 s) is faster than one thread (32 s median).
    assert.match(text, /reference = GDAL \+ numpy, GDAL_NUM_THREADS=ALL_CPUS/);
    const t12 = row('Tessera, 1 worker × 2 threads')!;
    assert.equal(t12[2], '24.00', 'median wall of 22 and 26');
    assert.equal(t12[4], '300', 'scenes per hour: 2 scenes in 24 s');
    assert.equal(t12[8], '4.0 %', 'server ÷ worker CPU: 1.6 ÷ 40');
    assert.equal(t12[9], '90 %, 80 %');
    assert.equal(t12[12], '1.20', '÷ reference: 24 ÷ 20');
    assert.equal(t12[13], '1.20', 'within each round: 1.1 and 1.3');
    assert.equal(row('GDAL + numpy, GDAL_NUM_THREADS=1')![12], '1.60');
    assert.match(text, /\| catalog, 1 worker × 2 threads ÷ reference <= 0\.6 \| 1\.20 \(same round: 1\.20\) \| NO \|/);
    assert.match(text, /\| 2 pinned hosts × 1 thread over 1 pinned host × 1 thread >= 1\.8x \| 1\.78x \(same round: 1\.80x\) \| NO \|/);
    assert.match(text, /\| 1 worker × 2 threads: Temporal server CPU ÷ worker CPU <= 5 % \| 4\.0 % \| yes \|/);
    assert.match(text, /threads busy \(busy ÷ wall, whole run\) >= 90 % \| 85 % \| NO \|/);

    const png = readFileSync(join(root, 'docs', 'img', 'catalog-throughput.png'));
    assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    const results = JSON.parse(readFileSync(join(root, 'bench', 'results.json'), 'utf8'));
    assert.deepEqual(results.scenes, { '2048': { kept: true } }, 'the single-scene results stay');
    assert.deepEqual(results.catalog.before, { kept: true }, 'and the runs before');
    assert.equal(results.catalog.test.summaries['1x2'].wallS, 24);
    assert.ok(Math.abs(results.catalog.test.pairedRatios['1x2'] - 1.2) < 1e-12);
    assert.equal(results.catalog.test.samples['1x2'].length, 2, 'raw samples kept');
  });

  it('refuses a record whose rows counted different water pixels (they would not compare the same work)', async () => {
    const wrong = rounds([22, 26]).map((s) => ({ ...s, waterPixels: { a: 10, b: 21 } }));
    await assert.rejects(reportCatalog(root, record({ '1x2': wrong })), /water pixels differ/);
  });
});
