/**
 * Headless Chromium for browser tests (the Temporal Web UI, pages Tessera writes), driven by playwright-core.
 *
 * playwright-core ships no browser, so tests use Debian's `chromium` package that infra/install-tools.sh
 * installs. Each `withPage` call gets its own browser context: nothing (cookies, the UI's saved column
 * layout in localStorage) carries over from one test to the next.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './dev-stack';

/** Where infra/install-tools.sh (apt `chromium`) puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Thrown by `launchBrowser` when there is no Chromium executable at the path it was given. */
export class ChromiumNotFoundError extends Error {
  constructor(readonly executablePath: string) {
    super(`no Chromium at ${executablePath}: run infra/install-tools.sh`);
    this.name = 'ChromiumNotFoundError';
  }
}

export interface LaunchOptions {
  /** @default CHROMIUM_PATH */
  executablePath?: string;
}

/**
 * Starts headless Chromium. The caller closes it (`browser.close()`).
 *
 * @throws ChromiumNotFoundError when the executable is missing.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  if (!existsSync(executablePath)) throw new ChromiumNotFoundError(executablePath);
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      // Tests run as root in containers, and Chromium refuses to start its sandbox as root.
      '--no-sandbox',
      // Test machines have no GPU; software rendering is all a screenshot needs, and Chromium skips probing for one.
      '--disable-gpu',
      // Docker's /dev/shm is 64 MB by default, too small for renderer shared memory; use /tmp instead.
      '--disable-dev-shm-usage',
    ],
  });
}

export interface PageOptions {
  /** CSS pixels. @default { width: 1600, height: 1000 } (wide enough that the Temporal UI shows all its columns) */
  viewport?: { width: number; height: number };
  /** A running browser to open the page in; when absent one is launched for this call and closed after it. */
  browser?: Browser;
}

const DEFAULT_VIEWPORT = { width: 1600, height: 1000 };

/**
 * Runs `fn` on a new page in a fresh browser context and returns its result. The context (and the browser, when
 * this call launched it) is closed afterwards, whether `fn` resolved or threw.
 */
export async function withPage<T>(fn: (page: Page) => Promise<T>, options: PageOptions = {}): Promise<T> {
  const browser = options.browser ?? (await launchBrowser());
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? DEFAULT_VIEWPORT });
    try {
      return await fn(await context.newPage());
    } finally {
      await context.close();
    }
  } finally {
    if (!options.browser) await browser.close();
  }
}

/** Folder (git-ignored) where tests leave screenshots for people to look at. */
export function artifactDir(): string {
  return join(repoRoot(), '.out', 'test-artifacts');
}

/**
 * Saves a full-page PNG of `page` as `.out/test-artifacts/<name>.png` under the repository root and returns its
 * absolute path. `name` is one path segment: letters, digits, `.`, `_` and `-`. Apps that scroll inside their own
 * container (the Temporal UI does) come out viewport-sized, so give those pages a viewport tall enough.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
    throw new Error(`screenshot name must be one plain file name, got ${JSON.stringify(name)}`);
  }
  const dir = artifactDir();
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
