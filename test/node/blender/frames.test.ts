// A Blender job's frames as the file and Blender's syntax say (issue 87): `--frames` in Blender's
// syntax (`1,3-4`), the file's frame step honoured when no frames are named, and the cameras its
// timeline markers switch to, on real nodes on loopback: a scene of frames 1–4 by 2, whose marker
// at frame 3 switches to a second camera, renders frames 1 and 3, frame 3 seen by that camera (the
// pixels of a local render of a copy whose only camera is the second).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findBlender } from '../../../src-main/node/blender/install.js';
import { decodeRgba } from '../../../src-main/node/blender/png.js';
import type { Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { IDENTICAL_SHARE, identicalShare } from '../../../src-main/core/blender/compare.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders, jobEnded, type TestNode } from '../mesh/cluster.js';
import { blenderSharing } from './providers.js';
import { localFrame, makeScene } from './scenes.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-frames-'));
const dataDir = join(dir, 'requester');
const scene = join(dir, 'cams.blend');
const secondOnly = join(dir, 'second-camera.blend');

/** Scene Python: a second camera looking down from behind; `markers`: the timeline switches to it at frame 3. */
const secondCamera = (markers: boolean) =>
  [
    'first = s.camera',
    'bpy.ops.object.camera_add(location=(0, -8, 8), rotation=(0.8, 0, 0))',
    'second = bpy.context.object',
    ...(markers
      ? [
          "s.timeline_markers.new('first', frame=1).camera = first",
          "s.timeline_markers.new('second', frame=3).camera = second",
        ]
      : ['s.camera = second']),
  ].join('\n');

let daemon: Daemon;
let stop: () => Promise<void>;
let providers: TestNode[];

before(async () => {
  makeScene(scene, `s.frame_step = 2\n${secondCamera(true)}`);
  makeScene(secondOnly, secondCamera(false));
  ({ daemon, providers, stop } = await daemonAndProviders(dataDir, 1));
});
after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The frames a job's units render, as blender.frames lists them. */
async function framesOfJob(jobId: string): Promise<number[]> {
  const { frames } = await daemon.handlers['blender.frames']({ job_id: jobId });
  return frames.map((f) => f.frame);
}

const submit = (...more: string[]) =>
  runMeshctl([
    'submit-job',
    '--blend',
    scene,
    '--samples',
    '4',
    '--seed',
    '3',
    '--budget',
    '100000',
    '--data-dir',
    dataDir,
    ...more,
  ]);

test("no --frames: the scene's frames by its step; a marker's camera renders its frames across the mesh", async () => {
  await blenderSharing(providers[0]!, true);
  const run = await submit();
  assert.equal(run.status, 0, run.stderr);
  const jobId = /^submitted job (\S+): 2 frames$/m.exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  assert.deepEqual(await framesOfJob(jobId), [1, 3]);
  assert.match(daemon.node.state.jobs.get(jobId)!.job.name, /cams\.blend frames 1-3 by 2/);
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));

  const out = join(dir, 'out');
  const written = await runMeshctl(['job', 'output', jobId, '--out', out, '--data-dir', dataDir]);
  assert.equal(written.status, 0, written.stderr);
  const found = await findBlender();
  assert.ok(found.ok);
  const blender = found.install.path;
  const third = decodeRgba(readFileSync(join(out, '0003.png')));
  const bySecond = await localFrame({ blender, scene: secondOnly, dir, frame: 3, samples: 4, seed: 3 });
  assert.ok(identicalShare(third, bySecond) >= IDENTICAL_SHARE, 'frame 3 is seen by the camera its marker names');
  const byFirst = await localFrame({ blender, scene, dir, frame: 1, samples: 4, seed: 3 });
  const first = decodeRgba(readFileSync(join(out, '0001.png')));
  assert.ok(identicalShare(first, byFirst) >= IDENTICAL_SHARE);
  assert.ok(identicalShare(third, byFirst) < 0.5, 'and not by the first camera');
});

test("--frames in Blender's syntax; a part outside the scene, or tiles of frames that do not follow, refused", async () => {
  const quoted = await submit('--frames', '4,1-2', '--dry-run');
  assert.equal(quoted.status, 0, quoted.stderr);
  assert.match(quoted.stdout, /^dry run: nothing submitted\nunits {6}2 units\n/m);
  const outside = await submit('--frames', '1,3-9');
  assert.equal(outside.status, 1);
  assert.match(outside.stderr, /--frames: 3-9 is outside the scene's frames 1-4/);
  const tiled = await submit('--tiles', '2x1');
  assert.equal(tiled.status, 1);
  assert.match(
    tiled.stderr,
    /--tiles: a tiled job's frames follow one another, not frames 1-3 by 2 \(the file's frame step is 2\)/,
  );
});
