// A scene whose compositor reads pixels outside a crop (a glare node), on real nodes on loopback: no
// crop can check its frames, so none convicts anyone. Its job runs each frame on two providers and
// compares their frames (redundancy 2, never a conviction), and its frames are a local render's.
// Before, the requester cropped: 30 % of a crop's pixels matched an honest frame, and both honest
// providers were convicted of lying. A crop that fails is confirmed by the whole frame before
// anyone is convicted: an honest frame that fails its crop matches the whole render; a cheat's
// fails that too.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BlenderUnitParamsSchema } from '../../../src-main/core/blender/unit.js';
import { validate } from '../../../src-main/core/schemas/index.js';
import { findBlender } from '../../../src-main/node/blender/install.js';
import {
  compareWithCrop,
  confirmWhole,
  renderCheckCrops,
  renderUnit,
  type BlenderUnit,
} from '../../../src-main/node/blender/unit.js';
import type { Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders, jobEnded, type TestNode } from '../mesh/cluster.js';
import { blenderSharing } from './providers.js';
import { blendJobArgs, GLARE, HEIGHT, makeScene, WIDTH, writtenFramesMatchLocal } from './scenes.js';

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

test('a glare scene: checked by two providers, not by a crop; nobody convicted; its frames a local render', async () => {
  for (const p of providers) await blenderSharing(p, true);
  const exr = await runMeshctl(
    blendJobArgs({ scene, frames: '1', samples: SAMPLES, seed: 3, dataDir }, '--format', 'exr'),
  );
  assert.equal(exr.status, 1, exr.stdout);
  assert.match(exr.stderr, /--format exr: no crop can check this scene's frames \(the compositor has a glare node/);

  const run = await runMeshctl(blendJobArgs({ scene, frames: '1-2', samples: SAMPLES, seed: 3, dataDir }));
  assert.equal(run.status, 0, run.stderr);
  assert.match(
    run.stdout,
    /^checked: each frame rendered by two providers and compared, never by a crop \(the compositor has a glare node, which reads pixels outside a crop\); a disagreement convicts nobody$/m,
  );
  const jobId = /^submitted job (\S+): \d+ frames?$/m.exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  const record = daemon.node.state.jobs.get(jobId)!;
  assert.equal(record.job.blender_agreement, true, 'the job record says so');
  assert.equal(record.job.redundancy, 2);

  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.units_verified, 2);
  const { checks } = daemon.node.state;
  for (const p of providers) assert.equal(checks.isConvicted(p.node.peerId), false, 'no honest provider convicted');
  const { events } = await daemon.handlers['events.since']({ after: 0, limit: 10_000 });
  assert.equal(events.filter((e) => e.type === 'peer.caught_lying').length, 0);
  assert.equal(
    events.filter((e) => e.type === 'blender.checked' && e.data['job_id'] === jobId).length,
    0,
    'no crop was rendered for it',
  );
  await writtenFramesMatchLocal({ jobId, dataDir, scene, dir, frames: [1, 2], samples: SAMPLES, seed: 3 });
});

test('a failed crop is confirmed by the whole frame: an honest frame passes it, a 1-sample frame does not', async () => {
  const found = await findBlender();
  assert.ok(found.ok);
  const params = validate(BlenderUnitParamsSchema, {
    file: 'glare.blend',
    zip: false,
    samples: SAMPLES,
    seed: 3,
    width: WIDTH,
    height: HEIGHT,
    format: 'png',
  });
  assert.ok(params.ok);
  const unit: BlenderUnit = { blender: found.install.path, scene: readFileSync(scene), params: params.value, frame: 1 };
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
