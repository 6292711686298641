// Debian's Chromium driven by Playwright, launched one way for the UI's e2e test and its
// benchmark: headless, no sandbox (CI runs as root), nothing that phones home. Each launch gets a
// fresh profile of its own.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The browser to drive: MESH_CHROMIUM, or Debian's package. */
export const CHROMIUM_PATH = process.env['MESH_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Throws with what to install when there is no Chromium (the UI tests never skip). */
export function checkChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set MESH_CHROMIUM to a Chromium binary)`,
    );
  }
}

/** A headless Chromium driven by Playwright. */
export async function launchChromium(): Promise<Browser> {
  checkChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Resolves once the UI has rendered the node's first status reply (the contract's readiness flag). */
export async function waitUntilReady(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: timeoutMs });
}

/**
 * Everything the page reports as wrong, as it happens, appended to `errors` (several pages may
 * share one list): console errors (CSP violations are logged as such) and uncaught exceptions.
 * The caller asserts the list stays empty.
 */
export function collectPageErrors(page: Page, errors: string[] = []): string[] {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.stack ?? error.message}`));
  return errors;
}
