// The web UI in a real browser, used as a person would: two headless nodes A and B (child
// processes), A's UI opened in Chromium at the address the node gives, and every step done by
// clicks, keys and drags; the node's API is read only to check that each step took effect.
// Screenshots of every page go to e2e/artifacts/. Any console error, CSP violation or uncaught
// exception in the page fails the test.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { webUiUrl } from '../src-main/node/api/index.js';
import { startChild, type ChildNode } from '../test/node/mesh/child-nodes.js';
import { waitFor } from '../test/node/mesh/cluster.js';
import { seriousViolations, unreachableByKeyboard } from './a11y.js';
import { collectPageErrors, launchChromium, waitUntilReady } from './browser.js';
import { stopNodesAndBrowser } from './node-pair.js';
import {
  ARTIFACTS,
  chooseJobKind,
  earningsChartDrawn,
  ledgerTotals,
  shoot,
  VIEWPORT,
  waitForText,
  type JobKindLabel,
} from './page-tools.js';
import { completedAsQuoted, quoteInTheForm, raiseOnTheCard } from './cost-steps.js';

const FRAMES = [1, 2];
/** 160×90 in 32-px tiles: 5 columns × 3 rows. */
const TILES_PER_FRAME = 15;
const RENDER_TIMEOUT_MS = 60_000;
/** The New job card's kinds, in its tabs' order: each tab's label and its form's test id. */
const JOB_FORMS: ReadonlyArray<[JobKindLabel, string]> = [
  ['Render', 'render-form'],
  ['Blender scene', 'blender-form'],
  ['Process files', 'library-form'],
  ['Your program', 'program-form'],
  ['Workflow', 'workflow-form'],
];
/** The Jobs page's forms column, one form in it (the tallest, Your program's, about 1,330 px), stays under this (px); the five forms stacked stood over 3,000 px. */
const FORMS_COLUMN_MAX_PX = 1_600;

let a: ChildNode;
let b: ChildNode;
let browser: Browser | undefined;
let page: Page;
/** What went wrong in any page this test opened. */
const pageErrors: string[] = [];
let jobId: string;

const uiOf = (node: ChildNode) => webUiUrl(node.api.url, node.api.token);

const assertNoPageErrors = () => assert.deepEqual(pageErrors, [], 'the page logged no error');

async function openPage(url: string): Promise<Page> {
  const opened = await browser!.newPage({ viewport: VIEWPORT });
  collectPageErrors(opened, pageErrors);
  await opened.goto(url);
  await waitUntilReady(opened);
  return opened;
}

async function goTo(target: Page, name: string): Promise<void> {
  await target.getByTestId(`nav-${name}`).click();
  await target.getByTestId(`page-${name}`).waitFor();
}

/** On a failure, what both nodes say about the job and each other, so a CI log shows why. */
async function explainOnFailure<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    const said = async (what: () => Promise<unknown>) => JSON.stringify(await what().catch((e: unknown) => String(e)));
    const recent = async (node: ChildNode) =>
      (await node.api.call('events.since', { after: 0, limit: 10_000 })).events.slice(-40);
    console.error(
      [
        `A job: ${await said(() => a.api.call('jobs.status', { job_id: jobId }))}`,
        `A offers: ${await said(() => a.api.call('offers.list', { job_id: jobId }))}`,
        `A peers: ${await said(() => a.api.call('peers.list', {}))}`,
        `B peers: ${await said(() => b.api.call('peers.list', {}))}`,
        `A status: ${await said(() => a.api.call('status', {}))}`,
        `B status: ${await said(() => b.api.call('status', {}))}`,
        `A events: ${await said(() => recent(a))}`,
        `B events: ${await said(() => recent(b))}`,
        `A stderr: ${a.stderr()}`,
        `B stderr: ${b.stderr()}`,
      ].join('\n'),
    );
    throw err;
  }
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [a, b] = await Promise.all([startChild({ workers: 1 }), startChild({ workers: 1 })]);
  // Setup, not under test: A knows B, and B trusts A (so B serves A once A trusts B, in step 2).
  await a.api.call('peers.add', { multiaddr: b.listen });
  await b.api.call('trust.set', { peer_id: a.peerId, weight: 1 });
  browser = await launchChromium();
});

after(() => stopNodesAndBrowser([a, b], browser));

test('1. the dashboard shows once the node answered, with my peer id', { timeout: 20_000 }, async () => {
  page = await openPage(uiOf(a));
  await page.getByTestId('page-dashboard').waitFor();
  assert.match((await page.getByTestId('peer-id').textContent()) ?? '', new RegExp(a.peerId.slice(0, 12)));
  // What the scheduler does (core/scheduler/allocate.ts): served in turn, mutual trust first; not shares.
  const sharing = page.locator('.sharing-detail');
  await sharing.filter({ hasText: 'those who trust you back first' }).waitFor({ timeout: 10_000 }); // once calibrated
  assert.doesNotMatch((await sharing.textContent()) ?? '', /proportion/);
  await shoot(page, '01-dashboard');
  assertNoPageErrors();
});

test("2. Peers & trust: B's slider moved to 0.8 by keyboard sets my trust in B", { timeout: 20_000 }, async () => {
  await goTo(page, 'peers');
  const slider = page.getByTestId(`trust-slider-${b.peerId}`);
  await slider.focus();
  await slider.press('End');
  await waitFor(
    'trust 1 for B',
    async () =>
      (await a.api.call('trust.list', {})).trust.some((t) => t.peer_id === b.peerId && t.weight === 1)
        ? true
        : undefined,
    5_000,
  );
  for (let i = 0; i < 4; i++) await slider.press('ArrowLeft');
  let weight: number | undefined;
  await waitFor(
    'trust 0.8 for B on A',
    async () => {
      weight = (await a.api.call('trust.list', {})).trust.find((t) => t.peer_id === b.peerId)?.weight;
      return weight !== undefined && Math.abs(weight - 0.8) < 1e-9 ? true : undefined;
    },
    5_000,
  ).catch(async (err: unknown) => {
    const { events } = await a.api.call('events.since', { after: 0, limit: 10_000 });
    const set = events.flatMap((e) => (e.type === 'trust.changed' ? [JSON.stringify(e.data)] : []));
    throw new Error(`${String(err)}: A's trust in B is ${weight}; the trust A was given, in order: ${set.join(', ')}`);
  });
  await page.waitForFunction(
    (id) => document.querySelector(`[data-testid="trust-mine-${id}"]`)?.textContent?.includes('0.80'),
    b.peerId,
    { timeout: 5_000 },
  );
  await shoot(page, '02-peers');
  assertNoPageErrors();
});

test('2b. Peers & trust: who may use my computer, set and cleared by hand', { timeout: 20_000 }, async () => {
  const policiesAre = (expected: unknown) =>
    waitFor(
      `A's policies to be ${JSON.stringify(expected)}`,
      async () => {
        const { policies } = await a.api.call('policies.get', {});
        return JSON.stringify(policies) === JSON.stringify(expected) ? true : undefined;
      },
      5_000,
    );
  await page.getByTestId('policy-none').waitFor();
  await page.getByTestId('policy-quota-input').fill('5');
  await page.getByTestId('policy-quota-set').click();
  await policiesAre([{ kind: 'quota', units_per_day: 5 }]);
  await page.getByTestId(`policy-permit-${b.peerId}`).check();
  await page.getByTestId('policy-permit-save').click();
  await policiesAre([
    { kind: 'quota', units_per_day: 5 },
    { kind: 'permit_list', peers: [b.peerId] },
  ]);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="policy-item-quota"]')?.textContent?.includes('At most 5 units'),
    undefined,
    { timeout: 5_000 },
  );
  await shoot(page, '02b-policies');
  await page.getByTestId('policy-remove-quota').click();
  await policiesAre([{ kind: 'permit_list', peers: [b.peerId] }]);
  await page.getByTestId('policy-clear-all').click();
  await policiesAre([]);
  await page.getByTestId('policy-none').waitFor();
  assertNoPageErrors();
});

test('3. Availability: dragging over Monday 09–12 paints one weekly window', { timeout: 20_000 }, async () => {
  await goTo(page, 'availability');
  const cell = (day: number, hour: number) => page.getByTestId(`slot-cell-${day}-${hour}`);
  // Each cell is found where it is when the mouse goes to it (hover waits for it to be visible and
  // stable): a box measured before the page's cards had loaded could be pushed away by them, and a
  // CI run's drag then painted nothing.
  await cell(1, 9).hover();
  await page.mouse.down();
  for (const hour of [10, 11]) await cell(1, hour).hover();
  await page.mouse.up();
  const windows = await waitFor(
    'the window on A',
    async () => {
      const listed = (await a.api.call('windows.list', {})).windows;
      return listed.length > 0 ? listed : undefined;
    },
    5_000,
  );
  assert.equal(windows.length, 1, 'one drag, one window');
  assert.deepEqual(
    [windows[0]!.window.days, windows[0]!.window.start, windows[0]!.window.end],
    [[1], '09:00', '12:00'],
  );
  for (const hour of [9, 10, 11])
    await page.waitForSelector(`[data-testid="slot-cell-1-${hour}"][data-painted="true"]`, { timeout: 5_000 });
  for (const [day, hour] of [
    [1, 8],
    [1, 12],
    [2, 10],
    [0, 10],
  ] as const)
    assert.notEqual(await cell(day, hour).getAttribute('data-painted'), 'true', `${day}-${hour} is not painted`);
  await shoot(page, '03-availability');
  assertNoPageErrors();
});

test('4. Dashboard: the sharing switch turns sharing off, then on again', { timeout: 20_000 }, async () => {
  await goTo(page, 'dashboard');
  const sharingSwitch = page.getByTestId('sharing-switch');
  assert.equal(await sharingSwitch.isChecked(), true, 'a new node shares');
  for (const [on, shot] of [
    [false, '04-dashboard-sharing-off'],
    [true, '05-dashboard-sharing-on'],
  ] as const) {
    await sharingSwitch.click();
    await waitFor(
      `sharing ${on ? 'on' : 'off'} on A`,
      async () => ((await a.api.call('status', {})).sharing === on ? true : undefined),
      5_000,
    );
    await page.waitForFunction(
      ([wanted]) => document.querySelector<HTMLInputElement>('[data-testid="sharing-switch"]')?.checked === wanted,
      [on] as const,
      { timeout: 5_000 },
    );
    // With sharing off, the card says what that costs the user's own jobs (core/scheduler/reciprocity.ts).
    const card = (await page.locator('.sharing-detail').textContent()) ?? '';
    assert.equal(/do not trust you fully run 1 unit of your jobs per 120 s/.test(card), !on, card);
    await shoot(page, shot);
  }
  assertNoPageErrors();
});

test(
  "4b. Jobs: the New job card shows one kind's form at a time, picked by its tabs or the arrow keys, kept across pages",
  { timeout: 20_000 },
  async () => {
    await goTo(page, 'jobs');
    const card = page.getByTestId('new-job');
    assert.deepEqual(
      await card.getByRole('tab').allTextContents(),
      JOB_FORMS.map(([label]) => label),
    );
    const formsShown = () =>
      page
        .getByTestId('page-jobs')
        .locator('form')
        .evaluateAll((forms) => forms.map((f) => f.getAttribute('data-testid')));
    assert.deepEqual(await formsShown(), ['render-form'], 'Render, the first kind, by default');
    for (const [label, form] of JOB_FORMS) {
      await chooseJobKind(page, label);
      assert.deepEqual(await formsShown(), [form], `${label}: its form alone`);
      assert.equal(await card.getByRole('tab', { selected: true }).textContent(), label);
      const height = await page.locator('.jobs-forms').evaluate((column) => column.getBoundingClientRect().height);
      assert.ok(height < FORMS_COLUMN_MAX_PX, `${label}: the forms' column stands ${height} px`);
    }
    // The arrow keys go round the tabs, each showing its form; Home goes to the first.
    const focusedTab = () =>
      page.evaluate(() => document.activeElement?.getAttribute('role') + ' ' + document.activeElement?.textContent);
    await card.getByRole('tab', { selected: true }).focus();
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(
      [await focusedTab(), await formsShown()],
      ['tab Render', ['render-form']],
      'from the last to the first',
    );
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual([await focusedTab(), await formsShown()], ['tab Workflow', ['workflow-form']]);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual([await focusedTab(), await formsShown()], ['tab Blender scene', ['blender-form']]);
    // The kind picked is kept: the Jobs page shows it again after another page.
    await goTo(page, 'dashboard');
    await goTo(page, 'jobs');
    assert.deepEqual(await formsShown(), ['blender-form']);
    await shoot(page, '05b-jobs-new-job');
    await chooseJobKind(page, 'Render');
    assertNoPageErrors();
  },
);

test(
  '5. Jobs: a render job submitted from the form fills its mosaics and completes',
  { timeout: RENDER_TIMEOUT_MS + 20_000 },
  async () => {
    await goTo(page, 'jobs');
    await chooseJobKind(page, 'Render');
    const scenes = await page
      .getByTestId('render-scene')
      .locator('option')
      .evaluateAll((options) =>
        options.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })),
      );
    const sample = scenes.find((s) => /sample/i.test(`${s.value} ${s.text}`));
    assert.ok(sample, `a sample scene is offered: ${JSON.stringify(scenes)}`);
    await page.getByTestId('render-scene').selectOption(sample.value);
    const fields: [string, string][] = [
      ['render-frames', '1-2'],
      ['render-width', '160'],
      ['render-height', '90'],
      ['render-spp', '4'],
      ['render-tile', '32'],
      ['render-redundancy', '1'],
      ['render-budget', '100'],
    ];
    for (const [testId, value] of fields) await page.getByTestId(testId).fill(value);
    assert.equal(await page.getByTestId('render-manual').isChecked(), false);
    const quotedCost = await quoteInTheForm(page, `${TILES_PER_FRAME * 2} tiles of 32 px, 2 frames`, '100');
    await page.getByTestId('render-submit').click();

    const jobs = await waitFor(
      'the job on A',
      async () => {
        const listed = (await a.api.call('jobs.list', {})).jobs;
        return listed.length > 0 ? listed : undefined;
      },
      5_000,
    );
    jobId = jobs[0]!.job_id;
    await page.getByTestId(`job-${jobId}`).waitFor();
    await shoot(page, '06-jobs-running');

    for (const frame of FRAMES) {
      await explainOnFailure(() =>
        page.waitForFunction(
          (id) => {
            const mosaic = document.querySelector(`[data-testid="${id}"]`);
            const total = Number(mosaic?.getAttribute('data-tiles-total'));
            return total > 0 && Number(mosaic?.getAttribute('data-tiles-done')) === total;
          },
          `mosaic-${jobId}-${frame}`,
          { timeout: RENDER_TIMEOUT_MS },
        ),
      );
      assert.equal(
        await page.getByTestId(`mosaic-${jobId}-${frame}`).getAttribute('data-tiles-total'),
        String(TILES_PER_FRAME),
      );
    }
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid="job-state-${id}"]`)?.textContent?.includes('completed'),
      jobId,
      { timeout: 15_000 },
    );
    completedAsQuoted((await a.api.call('jobs.status', { job_id: jobId })).job, quotedCost);
    await shoot(page, '07-jobs-completed');
    assertNoPageErrors();
  },
);

test(
  '6. a finished frame opens in the viewer: a 160×90 PNG, the same bytes the node holds',
  { timeout: 20_000 },
  async () => {
    await page.getByTestId(`open-frame-${jobId}-1`).click();
    const image = page.getByTestId('frame-viewer').locator('img');
    await image.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid="frame-viewer"] img');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    const { width, height, src } = await image.evaluate((img: HTMLImageElement) => ({
      width: img.naturalWidth,
      height: img.naturalHeight,
      src: img.src,
    }));
    assert.deepEqual([width, height], [160, 90]);
    assert.match(src, /^data:image\/png;base64,/, 'the viewer shows the PNG as a data URL');
    const shown = Buffer.from(src.slice(src.indexOf(',') + 1), 'base64');
    const { png_base64 } = await a.api.call('jobs.frame', { job_id: jobId, frame: 1 });
    assert.ok(shown.equals(Buffer.from(png_base64, 'base64')), 'the PNG shown is byte-identical to jobs.frame');
    assert.ok(await page.getByTestId('save-frame').getAttribute('href'), 'the frame can be saved');
    await shoot(page, '08-frame-viewer');
    assertNoPageErrors();
  },
);

test(
  '6b. Jobs: a job short of budget pauses, its card says what it needs; Raise there, it completes',
  { timeout: 60_000 },
  async () => {
    // A hash job of 20 units, one a pack, whose budget (0.020 credits) B's prices use up early.
    const { job_id } = await a.api.call('jobs.submit', {
      name: 'budget raised in the UI',
      library: 'hash',
      method: 'sha256',
      input_base64: Buffer.alloc(20 * 64, 7).toString('base64'),
      chunk_bytes: 64,
      units_per_pack: 1,
      redundancy: 1,
      budget: 20,
    });
    await page.keyboard.press('Escape'); // close the viewer, as a person would before moving on
    await page.getByTestId(`job-${job_id}`).waitFor();
    await explainOnFailure(() =>
      page.waitForFunction(
        (id) => document.querySelector(`[data-testid="job-state-${id}"]`)?.textContent === 'paused',
        job_id,
        { timeout: 30_000 },
      ),
    );
    const { job: paused } = await a.api.call('jobs.status', { job_id });
    await raiseOnTheCard(page, paused);
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid="job-state-${id}"]`)?.textContent?.includes('completed'),
      job_id,
      { timeout: 30_000 },
    );
    const { job } = await a.api.call('jobs.status', { job_id });
    assert.equal(job.budget, paused.budget_needed);
    assert.equal(job.units_verified, 20);
    assertNoPageErrors();
  },
);

test(
  "7. Earnings: A's spending and B's earnings show as their ledgers have them, and the chart draws them",
  { timeout: 30_000 },
  async () => {
    await goTo(page, 'earnings');
    const spentByA = await ledgerTotals(a);
    assert.ok(Number(spentByA.spent) > 0, 'A paid for the tiles');
    await waitForText(page, 'spent-total', spentByA.spent);
    await earningsChartDrawn(page);
    await shoot(page, '09-earnings-a');

    const pageOfB = await openPage(uiOf(b));
    await goTo(pageOfB, 'earnings');
    const earnedByB = await ledgerTotals(b);
    assert.ok(Number(earnedByB.earned) > 0, 'B was paid for the tiles');
    await waitForText(pageOfB, 'earned-total', earnedByB.earned);
    await earningsChartDrawn(pageOfB);
    await shoot(pageOfB, '10-earnings-b');
    await pageOfB.close();
    assertNoPageErrors();
  },
);

test('8. Settings and Logs; the log shows the render events', { timeout: 20_000 }, async () => {
  await goTo(page, 'settings');
  await shoot(page, '11-settings');
  await goTo(page, 'logs');
  await page.waitForFunction(
    () => /render\.(tile|frame)/.test(document.querySelector('[data-testid="page-logs"]')?.textContent ?? ''),
    undefined,
    { timeout: 5_000 },
  );
  await shoot(page, '12-logs');
  await goTo(page, 'dashboard');
  await shoot(page, '13-dashboard-after-job');
  assertNoPageErrors();
});

const PAGES = ['dashboard', 'availability', 'peers', 'circles', 'jobs', 'earnings', 'settings', 'logs'];

test(
  '9. every page: no serious or critical axe violation, and Tab reaches every control',
  { timeout: 60_000 },
  async () => {
    for (const name of PAGES) {
      await goTo(page, name);
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, { timeout: 10_000 });
      assert.deepEqual(await seriousViolations(page), [], `axe on the ${name} page`);
      assert.deepEqual(await unreachableByKeyboard(page), [], `controls of the ${name} page that Tab never reaches`);
    }
    assertNoPageErrors();
  },
);

test(
  '10. Jobs: a job that needs two providers, with only B to run it, says so on its card',
  { timeout: 20_000 },
  async () => {
    const { job_id } = await a.api.call('jobs.submit', {
      library: 'hash',
      method: 'sha256',
      input_base64: Buffer.alloc(64).toString('base64'),
      chunk_bytes: 64,
      redundancy: 2,
      budget: 1000,
    });
    await goTo(page, 'jobs');
    const waiting = page.getByTestId(`job-waiting-${job_id}`);
    await waiting.waitFor({ timeout: 15_000 });
    assert.match(
      (await waiting.textContent()) ?? '',
      /^waiting: each unit needs 2 different providers, and 1 that works for you offers cores now$/,
    );
    const meta = (await page.getByTestId(`job-${job_id}`).textContent()) ?? '';
    assert.match(meta, /0\/1 units/, 'not a render job: its units are units, not tiles');
    assert.doesNotMatch(meta, /pack/, 'one unit: no packs to speak of');
    await shoot(page, '14-jobs-waiting');
    await a.api.call('jobs.cancel', { job_id });
    assertNoPageErrors();
  },
);
