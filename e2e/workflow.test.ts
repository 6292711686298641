// A workflow on the Jobs page, in a real browser against real nodes: A's UI in Chromium, B
// computing for A. The chain example (assets/workflows/chain.json) is run through A's API; its graph
// fills in on the page as its steps complete, and a step opens its job's card. The photos example
// is run from the page's own form: its document chosen, its folder of photos given, Run. Any console
// error, uncaught exception or serious accessibility fault in the page fails the test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { encodeFramePng } from '../src-main/node/render/png.js';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { ChildNode } from '../test/node/mesh/child-nodes.js';
import { waitFor } from '../test/node/mesh/cluster.js';
import { seriousViolations } from './a11y.js';
import { openJobsPage, startTrustedPair, stopNodesAndBrowser } from './node-pair.js';
import { chooseJobKind, shoot } from './page-tools.js';

let a: ChildNode;
let b: ChildNode;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  ({ a, b, browser } = await startTrustedPair());
});

after(() => stopNodesAndBrowser([a, b], browser));

test(
  'a workflow shows on the Jobs page as a graph that fills in; a step opens its job; axe finds nothing serious',
  { timeout: 60_000 },
  async () => {
    const document = readFileSync(new URL('../../assets/workflows/chain.json', import.meta.url), 'utf8');
    const data = { name: 'data', base64: Buffer.alloc(64 * 3, 7).toString('base64') };
    const { workflow_id } = await a.api.call('workflows.run', {
      document,
      inputs: { data: { file: data }, rounds: { value: 2 } },
    });
    const page = await openJobsPage(browser!, a, pageErrors);
    const graph = page.getByTestId(`workflow-${workflow_id}`);
    await graph.waitFor({ timeout: 15_000 });
    await waitFor('the workflow to complete on the page', async () =>
      /completed/.test((await graph.textContent()) ?? '') ? true : undefined,
    );
    const steps = graph.locator('.workflow-step');
    assert.equal(await steps.count(), 2);
    assert.match((await steps.nth(1).textContent()) ?? '', /again.*done.*hash\/blake3.*after chunks.*3\/3 done/);
    const chunksJob = `wf.${workflow_id}.chunks.1`;
    await graph.getByRole('button', { name: /^chunks/ }).click();
    await page.getByTestId(`job-${chunksJob}`).waitFor({ timeout: 5_000 });
    assert.match((await page.getByTestId(`job-${chunksJob}`).getAttribute('class')) ?? '', /is-open/);
    await shoot(page, '15-jobs-workflow');
    assert.deepEqual(await seriousViolations(page), [], 'axe on the Jobs page with a workflow');
    assert.deepEqual(pageErrors, [], 'the page logged no error');
  },
);

test(
  'the photos example run from the page: its document chosen, three photos given, its graph completes',
  { timeout: 120_000 },
  async () => {
    const page = await openJobsPage(browser!, a, pageErrors);
    await chooseJobKind(page, 'Workflow');
    const form = page.getByTestId('workflow-form');
    const document = readFileSync(new URL('../../assets/workflows/photos.json', import.meta.url));
    await form
      .getByTestId('workflow-document')
      .setInputFiles({ name: 'photos.json', mimeType: 'application/json', buffer: document });
    await form.getByTestId('workflow-drop-photos').waitFor();
    await form.getByTestId('workflow-run').click();
    assert.match((await form.getByRole('alert').textContent()) ?? '', /photos: choose the files/);
    const photos = [0, 1, 2].map((i) => ({
      name: `p${i}.png`,
      mimeType: 'image/png',
      buffer: Buffer.from(encodeFramePng(32, 24, randomBytes(32 * 24 * 4))),
    }));
    await form.getByTestId('workflow-input-photos').setInputFiles(photos);
    const earlier = new Set((await a.api.call('workflows.list', {})).workflows.map((w) => w.workflow_id));
    await form.getByTestId('workflow-run').click();
    const started = await waitFor('the workflow on A', async () =>
      (await a.api.call('workflows.list', {})).workflows.find((w) => !earlier.has(w.workflow_id)),
    );
    const graph = page.getByTestId(`workflow-${started.workflow_id}`);
    await waitFor(
      'the photos workflow to complete on the page',
      async () => (/completed/.test((await graph.textContent()) ?? '') ? true : undefined),
      90_000,
    );
    // Grayscale, thumbnails, their sums, and the originals' sums (three photos: its condition holds).
    assert.equal(await graph.locator('.workflow-step').count(), 5);
    assert.match((await graph.textContent()) ?? '', /originals.*done/);
    assert.deepEqual(await seriousViolations(page), [], 'axe on the Jobs page with the workflow form');
    assert.deepEqual(pageErrors, [], 'the page logged no error');
  },
);
