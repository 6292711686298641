// Debian's Chromium driven by Playwright, launched one way for the UI's e2e test and its
// benchmark: headless, no sandbox (CI runs as root), nothing that phones home. Each launch gets a
// fresh profile of its own.
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, checkChromium } from './chromium.js';

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
