// The Jobs page's form for your own WASI program, in a real browser against real nodes: A's UI in
// Chromium, B computing for A. The program (test/wasi/programs/words-cpp.wasm, C++) is chosen, its
// input files dropped on the form, args and env set, the job quoted and run by clicks; its card
// then shows each unit's exit code and the start of its stdout and stderr, as the node's API has
// them. Any console error, uncaught exception or serious accessibility fault in the page fails the test.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { WASI_PROGRAM } from '../src-main/core/protocol/algorithm-ids.js';
import type { ChildNode } from '../test/node/mesh/child-nodes.js';
import { waitFor } from '../test/node/mesh/cluster.js';
import { seriousViolations, unreachableByKeyboard } from './a11y.js';
import { openJobsPage, startTrustedPair, stopNodesAndBrowser } from './node-pair.js';
import { chooseJobKind, shoot } from './page-tools.js';

const PROGRAM = fileURLToPath(new URL('../../test/wasi/programs/words-cpp.wasm', import.meta.url));
/** The files dropped: a unit each, in name order. */
const TEXTS: Array<[string, string]> = [
  ['a.txt', 'the cat and the dog'],
  ['b.txt', 'zebra'],
  ['c.txt', 'one two three'],
];

let a: ChildNode;
let b: ChildNode;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  ({ a, b, browser } = await startTrustedPair());
});

after(() => stopNodesAndBrowser([a, b], browser));

test(
  'a program picked, its files dropped, quoted and run from the Jobs page: each unit’s exit code, stdout and stderr on its card',
  { timeout: 180_000 },
  async () => {
    const page = await openJobsPage(browser!, a, pageErrors);
    await chooseJobKind(page, 'Your program');
    const form = page.getByTestId('program-form');

    // Run with nothing chosen: the form says what it needs.
    await form.getByTestId('program-submit').click();
    await form.getByText('Choose the program: a WASI .wasm file.').waitFor();

    await form.getByTestId('program-wasm').setInputFiles(PROGRAM);
    // The input files, dropped on the form as a person drags them from a file manager.
    const dropped = await page.evaluateHandle((texts) => {
      const data = new DataTransfer();
      for (const [name, text] of texts) data.items.add(new File([text], name, { type: 'text/plain' }));
      return data;
    }, TEXTS);
    await form.getByTestId('program-drop').dispatchEvent('drop', { dataTransfer: dropped });
    await form.getByText('3 files: a.txt, b.txt, c.txt').waitFor();
    await form.getByTestId('program-args').fill('{index} {name}');
    await form.getByTestId('program-env').fill('GREETING=hi');

    // The quote: the node runs the first unit, and stores and journals nothing.
    const jobsBefore = (await a.api.call('jobs.list', {})).total;
    await form.getByTestId('program-estimate-button').click();
    await form.getByTestId('render-estimate').waitFor();
    assert.match((await form.getByTestId('render-estimate-units').textContent()) ?? '', /^3 units/);
    assert.equal((await a.api.call('jobs.list', {})).total, jobsBefore);
    await shoot(page, 'program-01-quote');

    await form.getByTestId('program-submit').click();
    const job = await waitFor(
      'the job on A',
      async () => (await a.api.call('jobs.list', {})).jobs.find((j) => j.algorithm === WASI_PROGRAM),
      10_000,
    );
    assert.equal(job.units_total, 3);
    await waitFor(
      'the job to complete',
      async () => {
        const { job: now } = await a.api.call('jobs.status', { job_id: job.job_id });
        return now.state === 'completed' ? true : undefined;
      },
      120_000,
    );
    // Its card (open: it was submitted here) lists each unit as the API gives it.
    const { outputs } = await a.api.call('jobs.outputs', { job_id: job.job_id });
    for (const [index, [name, text]] of TEXTS.entries()) {
      await page
        .getByTestId(`program-exit-${index}`)
        .filter({ hasText: String(index % 3) })
        .waitFor({ timeout: 15_000 });
      const stdout = (await page.getByTestId(`program-stdout-${index}`).textContent()) ?? '';
      assert.match(stdout, new RegExp(`^unit ${index}: ${text.split(' ').length} words`), `${name}'s stdout`);
      const stderr = (await page.getByTestId(`program-stderr-${index}`).textContent()) ?? '';
      assert.equal(stderr, `unit ${index}: counted ${text.split(' ').length} words\n`);
      assert.equal(stderr, Buffer.from(outputs[index]!.stderr_base64 ?? '', 'base64').toString());
    }
    await shoot(page, 'program-02-units');
    assert.deepEqual(await seriousViolations(page), [], 'axe on the Jobs page with a program job');
    assert.deepEqual(await unreachableByKeyboard(page), [], 'controls of the Jobs page that Tab never reaches');
    assert.deepEqual(pageErrors, [], 'the page logged no error');
  },
);
