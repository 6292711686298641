// How long a person waits after clicking to another page of the web UI:
// - ui_page_first_visit_ms (report): from a click on a page's link in the sidebar to that page in
//   the DOM, on its first visit (its code fetched then), median over the six pages after the
//   Dashboard and PAGE_SWITCH_RUNS fresh browser contexts. Baseline: the same clicks again, its
//   code already in. Timed in the page by a MutationObserver, against a node that is up and
//   calibrated (no start in the window).
import type { Page } from 'playwright-core';
import { webUiUrl } from '../src-main/node/api/index.js';
import { launchChromium, waitUntilReady } from '../e2e/browser.js';
import { startDaemonProcess, waitCalibrated } from './fixtures/daemon-process.js';
import { sleep, median, round, type Benchmark, type Figure } from './harness.js';

const PAGE_SWITCH_RUNS = 3;
/** The sidebar's pages after the Dashboard, in its order. */
const PAGES = ['availability', 'peers', 'jobs', 'earnings', 'settings', 'logs'];
/** Between clicks: the page's own first reads come back, as a person would not click faster. */
const SETTLE_MS = 300;

/** Milliseconds from a click on the link to `name` until its page is in the DOM. */
function clickToPage(page: Page, name: string): Promise<number> {
  return page.evaluate(
    (shown) =>
      new Promise<number>((resolve) => {
        const clickedAt = performance.now();
        new MutationObserver((_, observer) => {
          if (!document.querySelector(`[data-testid="page-${shown}"]`)) return;
          observer.disconnect();
          resolve(performance.now() - clickedAt);
        }).observe(document.body, { subtree: true, childList: true });
        document.querySelector<HTMLElement>(`[data-testid="nav-${shown}"]`)!.click();
      }),
    name,
  );
}

async function visitAll(page: Page): Promise<number[]> {
  const times: number[] = [];
  for (const name of PAGES) {
    times.push(await clickToPage(page, name));
    await sleep(SETTLE_MS);
  }
  return times;
}

async function pageSwitch(): Promise<Figure[]> {
  const node = await startDaemonProcess({ name: 'ui-switch', workers: 1 });
  const browser = await launchChromium();
  try {
    await waitCalibrated(node.api);
    const first: number[] = [];
    const again: number[] = [];
    for (let run = 0; run < PAGE_SWITCH_RUNS; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(webUiUrl(node.api.url, node.api.token));
      await waitUntilReady(page);
      await sleep(SETTLE_MS);
      first.push(...(await visitAll(page)));
      again.push(...(await visitAll(page)));
      await context.close();
    }
    const byPage = (times: number[]) =>
      Object.fromEntries(
        PAGES.map((name, i) => [name, round(median(times.filter((_, j) => j % PAGES.length === i)), 0)]),
      );
    return [
      {
        name: 'ui_page_first_visit_ms',
        value: round(median(first), 0),
        unit: 'ms',
        target: 'report',
        baseline_revisit_ms: round(median(again), 0),
        ratio_to_revisit: round(median(first) / median(again), 2),
        by_page: byPage(first),
        revisit_by_page: byPage(again),
        runs: PAGE_SWITCH_RUNS,
      },
    ];
  } finally {
    await browser.close();
    await node.stop();
  }
}

export const benchmarks: Benchmark[] = [{ names: ['ui_page_first_visit_ms'], run: pageSwitch }];
