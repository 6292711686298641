// A rendered animation made into a video from the Jobs page, in a real browser against real nodes:
// A's UI in Chromium, B computing for A. The sample scene's animation (assets/scenes/orbit.json,
// 6 frames at 160 × 96) is rendered on the mesh; its card's Make video button submits the video
// encode job of its frames, whose card plays the WebM in a <video> element: Chromium reads its
// duration (6 frames at 24 fps) and a frame drawn to a canvas has pixels that are not blank. Any
// console error, uncaught exception or serious accessibility fault in the page fails the test.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { meshctl, type ChildNode } from '../test/node/mesh/child-nodes.js';
import { waitFor } from '../test/node/mesh/cluster.js';
import { seriousViolations } from './a11y.js';
import { openJobsPage, startTrustedPair, stopNodesAndBrowser } from './node-pair.js';
import { shoot } from './page-tools.js';

const FRAMES = 6;

let a: ChildNode;
let b: ChildNode;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  ({ a, b, browser } = await startTrustedPair());
});

after(() => stopNodesAndBrowser([a, b], browser));

test(
  "a render job's Make video button: the WebM plays in a <video>, its duration read and a frame drawn",
  { timeout: 300_000 },
  async () => {
    const out = mkdtempSync(join(tmpdir(), 'mesh-e2e-video-'));
    const size = ['--width', '160', '--height', '96', '--spp', '4'];
    const frames = ['--frames', `0-${FRAMES - 1}`];
    const render = await meshctl([
      'submit-job',
      '--render',
      'assets/scenes/orbit.json',
      ...frames,
      ...size,
      '--budget',
      '1000',
      '--out',
      out,
      '--data-dir',
      a.dataDir,
    ]);
    assert.equal(render.code, 0, render.stderr);
    const renderJob = /job-[0-9a-f]+/.exec(render.stdout)![0];

    const page = await openJobsPage(browser!, a, pageErrors);
    const known = new Set((await a.api.call('jobs.list', {})).jobs.map((j) => j.job_id));
    await page.getByTestId(`job-video-${renderJob}`).click();
    const job = await waitFor(
      'the video job on A',
      async () => (await a.api.call('jobs.list', {})).jobs.find((j) => !known.has(j.job_id)),
      60_000,
    );
    assert.equal(job.name, `video of ${(await a.api.call('jobs.status', { job_id: renderJob })).job.name}`);
    const player = page.getByTestId(`library-results-${job.job_id}`).getByTestId('library-video-0');
    await player.waitFor({ timeout: 120_000 });
    const played = await player.evaluate(async (video: HTMLVideoElement) => {
      const event = (name: string) =>
        new Promise<void>((resolve, reject) => {
          video.addEventListener(name, () => resolve(), { once: true });
          video.addEventListener('error', () => reject(new Error(`video error ${video.error?.code}`)), { once: true });
        });
      if (video.readyState < 1) await event('loadedmetadata');
      // A frame decoded to draw: seek into the first frame's time.
      const seeked = event('seeked');
      video.currentTime = 0.01;
      await seeked;
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
      const context = canvas.getContext('2d')!;
      context.drawImage(video, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let lit = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! + pixels[i + 1]! + pixels[i + 2]! > 30) lit++;
      return { duration: video.duration, width: video.videoWidth, height: video.videoHeight, lit };
    });
    assert.ok(Math.abs(played.duration - FRAMES / 24) < 0.01, `duration ${played.duration}`);
    assert.deepEqual([played.width, played.height], [160, 96]);
    assert.ok(played.lit > 160 * 96 * 0.2, `${played.lit} of ${160 * 96} pixels are not blank`);
    await shoot(page, 'video-01-player');
    assert.deepEqual(await seriousViolations(page), [], 'axe on the Jobs page with a video');
    assert.deepEqual(pageErrors, []);
  },
);
