// The file's own output size (issue 87): a scene saved at 128×96 and 50 % renders 64×48 frames, as
// its author asked (before, every scene rendered at 100 %: 4× the pixels, 4× the cost), here and
// across the mesh; `--resolution-percentage N` overrides it, named in the preflight's lines and in
// the units' params; a percentage that leaves no pixel is refused before anything is sent.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { unitIdOf } from '../../../src-main/core/mesh/state/unit-table.js';
import { decodeRgba } from '../../../src-main/node/blender/png.js';
import type { Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders, jobEnded, type TestNode } from '../mesh/cluster.js';
import { blenderSharing } from './providers.js';
import { blendJobArgs, makeScene, writtenFramesMatchLocal } from './scenes.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-percentage-'));
const dataDir = join(dir, 'requester');
const scene = join(dir, 'half.blend');
/** Saved at twice the tests' 64×48, at 50 %. */
const HALF = ['s.render.resolution_x = 128', 's.render.resolution_y = 96', 's.render.resolution_percentage = 50'].join(
  '\n',
);

let daemon: Daemon;
let stop: () => Promise<void>;
let providers: TestNode[];

before(async () => {
  makeScene(scene, HALF);
  ({ daemon, providers, stop } = await daemonAndProviders(dataDir, 1));
});
after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

test("meshctl reads and renders at the file's own percentage, or the one asked", async () => {
  const preflight = await runMeshctl(['blender', 'preflight', scene]);
  assert.equal(preflight.status, 0, preflight.stderr);
  assert.match(preflight.stdout, /^engine CYCLES, frames 1–4, 128×96 at 50 %: 64×48, 8 samples$/m);
  assert.doesNotMatch(preflight.stdout, /rendered at 100 %/);
  for (const [asked, size] of [
    [[], '64×48'],
    [['--resolution-percentage', '25'], '32×24'],
  ] as const) {
    const out = join(dir, `local-${size}.png`);
    const run = await runMeshctl([
      'blender',
      'render-local',
      scene,
      '--frame',
      '1',
      '--samples',
      '2',
      '--out',
      out,
      ...asked,
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`: ${size}, frame 1`));
    const image = decodeRgba(readFileSync(out));
    assert.equal(`${image.width}×${image.height}`, size);
  }
  const none = await runMeshctl(
    blendJobArgs({ scene, frames: '1', samples: 2, seed: 0, dataDir }, '--resolution-percentage', '1'),
  );
  assert.equal(none.status, 1, none.stdout);
  assert.match(none.stderr, /--resolution-percentage: 128×96 at 1 % is 1×0 pixels: a frame's sides are 1 to 65,536/);
});

test("a job renders the file's own size across the mesh; another percentage is the units' and the quote's", async () => {
  await blenderSharing(providers[0]!, true);
  const quoted = await runMeshctl(
    blendJobArgs({ scene, frames: '1-2', samples: 4, seed: 3, dataDir }, '--resolution-percentage', '25', '--dry-run'),
  );
  assert.equal(quoted.status, 0, quoted.stderr);
  assert.match(quoted.stdout, /^frames at 25 %: 32×24$/m);

  const run = await runMeshctl(blendJobArgs({ scene, frames: '1-2', samples: 4, seed: 3, dataDir }));
  assert.equal(run.status, 0, run.stderr);
  const jobId = /^submitted job (\S+): \d+ frames?$/m.exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  const params = daemon.node.state.units.get(unitIdOf(jobId, 0))!.unit.params as Record<string, unknown>;
  assert.deepEqual([params['width'], params['height'], params['percentage']], [64, 48, 50], "the units' params");
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  await writtenFramesMatchLocal({ jobId, dataDir, scene, dir, frames: [1, 2], samples: 4, seed: 3, percentage: 50 });
});
