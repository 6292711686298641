// A scene whose compositor reads pixels outside a crop (a glare node), on real nodes on loopback: no
// crop of its frames can check them, so none convicts anyone. Its providers render the view layer's
// render before the compositor (a float EXR), which a crop checks exactly, and the requester runs
// the compositor over each checked render: redundancy 1, and its frames a local render's. Before,
// the requester cropped the composite: 30 % of a crop's pixels matched an honest frame, and both
// honest providers were convicted of lying; then each frame was rendered by two providers and
// compared. A crop that fails is confirmed by the whole frame before anyone is convicted: an honest
// frame that fails its crop matches the whole render; a cheat's fails that too.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BlenderUnitParamsSchema } from '../../../src-main/core/blender/unit.js';
import { validate } from '../../../src-main/core/schemas/index.js';
import { findBlender } from '../../../src-main/node/blender/install.js';
import { identicalShare } from '../../../src-main/core/blender/compare.js';
import { decodeRgba } from '../../../src-main/node/blender/png.js';
import {
  compareWithCrop,
  compositeUnit,
  confirmWhole,
  renderCheckCrops,
  renderUnit,
  type BlenderUnit,
} from '../../../src-main/node/blender/unit.js';
import type { Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders, jobEnded, type TestNode } from '../mesh/cluster.js';
import { blenderSharing } from './providers.js';
import { blendJobArgs, GLARE, HEIGHT, localFrame, makeScene, WIDTH, writtenFramesMatchLocal } from './scenes.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-composite-'));
const dataDir = join(dir, 'requester');
const scene = join(dir, 'glare.blend');
const SAMPLES = 4;

let daemon: Daemon;
let stop: () => Promise<void>;
let providers: TestNode[];

before(async () => {
  makeScene(scene, GLARE);
  ({ daemon, providers, stop } = await daemonAndProviders(dataDir, 2));
});
after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Frame `frame` of the glare scene as a unit of this machine's Blender, at the job's samples and seed, with `params`. */
async function glareUnit(frame: number, params: Record<string, unknown>): Promise<BlenderUnit> {
  const found = await findBlender();
  assert.ok(found.ok);
  const base = { file: 'glare.blend', zip: false, samples: SAMPLES, seed: 3, width: WIDTH, height: HEIGHT };
  const valid = validate(BlenderUnitParamsSchema, { ...base, ...params });
  assert.ok(valid.ok, valid.ok ? '' : valid.error.message);
  return { blender: found.install.path, scene: readFileSync(scene), params: valid.value, frame };
}

test("a glare scene: its render before the compositor checked by a crop, the compositor run by the requester; nobody convicted; its frames a local render's", async () => {
  for (const p of providers) await blenderSharing(p, true);
  const exr = await runMeshctl(
    blendJobArgs({ scene, frames: '1', samples: SAMPLES, seed: 3, dataDir }, '--format', 'exr'),
  );
  assert.equal(exr.status, 1, exr.stdout);
  assert.match(
    exr.stderr,
    /--format exr: EXR frames of this scene are not made: its compositor runs here over the checked renders and writes PNG \(the compositor has a glare node/,
  );

  const run = await runMeshctl(blendJobArgs({ scene, frames: '1-2', samples: SAMPLES, seed: 3, dataDir }));
  assert.equal(run.status, 0, run.stderr);
  assert.match(
    run.stdout,
    /^checked: a random quarter of each frame's render before the compositor re-rendered here, then the compositor run here over the checked render \(the compositor has a glare node, which reads pixels outside a crop\)$/m,
  );
  const jobId = /^submitted job (\S+): \d+ frames?$/m.exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  const record = daemon.node.state.jobs.get(jobId)!;
  assert.equal(record.job.blender_composite, true, 'the job record says so');
  assert.equal(record.job.blender_agreement, undefined);
  assert.equal(record.job.redundancy, 1, 'a frame by one provider');

  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.units_verified, 2);
  const { checks } = daemon.node.state;
  for (const p of providers) assert.equal(checks.isConvicted(p.node.peerId), false, 'no honest provider convicted');
  const { events } = await daemon.handlers['events.since']({ after: 0, limit: 10_000 });
  assert.equal(events.filter((e) => e.type === 'peer.caught_lying').length, 0);
  assert.equal(
    events.filter((e) => e.type === 'blender.checked' && e.data['job_id'] === jobId).length,
    2,
    "each frame's render checked by a crop",
  );
  assert.equal(record.frames.size, 2, 'both frames composited here');
  await writtenFramesMatchLocal({ jobId, dataDir, scene, dir, frames: [1, 2], samples: SAMPLES, seed: 3 });
});

test("a render before the compositor: an honest one passes its crop exactly and composites to a local render's pixels; a 1-sample one fails", async () => {
  const unit = await glareUnit(2, { format: 'exr', raw_layer: 'ViewLayer' });
  const honest = await renderUnit(unit);
  const [crop, again] = await renderCheckCrops([unit, unit]);
  for (const own of [crop!, again!]) {
    const checked = await compareWithCrop(unit, honest.output, own);
    assert.equal(checked.agrees, true, checked.why);
    assert.deepEqual(
      checked.crops.map((c) => c.share),
      [1],
      'every pixel of the crop',
    );
  }
  const composited = decodeRgba(await compositeUnit(unit, honest.output));
  const local = await localFrame({ blender: unit.blender, scene, dir, frame: 2, samples: SAMPLES, seed: 3 });
  assert.equal(identicalShare(composited, local), 1, "the composite is a local render's frame, every pixel");

  const cheat = await renderUnit({ ...unit, params: { ...unit.params, samples: 1 } });
  const cheated = await compareWithCrop(unit, cheat.output, crop!);
  assert.equal(cheated.agrees, false, 'a 1-sample render fails its crop');
});

test('a failed crop is confirmed by the whole frame: an honest frame passes it, a 1-sample frame does not', async () => {
  const unit = await glareUnit(1, { format: 'png' });
  const honest = await renderUnit(unit);
  const [crop] = await renderCheckCrops([unit]);
  const cropped = await compareWithCrop(unit, honest.output, crop!);
  assert.equal(cropped.agrees, false, 'the crop of a glare scene fails an honest frame: it cannot check it');
  assert.ok(cropped.image);
  const whole = await confirmWhole(unit, cropped.image);
  assert.equal(whole.agrees, true, `the whole render confirms the honest frame (${whole.share})`);

  const cheat = await renderUnit({ ...unit, params: { ...unit.params, samples: 1 } });
  const cheated = await compareWithCrop(unit, cheat.output, crop!);
  assert.equal(cheated.agrees, false);
  const confirmed = await confirmWhole(unit, cheated.image!);
  assert.equal(confirmed.agrees, false, `a 1-sample frame fails the whole render too (${confirmed.share})`);
});
