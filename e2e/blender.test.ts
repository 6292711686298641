// Blender jobs in the app, in a real browser against real nodes with real Blender: B's Settings page
// turns "Render Blender scenes for peers" on (its status then says so, and that its Blender is
// ready); on A's Jobs page a scene made by Blender's Python here (denoising on, so the preflight
// warns) is dropped on the Blender form, and the preflight card shows its frames, samples, the
// warning and B as a peer that can render it; two frames are quoted (nothing stored), given the
// budget the quote says they need, and submitted,
// and the job's card shows each frame arrive as an image, B rendering and A checking it by pixels
// until the job is verified; a frame cut into 2x2 tiles shows, while B renders a tile, its tiles
// verified and B's samples of the tile rendering, then the stitched frame; a frame asked as OpenEXR
// shows its 8-bit preview. A scene's folder picked on the form (its texture beside the .blend, by
// a relative path) is zipped in the page and read with its texture found; a folder of 64 GiB is
// refused by its sizes, nothing read. Any console error, uncaught exception or serious
// accessibility fault in the page fails the test.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { webUiUrl } from '../src-main/node/api/index.js';
import { isBlenderAlgorithm } from '../src-main/core/blender/algorithm.js';
import { shortPeerId } from '../src-renderer/format.js';
import type { ChildNode } from '../test/node/mesh/child-nodes.js';
import { waitFor } from '../test/node/mesh/cluster.js';
import { encodeFramePng } from '../src-main/node/render/png.js';
import { makeScene, tempFolder, texture } from '../test/node/blender/scenes.js';
import { seriousViolations, unreachableByKeyboard } from './a11y.js';
import { collectPageErrors, waitUntilReady } from './browser.js';
import { openJobsPage, startTrustedPair, stopNodesAndBrowser } from './node-pair.js';
import { chooseJobKind, shoot, VIEWPORT } from './page-tools.js';

const folder = tempFolder('mesh-e2e-blender-');
const SCENE = join(folder.dir, 'orbit.blend');
/** The tiled job's samples: a 32×24 tile renders for seconds at them (about 0.6 µs a pixel-sample here). */
const TILE_SAMPLES = 8192;

let a: ChildNode;
let b: ChildNode;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  makeScene(SCENE, 's.cycles.use_denoising = True');
  ({ a, b, browser } = await startTrustedPair());
});

after(async () => {
  await stopNodesAndBrowser([a, b], browser);
  folder.done();
});

test(
  'B turns Blender sharing on in Settings; A drops a scene, sees its preflight, quotes and renders two frames, which arrive as images',
  { timeout: 400_000 },
  async () => {
    // B's Settings page: Blender found, the switch turns sharing on, and B's status says so.
    const settings = await browser!.newPage({ viewport: VIEWPORT });
    collectPageErrors(settings, pageErrors);
    await settings.goto(webUiUrl(b.api.url, b.api.token));
    await waitUntilReady(settings);
    await settings.getByTestId('nav-settings').click();
    const card = settings.getByTestId('blender-settings');
    await card.getByText(/^Blender 3\.\d+\.\d+ found \(blender-cycles\/3\.\d+\)/).waitFor({ timeout: 60_000 });
    assert.equal(await card.getByTestId('setting-blender-sharing').isChecked(), false, 'off by default');
    await card.getByTestId('setting-blender-sharing').click();
    await card.getByTestId('blender-state').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
    const { blender } = await b.api.call('status', {});
    assert.deepEqual([blender.sharing, blender.min_trust, blender.state], [true, 0.8, 'ready']);
    await shoot(settings, 'blender-01-settings');
    assert.deepEqual(await seriousViolations(settings), [], 'axe on the Settings page');
    assert.deepEqual(await unreachableByKeyboard(settings), [], 'controls of the Settings page that Tab never reaches');

    // A hears of B's Blender (its commitment advertises it) before the scene is dropped.
    const scene = { scene_base64: readFileSync(SCENE).toString('base64'), file: 'orbit.blend', zip: false };
    await waitFor(
      'B advertising Blender to A',
      async () => ((await a.api.call('blender.preflight', scene)).peers.length > 0 ? true : undefined),
      120_000,
    );

    const page = await openJobsPage(browser!, a, pageErrors);
    await chooseJobKind(page, 'Blender scene');
    const form = page.getByTestId('blender-form');
    const dropped = await page.evaluateHandle((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'orbit.blend', { type: 'application/x-blender' }));
      return data;
    }, scene.scene_base64);
    await form.getByTestId('blender-drop').dispatchEvent('drop', { dataTransfer: dropped });
    const preflight = form.getByTestId('blender-preflight');
    await preflight.waitFor({ timeout: 60_000 });
    const text = (await preflight.textContent()) ?? '';
    assert.match(text, /Frames1–4 \(4 frames\)/);
    assert.match(text, /Size64×48/);
    assert.match(text, /Samples8/);
    assert.equal(
      await form.getByTestId('blender-warning').textContent(),
      "denoising is turned off: Debian's Blender is built without OpenImageDenoise",
    );
    const peers = (await form.getByTestId('blender-peers').textContent()) ?? '';
    const { name: bName } = await b.api.call('status', {});
    assert.ok(peers.includes(bName) || peers.includes(shortPeerId(b.peerId)), peers);

    // Two frames at 4 samples, quoted (the node preflights it again; nothing stored), then rendered.
    await form.getByTestId('blender-first').fill('2');
    await form.getByTestId('blender-last').fill('3');
    await form.getByTestId('blender-samples').fill('4');
    const jobsBefore = (await a.api.call('jobs.list', {})).total;
    await form.getByTestId('blender-estimate-button').click();
    await form.getByTestId('render-estimate').waitFor({ timeout: 60_000 });
    assert.match((await form.getByTestId('render-estimate-units').textContent()) ?? '', /^2 units/);
    assert.equal((await a.api.call('jobs.list', {})).total, jobsBefore, 'the quote submitted nothing');
    // Blender's start is paid each frame: the form's 10 credits are short, and the quote says what is not.
    await form.getByTestId('render-estimate-use-budget').click();
    await shoot(page, 'blender-02-preflight');

    await form.getByTestId('blender-submit').click();
    const job = await waitFor(
      'the Blender job on A',
      async () => (await a.api.call('jobs.list', {})).jobs.find((j) => isBlenderAlgorithm(j.algorithm)),
      60_000,
    );
    assert.equal(job.name, 'orbit.blend frames 2-3');
    assert.equal(job.units_total, 2);
    const done = await waitFor(
      'the job verified',
      async () => {
        const { job: now } = await a.api.call('jobs.status', { job_id: job.job_id });
        assert.notEqual(now.state, 'failed', JSON.stringify(now));
        return now.state === 'completed' ? now : undefined;
      },
      300_000,
    );
    assert.equal(done.units_verified, 2);
    // Each frame on its card arrives as an image, drawn from the PNG B rendered and A checked.
    for (const frame of [2, 3])
      await page
        .locator(`[data-testid="mosaic-${job.job_id}-${frame}"][data-state="done"]`)
        .waitFor({ timeout: 30_000 });
    await page.getByTestId(`job-state-${job.job_id}`).filter({ hasText: 'completed' }).waitFor();
    await page.getByTestId(`open-frame-${job.job_id}-3`).click();
    const viewer = page.getByTestId('frame-viewer');
    await viewer.waitFor();
    const size = await viewer
      .locator('img')
      .evaluate((img: HTMLImageElement) => img.decode().then(() => [img.naturalWidth, img.naturalHeight]));
    assert.deepEqual(size, [64, 48], 'the frame is the scene’s size');
    await shoot(page, 'blender-03-frames');
    await page.keyboard.press('Escape');

    // Frame 1 again, cut into 2x2 tiles: four units, checked each, stitched by A into one frame; at
    // 8192 samples a tile renders for seconds, long enough for B's `Sample n/m` to reach its frame.
    await form.getByTestId('blender-first').fill('1');
    await form.getByTestId('blender-last').fill('1');
    await form.getByTestId('blender-tiles').fill('2x2');
    await form.getByTestId('blender-samples').fill(String(TILE_SAMPLES));
    await form.getByTestId('blender-estimate-button').click();
    await form
      .getByTestId('render-estimate-units')
      .filter({ hasText: /^4 units/ })
      .waitFor({ timeout: 60_000 });
    // The budget the quote says the tiles need, where the last job's is short.
    const useBudget = form.getByTestId('render-estimate-use-budget');
    if (await useBudget.isVisible()) await useBudget.click();
    await form.getByTestId('blender-submit').click();
    const tiled = await waitFor(
      'the tiled Blender job on A',
      async () => (await a.api.call('jobs.list', {})).jobs.find((j) => j.name === 'orbit.blend frame 1'),
      60_000,
    );
    assert.equal(tiled.units_total, 4, 'a unit a tile');
    // B (one worker) renders one tile at a time: the frame counts it, with B's samples of it.
    const rendering = page.locator(`[data-testid="mosaic-${tiled.job_id}-1"][data-state*="1 rendering (sample "]`);
    await rendering.waitFor({ timeout: 120_000 });
    assert.match(
      (await rendering.getAttribute('data-state')) ?? '',
      new RegExp(`^[0-3] of 4 tiles, 1 rendering \\(sample \\d+ of ${TILE_SAMPLES}\\)$`),
    );
    await page.locator(`[data-testid="mosaic-${tiled.job_id}-1"][data-state="done"]`).waitFor({ timeout: 300_000 });
    await page.getByTestId(`open-frame-${tiled.job_id}-1`).click();
    const stitched = await page
      .getByTestId('frame-viewer')
      .locator('img')
      .evaluate((img: HTMLImageElement) => img.decode().then(() => [img.naturalWidth, img.naturalHeight]));
    assert.deepEqual(stitched, [64, 48], 'the four tiles stitched into the whole frame');
    await page.keyboard.press('Escape');

    // Frame 2 as OpenEXR: checked by its pixels mapped to 8-bit, shown on its card by its preview.
    await form.getByTestId('blender-tiles').fill('');
    await form.getByTestId('blender-first').fill('2');
    await form.getByTestId('blender-last').fill('2');
    await form.getByTestId('blender-samples').fill('4');
    await form.getByTestId('blender-format').selectOption('exr');
    await form.getByTestId('blender-estimate-button').click();
    await form
      .getByTestId('render-estimate-units')
      .filter({ hasText: /^1 unit/ })
      .waitFor({ timeout: 60_000 });
    if (await useBudget.isVisible()) await useBudget.click();
    await form.getByTestId('blender-submit').click();
    const exr = await waitFor(
      'the EXR job on A',
      async () => (await a.api.call('jobs.list', {})).jobs.find((j) => j.name === 'orbit.blend frame 2'),
      60_000,
    );
    assert.equal((await a.api.call('blender.frames', { job_id: exr.job_id })).format, 'exr');
    await page.locator(`[data-testid="mosaic-${exr.job_id}-2"][data-state="done"]`).waitFor({ timeout: 300_000 });
    await page.getByTestId(`open-frame-${exr.job_id}-2`).click();
    const preview = await page
      .getByTestId('frame-viewer')
      .locator('img')
      .evaluate((img: HTMLImageElement) => img.decode().then(() => [img.naturalWidth, img.naturalHeight]));
    assert.deepEqual(preview, [64, 48], "the EXR frame's preview, the scene's size");
    await page.keyboard.press('Escape');
    assert.deepEqual(await seriousViolations(page), [], 'axe on the Jobs page with a Blender job');
    assert.deepEqual(await unreachableByKeyboard(page), [], 'controls of the Jobs page that Tab never reaches');
    assert.deepEqual(pageErrors, [], 'the pages logged no error');
  },
);

test(
  "A picks a scene's folder: zipped in the page, read by A's Blender with its texture found",
  { timeout: 120_000 },
  async () => {
    const scene = join(folder.dir, 'textured');
    mkdirSync(join(scene, 'tex'), { recursive: true });
    writeFileSync(join(scene, 'tex', 'wood.png'), encodeFramePng(1, 1, Uint8Array.of(0, 255, 0, 255)));
    makeScene(join(scene, 'shot.blend'), texture('//tex/wood.png'));
    const page = await openJobsPage(browser!, a, pageErrors);
    await chooseJobKind(page, 'Blender scene');
    const form = page.getByTestId('blender-form');
    await form.getByTestId('blender-folder').setInputFiles(scene);
    const preflight = form.getByTestId('blender-preflight');
    await preflight.waitFor({ timeout: 60_000 });
    assert.match((await preflight.textContent()) ?? '', /Images1 \(0 packed\)/);
    assert.equal(await form.getByTestId('blender-refusal').count(), 0, 'no missing texture');
    assert.match(
      (await form.getByTestId('blender-drop').textContent()) ?? '',
      /^shot\.blend \(a folder of 2 files, \d+ bytes, sent as a zip of \d+\)/,
    );
    await form.getByTestId('blender-first').waitFor();
    await shoot(page, 'blender-04-folder');
    // A folder of 64 GiB (a sparse file: no disk) is refused by its sizes, before a byte is read:
    // read first, it was an allocation that failed, or a tab that froze.
    const huge = join(folder.dir, 'huge');
    mkdirSync(huge);
    makeScene(join(huge, 'shot.blend'), '');
    writeFileSync(join(huge, 'footage.mov'), '');
    truncateSync(join(huge, 'footage.mov'), 64 * 2 ** 30);
    await form.getByTestId('blender-folder').setInputFiles(huge);
    const refusal = form.getByRole('alert');
    await refusal.waitFor({ timeout: 10_000 });
    assert.match((await refusal.textContent()) ?? '', /^Cannot send this folder: the scene is over 1073741824 bytes/);
    assert.equal(await preflight.count(), 0, 'the scene picked before is no longer shown as the one to send');
    assert.match((await form.getByTestId('blender-drop').textContent()) ?? '', /^Drop a \.blend here/);
    assert.deepEqual(pageErrors, [], 'the page logged no error');
  },
);
