/**
 * The Temporal Web UI shows a backfill the way an operator looks for it: the workflows list filtered by
 * `TesseraBackfill="<id>"` finds it (and its scene runs), its page shows the search attributes with the final
 * counts, and its Relationships tab lists one child per scene. Headless Chromium; the screenshot is left in
 * .out/test-artifacts/ for people to look at.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { BackfillRecord } from '../../workflows/backfill';
import { backfillCli, parseJsonOutput, readBackfillExecution, startCatalogRig, withClient, workerLogTail, type CatalogRig } from '../support/catalog-run';
import { launchBrowser, saveScreenshot, withPage } from '../support/browser';
import { writeStacFixture, type StacFixture } from '../support/stac-fixture';
import { childWorkflows, listWorkflows, openWorkflow, searchAttributes, workflowStatus } from '../support/temporal-ui';

describe('a backfill in the Temporal Web UI', { timeout: 300_000 }, () => {
  let rig: CatalogRig;
  let fx: StacFixture;
  let browser: Browser;

  before(async () => {
    rig = await startCatalogRig('cat-ui');
    fx = await writeStacFixture({ dir: join(rig.dir, 'stac'), count: 12, sizePx: 64, bands: 23 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await rig?.close();
  });

  test('found by TesseraBackfill, with its search attributes and one child per scene; screenshot saved', async (t) => {
    const id = `${rig.name}-bf`;
    const r = await backfillCli(rig, [pathToFileURL(fx.catalogPath).href, '--datetime', '2024-06-01/2024-06-25', '--products', 'ndwi,water', '--out', `${rig.prefix}/out`, '--id', id, '--wait', '--json']);
    assert.equal(r.code, 0, `${r.stderr}\n${await workerLogTail(rig)}`);
    const record = parseJsonOutput<BackfillRecord>(r, 'backfill');
    assert.equal(record.counts.done, 4);
    const exec = await withClient(rig.stack, (c) => readBackfillExecution(c, id));
    const childIds = exec.children.map((c) => c.workflowId).sort();
    assert.equal(childIds.length, 4);

    const target = { uiUrl: rig.stack.uiUrl, namespace: rig.stack.namespace };
    await withPage(
      async (page) => {
        // The list: the backfill and its four scene runs carry the attribute.
        const deadline = Date.now() + 30_000;
        let rows = await listWorkflows(page, target, `TesseraBackfill="${id}"`);
        while (rows.length < 5 && Date.now() < deadline) {
          await page.waitForTimeout(1000);
          rows = await listWorkflows(page, target, `TesseraBackfill="${id}"`);
        }
        assert.deepEqual(rows.filter((w) => w.type === 'backfill').map((w) => [w.workflowId, w.status]), [[id, 'Completed']]);
        assert.deepEqual(rows.filter((w) => w.type === 'processScene').map((w) => w.workflowId).sort(), childIds);
        await saveScreenshot(page, 'catalog-ui-list');

        await openWorkflow(page, target, id);
        assert.equal(await workflowStatus(page), 'Completed');
        const attrs = await searchAttributes(page);
        assert.equal(attrs.TesseraBackfill, id);
        assert.equal(attrs.TesseraScenesDone, 4);
        assert.equal(attrs.TesseraScenesFailed, 0);
        await saveScreenshot(page, 'catalog-ui-search-attributes');

        const children = await childWorkflows(page, id, { minCount: 4, timeoutMs: 30_000 });
        assert.deepEqual(children.map((c) => c.workflowId).sort(), childIds);
        assert.ok(children.every((c) => c.status === 'Completed' && c.type === 'processScene'), JSON.stringify(children));
        const shot = await saveScreenshot(page, 'catalog-ui-backfill-children');
        t.diagnostic(`screenshots: ${shot}, with catalog-ui-list.png and catalog-ui-search-attributes.png beside it`);
      },
      { browser },
    );
  });
});
