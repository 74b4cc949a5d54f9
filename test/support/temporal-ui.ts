/**
 * Reads the Temporal Web UI the way a person does: the workflows list for a visibility query, and a workflow's
 * status, search attributes, summary/details and child workflows.
 *
 * Written against UI 2.42.1 (bundled with temporal CLI 1.5.1). The selectors come from `page.content()` dumps of
 * real pages on the dev stack; what the UI shows where:
 *
 * - Workflows list, `/namespaces/<ns>/workflows?query=<encoded query>`. While loading, `tbody` holds a placeholder
 *   `tr` without a test id. Loaded, every run is a `tr[data-testid="workflows-summary-configurable-table-row"]`,
 *   or, with no match, the table body stays empty and an `h2` "No Results" appears. `[data-testid="workflow-count"]`
 *   holds the total. The Workflow ID, Run ID and Type cells all link to
 *   `/namespaces/<ns>/workflows/<encodeURIComponent(id)>/<runId>/history`; the columns are `th` cells with
 *   `data-testid="workflows-summary-table-header-cell-<Title>"`, in the same order as the row's `td`s.
 * - Workflow page, `/namespaces/<ns>/workflows/<id>/<runId>/<tab>`. Without a run id (`/workflows/<id>`) the UI
 *   redirects to the latest run's `/history`; `/workflows/<id>/<tab>` does NOT work (the tab is taken for the run
 *   id: "400 Bad Request"). The id is in `h1[data-testid="workflow-id-heading"]`; the status is the first `span`
 *   of the `header` around it (a coloured badge: "Running", "Completed", "Failed", ...). Tabs are
 *   `a[role="tab"][data-testid="<name>-tab"]`: history, relationships, workers, pending-activities, call-stack,
 *   queries, user-metadata, search-attributes, memo.
 * - Search Attributes tab: an `h3` "Search Attributes" followed by a read-only CodeMirror editor whose
 *   `.cm-content` holds `{"indexedFields": {...}}`, values already decoded (`"TesseraScene": "ui-lake"`), custom
 *   and system attributes (BuildIds) together. The history tab does not show them.
 * - User Metadata tab: sections headed `h3[data-testid="user-metadata-summary-heading"]` "Summary", "Details" and
 *   "Events with Metadata". Summary (`staticSummary`) and Details (`staticDetails`) are rendered as Markdown in an
 *   `iframe[title="output"]` (src `/render?content=...`; the text is in its `main`), or read "No summary
 *   available" / "No details available". The history page header does not show the summary.
 * - Children: only the Relationships tab lists them (the history tab has no pending-children panel; its timeline
 *   merely draws child workflow events). Above, a graph (svg); below, a tree of rows, each row a `button` inside a
 *   `div.w-full`, whose children sit in the following `div.pl-4`, one `div.w-full > button` each: status badge
 *   (first `span`), type (`p`), id (an `a` to the child's `/<runId>/history`, `/` in ids as `%2F`), child count
 *   (`span.font-mono`), start, end, duration. Order is visibility's: running first, then latest closed first.
 *   The tree always starts at the root workflow, even on a child's page; nodes below the root start collapsed
 *   (a chevron, no `div.pl-4`) until a click or the "Expand All" switch opens them. It comes from one visibility
 *   list call, `RootWorkflowId = "<root>" AND RootRunId = "<run>"`, so a child appears once visibility has
 *   indexed it, and a parent that continues-as-new lists under each run only the children that run started.
 *   Checked on a dev server with 3, 2 (one running) and 120 children, grandchildren, a running backfill's
 *   processScene children, and a continued-as-new parent with ~250 children in its current run.
 * - `waitUntil: 'networkidle'` never fires on a workflow page (the UI long-polls the history with
 *   waitNewEvent=true), so navigation waits for `domcontentloaded` and then for the element wanted.
 */
import type { Locator, Page } from 'playwright-core';

/** Where the UI is and which namespace to read. */
export interface UiTarget {
  /** Base URL of the Web UI, e.g. `DevStack.uiUrl` (http://127.0.0.1:8233). */
  uiUrl: string;
  /** @default 'default' */
  namespace?: string;
}

export interface WaitOptions {
  /** How long to wait for the page to show what is asked for. @default 15000 (ms) */
  timeoutMs?: number;
}

/** Thrown when the UI did not show an expected element in time; `url` is the page it was looking at. */
export class UiNotShownError extends Error {
  constructor(
    readonly what: string,
    readonly url: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`Temporal UI did not show ${what} within ${timeoutMs} ms at ${url}`, options);
    this.name = 'UiNotShownError';
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;
const LIST_ROW = '[data-testid="workflows-summary-configurable-table-row"]';

/** The DOM members read inside the page: tsconfig has no DOM lib, and these functions run in the browser. */
interface DomElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  readonly textContent: string | null;
}

/** One row of the workflows list. */
export interface WorkflowListRow {
  workflowId: string;
  runId: string;
  /** As the badge reads: "Running", "Completed", "Failed", ... */
  status: string;
  type: string;
}

/** What a workflow's page shows. */
export interface WorkflowView {
  workflowId: string;
  runId: string;
  status: string;
  /** The Search Attributes tab's `indexedFields`, values as JSON (Keyword → string, Int/Double → number). */
  searchAttributes: Record<string, unknown>;
  /** The User Metadata tab's Summary, as rendered text; undefined when it reads "No summary available". */
  summary?: string;
  /** The User Metadata tab's Details, as rendered text; undefined when it reads "No details available". */
  details?: string;
}

/** One child in a workflow's Relationships tree: the same fields as a list row. */
export type ChildWorkflowRow = WorkflowListRow;

/** URL of the workflows list filtered by a visibility query. */
export function workflowsListUrl(target: UiTarget, query: string): string {
  return `${namespaceUrl(target)}/workflows?query=${encodeURIComponent(query)}`;
}

/** URL of a workflow's page; without `runId` the UI opens the latest run. */
export function workflowUrl(target: UiTarget, workflowId: string, runId?: string, tab = 'history'): string {
  const base = `${namespaceUrl(target)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/${tab}` : base;
}

/**
 * Opens the workflows list for `query`, waits until it has loaded and returns its rows (first page, newest first).
 * An empty array means the UI said "No Results".
 *
 * @throws UiNotShownError when neither rows nor "No Results" appear in time.
 */
export async function listWorkflows(page: Page, target: UiTarget, query: string, options: WaitOptions = {}): Promise<WorkflowListRow[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  await page.goto(workflowsListUrl(target, query), { waitUntil: 'domcontentloaded' });
  const rows = page.locator(LIST_ROW);
  const noResults = page.getByRole('heading', { name: 'No Results', exact: true });
  await shown(page, rows.first().or(noResults), `the workflows list for ${query}`, timeoutMs);
  if (await noResults.isVisible()) return [];

  const headers = await page.locator('thead th').evaluateAll((ths: DomElement[]) => ths.map((th) => th.getAttribute('data-testid') ?? ''));
  const columns = {
    status: headers.indexOf('workflows-summary-table-header-cell-Status'),
    type: headers.indexOf('workflows-summary-table-header-cell-Type'),
  };
  // One round trip for all rows: reading cell by cell costs ~100 ms per locator call.
  const raw = await rows.evaluateAll(
    (trs: DomElement[], at: { status: number; type: number }) =>
      trs.map((tr) => {
        const tds = tr.querySelectorAll('td');
        const text = (i: number): string => (i >= 0 && i < tds.length ? (tds[i].textContent ?? '').trim() : '');
        return { href: tr.querySelector('a[href*="/workflows/"]')?.getAttribute('href') ?? null, status: text(at.status), type: text(at.type) };
      }),
    columns,
  );
  return raw.map((r) => ({ ...parseWorkflowHref(r.href), status: r.status, type: r.type }));
}

/** The workflow ids the list shows for `query` (see `listWorkflows`). */
export async function workflowIdsForQuery(page: Page, target: UiTarget, query: string, options: WaitOptions = {}): Promise<string[]> {
  return (await listWorkflows(page, target, query, options)).map((r) => r.workflowId);
}

/**
 * Opens a workflow's history page (the latest run when `runId` is absent) and waits for its heading.
 * Returns the run id the UI shows.
 *
 * @throws UiNotShownError when the page does not show the workflow in time (unknown id, server error).
 */
export async function openWorkflow(page: Page, target: UiTarget, workflowId: string, runId?: string, options: WaitOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  await page.goto(workflowUrl(target, workflowId, runId), { waitUntil: 'domcontentloaded' });
  const heading = page.getByTestId('workflow-id-heading').getByText(workflowId, { exact: true });
  await shown(page, heading, `workflow ${workflowId}`, timeoutMs);
  // Without a run id the UI redirects to /<runId>/history once it has described the workflow.
  const onRun = new RegExp(`/workflows/${escapeRegExp(encodeURIComponent(workflowId))}/[^/]+/history`);
  await page.waitForURL(onRun, { timeout: timeoutMs, waitUntil: 'commit' });
  return parseWorkflowHref(new URL(page.url()).pathname).runId;
}

/** The status badge of the workflow page that is open ("Running", "Completed", ...). */
export async function workflowStatus(page: Page, options: WaitOptions = {}): Promise<string> {
  const header = page.locator('header', { has: page.getByTestId('workflow-id-heading') });
  const badge = header.locator('span').first();
  await shown(page, badge, 'the workflow status', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return (await badge.innerText()).trim();
}

/** Switches the open workflow page to a tab (`relationships`, `search-attributes`, `user-metadata`, ...). */
export async function openTab(page: Page, tab: string, options: WaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (new URL(page.url()).pathname.endsWith(`/${tab}`)) return;
  await page.getByTestId(`${tab}-tab`).click({ timeout: timeoutMs });
  await page.waitForURL((url) => url.pathname.endsWith(`/${tab}`), { timeout: timeoutMs, waitUntil: 'commit' });
}

/**
 * Reads the Search Attributes tab of the open workflow page: its `indexedFields`.
 *
 * @throws UiNotShownError when the tab shows no parsable JSON in time.
 */
export async function searchAttributes(page: Page, options: WaitOptions = {}): Promise<Record<string, unknown>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  await openTab(page, 'search-attributes', options);
  // CodeMirror renders only the lines in view; a workflow's handful of attributes fits in one screen.
  const editor = page.locator('div:has(> h3:text-is("Search Attributes")) .cm-content');
  const parsed = await poll(page, 'the search attributes', timeoutMs, async () => {
    if (!(await editor.isVisible())) return undefined;
    try {
      return JSON.parse(await editor.innerText()) as { indexedFields?: Record<string, unknown> };
    } catch {
      return undefined; // the editor is still filling in
    }
  });
  return parsed.indexedFields ?? {};
}

/** Reads Summary and Details from the User Metadata tab of the open workflow page. */
export async function userMetadata(page: Page, options: WaitOptions = {}): Promise<{ summary?: string; details?: string }> {
  await openTab(page, 'user-metadata', options);
  return {
    summary: await metadataSection(page, 'Summary', options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    details: await metadataSection(page, 'Details', options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  };
}

/** Opens a workflow and reads status, search attributes, summary and details from its page. */
export async function readWorkflow(page: Page, target: UiTarget, workflowId: string, runId?: string, options: WaitOptions = {}): Promise<WorkflowView> {
  const shownRunId = await openWorkflow(page, target, workflowId, runId, options);
  const status = await workflowStatus(page, options);
  const attributes = await searchAttributes(page, options);
  const { summary, details } = await userMetadata(page, options);
  return { workflowId, runId: shownRunId, status, searchAttributes: attributes, summary, details };
}

export interface ChildrenOptions extends WaitOptions {
  /** Needed when the page is not on the UI yet; otherwise the page's own origin is used. */
  uiUrl?: string;
  /** @default 'default' */
  namespace?: string;
  /** Parent run; default the latest (or the one the page shows). After continue-as-new each run has its own children. */
  runId?: string;
  /**
   * Reload the Relationships tab until at least this many children are listed, since the tree comes from
   * visibility, which may lag behind the parent's history. @default 0
   */
  minCount?: number;
}

/**
 * The children the Relationships tab lists under `parentId` (direct children only, in the order shown: running
 * first, then latest closed first), with the status each shows. Opens the parent's page unless the page shows it already.
 *
 * @throws UiNotShownError when the parent does not appear in its tree, or fewer than `minCount` children do, in time.
 */
export async function childWorkflows(page: Page, parentId: string, options: ChildrenOptions = {}): Promise<ChildWorkflowRow[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const minCount = options.minCount ?? 0;
  const current = page.url().startsWith('http') ? new URL(page.url()) : undefined;
  const uiUrl = options.uiUrl ?? current?.origin;
  if (!uiUrl) throw new Error('childWorkflows: the page is not on the Temporal UI; pass options.uiUrl');
  const target: UiTarget = { uiUrl, namespace: options.namespace };
  const encodedId = encodeURIComponent(parentId);
  const onParent = current?.pathname.includes(`/workflows/${encodedId}/`) && (!options.runId || current.pathname.includes(`/${options.runId}/`));
  if (!onParent) await openWorkflow(page, target, parentId, options.runId, options);
  await openTab(page, 'relationships', options);

  // The parent's node in the tree: the div.w-full whose own row links to the parent.
  const node = page.locator(`div.w-full:has(> button a[href*="/workflows/${encodedId}/"])`).first();
  const rows = node.locator(':scope > div.pl-4 > div.w-full > button');
  const childCount = node.locator(':scope > button span.font-mono').first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await shown(page, node, `workflow ${parentId} in the Relationships tree`, Math.max(1, deadline - Date.now()));
    // Below the root the tree starts collapsed: a node shows its child count and a chevron, not its children.
    if (Number(await childCount.innerText()) > 0 && (await rows.count()) === 0) await expandAll(page, timeoutMs);
    const children = await readChildRows(rows);
    if (children.length >= minCount) return children;
    if (Date.now() >= deadline) {
      throw new UiNotShownError(`${minCount} children of ${parentId} (saw ${children.length})`, page.url(), timeoutMs);
    }
    await page.waitForTimeout(500);
    await page.reload({ waitUntil: 'domcontentloaded' });
  }
}

/** The ids of the children the Relationships tab lists under `parentId` (see `childWorkflows`). */
export async function childWorkflowIds(page: Page, parentId: string, options: ChildrenOptions = {}): Promise<string[]> {
  return (await childWorkflows(page, parentId, options)).map((c) => c.workflowId);
}

async function readChildRows(rows: Locator): Promise<ChildWorkflowRow[]> {
  // One round trip for all rows (a backfill has hundreds); see listWorkflows.
  const raw = await rows.evaluateAll((buttons: DomElement[]) =>
    buttons.map((b) => ({
      href: b.querySelector('a[href*="/workflows/"]')?.getAttribute('href') ?? null,
      status: (b.querySelector('span')?.textContent ?? '').trim(),
      // Only the tree's top row labels its fields with p.text-xs; in a child row the first p is the type.
      type: (b.querySelector('p:not(.text-xs)')?.textContent ?? '').trim(),
    })),
  );
  return raw.map((r) => ({ ...parseWorkflowHref(r.href), status: r.status, type: r.type }));
}

async function expandAll(page: Page, timeoutMs: number): Promise<void> {
  const toggle = page.getByRole('switch', { name: 'Expand All' });
  // The checkbox itself is visually hidden (sr-only); its label is what takes the click.
  if (!(await toggle.isChecked())) await page.getByText('Expand All', { exact: true }).click({ timeout: timeoutMs });
}

async function metadataSection(page: Page, heading: 'Summary' | 'Details', timeoutMs: number): Promise<string | undefined> {
  const section = page.locator(`div:has(> div > h3[data-testid="user-metadata-summary-heading"]:text-is("${heading}"))`);
  const frame = section.locator('iframe[title="output"]');
  const none = section.getByText(`No ${heading.toLowerCase()} available`, { exact: true });
  await shown(page, frame.or(none), `the ${heading} section`, timeoutMs);
  if (await none.isVisible()) return undefined;
  const text = frame.contentFrame().locator('main');
  await shown(page, text, `the rendered ${heading}`, timeoutMs);
  return (await text.innerText()).trim();
}

/** `/namespaces/<ns>/workflows/<encoded id>/<runId>/<tab>` → id and run id. */
function parseWorkflowHref(href: string | null): { workflowId: string; runId: string } {
  const m = href ? /\/workflows\/([^/?#]+)\/([^/?#]+)/.exec(href) : null;
  if (!m) throw new Error(`not a workflow run link: ${href}`);
  return { workflowId: decodeURIComponent(m[1]), runId: decodeURIComponent(m[2]) };
}

function namespaceUrl(target: UiTarget): string {
  return `${target.uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(target.namespace ?? 'default')}`;
}

async function shown(page: Page, locator: Locator, what: string, timeoutMs: number): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (err) {
    throw new UiNotShownError(what, page.url(), timeoutMs, { cause: err });
  }
}

async function poll<T>(page: Page, what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new UiNotShownError(what, page.url(), timeoutMs);
    await page.waitForTimeout(100);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
