// Headless nodes and a Chromium for the e2e tests: two nodes A and B that know and trust each
// other (so B computes A's units), A's Jobs page opened as a person would, and all of it stopped
// and removed after.
import { mkdirSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { webUiUrl } from '../src-main/node/api/index.js';
import { killAllChildren, startChild, stopChild, type ChildNode } from '../test/node/mesh/child-nodes.js';
import { collectPageErrors, launchChromium, waitUntilReady } from './browser.js';
import { ARTIFACTS, VIEWPORT } from './page-tools.js';

/** A and B, trusting each other, and a browser: setup, not under test. */
export async function startTrustedPair(): Promise<{ a: ChildNode; b: ChildNode; browser: Browser }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const [a, b] = await Promise.all([startChild({ workers: 1 }), startChild({ workers: 1 })]);
  await a.api.call('peers.add', { multiaddr: b.listen });
  await b.api.call('trust.set', { peer_id: a.peerId, weight: 1 });
  await a.api.call('trust.set', { peer_id: b.peerId, weight: 1 });
  return { a, b, browser: await launchChromium() };
}

/** Closes the browser, stops the nodes and removes their data dirs. */
export async function stopNodesAndBrowser(nodes: Array<ChildNode | undefined>, browser: Browser | undefined) {
  await browser?.close();
  const started = nodes.filter((node) => node !== undefined);
  await Promise.all(started.map((node) => stopChild(node)));
  killAllChildren();
  for (const node of started) rmSync(node.dataDir, { recursive: true, force: true });
}

/** `node`'s web UI in a new page, on its Jobs page; what goes wrong in the page is added to `errors`. */
export async function openJobsPage(browser: Browser, node: ChildNode, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  collectPageErrors(page, errors);
  await page.goto(webUiUrl(node.api.url, node.api.token));
  await waitUntilReady(page);
  await page.getByTestId('nav-jobs').click();
  await page.getByTestId('page-jobs').waitFor();
  return page;
}
