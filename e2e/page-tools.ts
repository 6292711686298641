// What the UI test does to a page beyond Playwright's own calls: full-page screenshots into
// e2e/artifacts/, waiting for a figure to show, and the ledger totals the Earnings page should show.
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { ChildNode } from '../test/node/mesh/child-nodes.js';

// This file runs from dist/e2e/; the artifacts folder is the repo's e2e/artifacts.
export const ARTIFACTS = fileURLToPath(new URL('../../e2e/artifacts/', import.meta.url));
export const VIEWPORT = { width: 1280, height: 800 };

/** A screenshot of the whole page: the app scrolls inside its own pane, so the viewport grows to fit it first. */
export async function shoot(target: Page, name: string): Promise<void> {
  const contentHeight = await target.evaluate(() =>
    Math.max(...[...document.querySelectorAll('*')].map((e) => e.scrollHeight)),
  );
  await target.setViewportSize({
    width: VIEWPORT.width,
    height: Math.min(Math.max(contentHeight, VIEWPORT.height), 4000),
  });
  await target.screenshot({ path: `${ARTIFACTS}${name}.png`, animations: 'disabled' });
  await target.setViewportSize(VIEWPORT);
}
/** What a node's ledger says it earned and spent, in credits with 3 decimals, as the Earnings page shows them. */
export async function ledgerTotals(node: ChildNode): Promise<{ earned: string; spent: string }> {
  const { earned, spent } = await node.api.call('ledger.get', { limit: 0 });
  return { earned: (earned / 1000).toFixed(3), spent: (spent / 1000).toFixed(3) };
}

/** Waits until the element's text shows `credits` (e.g. "0.270"). */
export async function waitForText(target: Page, testId: string, credits: string): Promise<void> {
  await target.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(text),
    [testId, credits] as const,
    { timeout: 10_000 },
  );
}

/** Waits until the Earnings chart is drawn: Recharts draws each series as a path of class recharts-curve, a drawn one of two points at least. */
export async function earningsChartDrawn(target: Page): Promise<void> {
  await target.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-testid="earnings-chart"] svg path.recharts-curve')].some((p) =>
        /\d[\s,]*[LC]/.test(p.getAttribute('d') ?? ''),
      ),
    undefined,
    { timeout: 10_000 },
  );
}

/** The kinds of job on the Jobs page's New job card, by their tabs' labels (components/NewJobCard.tsx). */
export type JobKindLabel = 'Render' | 'Blender scene' | 'Process files' | 'Your program' | 'Workflow';

/** Picks a kind of job on the Jobs page's New job card, as a person does (its tab), and waits for that kind's form. */
export async function chooseJobKind(target: Page, label: JobKindLabel): Promise<void> {
  await target.getByRole('tab', { name: label, exact: true }).click();
  await target.getByRole('tabpanel', { name: label, exact: true }).locator('form').waitFor();
}
