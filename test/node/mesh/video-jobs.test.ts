// The video library as mesh jobs, on three real nodes on loopback: a requester (a daemon, as meshctl
// reaches it) and two providers, each unit computed by both (redundancy 2) and verified by their
// outputs' hashes agreeing. The sample scene's animation (assets/scenes/orbit.json) is rendered,
// then `meshctl job video` makes its frames into a WebM by a video/encode job: ffprobe reads VP8,
// the frame count, size and duration, and every frame ffmpeg decodes from it is within 30 dB PSNR
// of the rendered PNG. A job that is no render, or a bitrate and a quality both, are refused before
// anything is submitted. `meshctl run video encode` and `video frames`: library-every-method.test.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { ffprobe } from '../reference/media.js';
import { daemonAndProviders } from './cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-video-jobs-'));
const dataDir = join(dir, 'requester');

let mesh: Awaited<ReturnType<typeof daemonAndProviders>>;
before(async () => {
  mesh = await daemonAndProviders(dataDir);
});
after(async () => {
  await mesh.stop();
  rmSync(dir, { recursive: true, force: true });
});

const meshctl = (...args: string[]) => runMeshctl([...args, '--data-dir', dataDir]);
const [W, H, FRAMES] = [160, 96, 6];
/** RGB bytes of a PNG, by ImageMagick. */
const rgb = (png: Uint8Array) => execFileSync('/usr/bin/convert', ['-', '-depth', '8', 'rgb:-'], { input: png });

function psnr(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.byteLength, b.byteLength, 'the same size');
  let sum = 0;
  for (let i = 0; i < a.byteLength; i++) sum += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (sum / a.byteLength));
}

test("a rendered animation's frames become a WebM on the mesh (meshctl job video)", { timeout: 300_000 }, async () => {
  const frames = join(dir, 'frames');
  const size = ['--width', String(W), '--height', String(H), '--spp', '4'];
  const render = await meshctl(
    'submit-job',
    '--render',
    'assets/scenes/orbit.json',
    '--frames',
    `0-${FRAMES - 1}`,
    ...size,
    '--redundancy',
    '2',
    '--budget',
    '1000',
    '--out',
    frames,
  );
  assert.equal(render.status, 0, render.stderr);
  const renderJob = /job-[0-9a-f]+/.exec(render.stdout)![0];
  const webm = join(dir, 'orbit.webm');
  const video = await meshctl(
    'job',
    'video',
    renderJob,
    '--fps',
    '6',
    '--out',
    webm,
    '--redundancy',
    '2',
    '--budget',
    '1000',
  );
  assert.equal(video.status, 0, video.stderr);
  assert.match(video.stdout, new RegExp(`completed: ${FRAMES} frames, \\d+ bytes written to ${webm}`));

  const probe = ffprobe(webm);
  assert.equal(probe.streams[0]!.codec_name, 'vp8');
  assert.deepEqual([probe.streams[0]!.width, probe.streams[0]!.height], [W, H]);
  assert.equal(Number(probe.streams[0]!.nb_read_frames), FRAMES);
  assert.ok(Math.abs(Number(probe.format.duration) - FRAMES / 6) < 0.002, probe.format.duration);
  const decoded = execFileSync('ffmpeg', ['-v', 'error', '-i', webm, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  const pngs = readdirSync(frames)
    .filter((f) => f.endsWith('.png'))
    .sort();
  assert.equal(pngs.length, FRAMES);
  for (const [i, png] of pngs.entries()) {
    const db = psnr(decoded.subarray(i * W * H * 3, (i + 1) * W * H * 3), rgb(readFileSync(join(frames, png))));
    assert.ok(db > 30, `frame ${i}: ${db.toFixed(1)} dB from the rendered frame`);
  }

  // The video job was one unit, computed by both providers and verified.
  const { jobs } = await mesh.handlers['jobs.list']({});
  const encodeJob = jobs.find((j) => j.name === `video of ${renderJob}`)!;
  assert.equal(encodeJob.units_verified, 1);

  // Refused before anything is submitted: a job that is no render, two rate controls at once.
  const notRender = await meshctl('job', 'video', encodeJob.job_id, '--out', webm, '--budget', '10');
  assert.equal(notRender.status, 1);
  assert.match(notRender.stderr, /is a wasi\S* job: a video is made of a render or Blender job's frames/);
  const both = await meshctl(
    'job',
    'video',
    renderJob,
    '--bitrate',
    '500',
    '--quality',
    '9',
    '--out',
    webm,
    '--budget',
    '10',
  );
  assert.equal(both.status, 1);
  assert.match(both.stderr, /--bitrate or --quality, not both/);
  assert.equal((await mesh.handlers['jobs.list']({})).jobs.length, jobs.length);
});
