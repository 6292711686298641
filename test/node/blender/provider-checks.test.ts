// A requester without Blender, on real nodes on loopback: it cannot re-render a crop, so each frame
// is rendered by two providers and their frames compared by pixels (verdicts/blender-agreement.ts).
// meshctl on a machine without Blender has the scene read by a provider (through the node), for
// `blender preflight` and `submit-job --blend`, and two honest providers agree and are paid, and
// the frames are a local render's pixels. A provider
// that renders fewer samples than asked cannot frame an honest one: their frames disagree, nobody
// is paid or convicted on either's word, and a third provider's frame decides; the cheat is not
// paid, the honest ones are, and the frame handed out is the honest render.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders, jobEnded, waitFor, type TestNode } from '../mesh/cluster.js';
import { blenderSharing, cheatOnSamples, seesBlenderOf } from './providers.js';
import { blendJobArgs, makeScene, writtenFramesMatchLocal } from './scenes.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-provider-checks-'));
const dataDir = join(dir, 'requester');
const scene = join(dir, 'scene.blend');
const SAMPLES = 4;
/** Outside /tmp: the sandbox's own /tmp would hide it. */
const wrapperDir = mkdtempSync('/var/tmp/mesh-blender-cheat-');

let daemon: Daemon;
let stop: () => Promise<void>;
let honest: TestNode[];
let cheat: TestNode;

before(async () => {
  makeScene(scene);
  let nodes: TestNode[];
  ({ daemon, providers: nodes, stop } = await daemonAndProviders(dataDir, 3));
  honest = nodes.slice(0, 2);
  cheat = nodes[2]!;
  // This requester has no Blender: it can neither read a scene nor re-render a crop.
  daemon.node.blender.find = () => Promise.resolve({ ok: false, reason: 'Blender is not on PATH' });
});
after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(wrapperDir, { recursive: true, force: true });
});

async function submit(frames: number[], tiles?: { cols: number; rows: number }): Promise<string> {
  const { job_id } = await daemon.handlers['jobs.submit']({
    blender: {
      scene_base64: readFileSync(scene).toString('base64'),
      file: 'scene.blend',
      zip: false,
      seed: 3,
      samples: SAMPLES,
      ...(tiles ? { tiles } : {}),
    },
    chunk_bytes: 4,
    input_base64: Buffer.concat(frames.map((f) => Buffer.from([0, 0, 0, f]))).toString('base64'),
    redundancy: 1, // raised: no Blender here checks a frame
    budget: 100_000,
    priority: 0.5,
    manual_accept: false,
    open_to_strangers: false,
  });
  return job_id;
}

/** Who was paid for the job's units, unit by unit, once `count` assignments are (results accepted unchecked are paid as their job completes). */
async function paidOnce(jobId: string, count: number): Promise<string[][]> {
  return waitFor(
    'the pay held until the job completed',
    () => {
      const by = paid(jobId);
      return by.flat().length >= count ? by : undefined;
    },
    30_000,
  );
}

function paid(jobId: string): string[][] {
  const { state } = daemon.node;
  return [...state.units.values()]
    .filter((u) => u.unit.job_id === jobId)
    .map((u) =>
      state
        .assignmentsOf(u.unit.unit_id)
        .flatMap((a) => (a.escrow === 'paid' ? [a.acceptance.provider_peer] : []))
        .sort(),
    );
}

/** The job's frames from `meshctl job output`, each within the rule of a local render. */
const framesMatchLocal = (jobId: string, frames: number[]) =>
  writtenFramesMatchLocal({ jobId, dataDir, scene, dir, frames, samples: SAMPLES, seed: 3 });

test('without Blender here, each frame is rendered by two providers whose frames agree by pixels', async () => {
  for (const p of honest) await blenderSharing(p, true);
  for (const p of honest) await seesBlenderOf(daemon.node, p); // else nobody to read the scene for me
  // meshctl, on a machine without Blender either: the node has a provider read the scene.
  const preflight = await runMeshctl(['blender', 'preflight', scene, '--data-dir', dataDir], { PATH: '/nonexistent' });
  assert.equal(preflight.status, 0, preflight.stderr);
  assert.match(preflight.stdout, /^read by \S+, a provider \(the node has no Blender either\): no Blender here/m);
  assert.match(preflight.stdout, /^engine CYCLES, frames 1–4, 64×48, 8 samples$/m);
  const run = await runMeshctl(blendJobArgs({ scene, frames: '1-2', samples: SAMPLES, seed: 3, dataDir }), {
    PATH: '/nonexistent',
  });
  assert.equal(run.status, 0, run.stderr);
  const reader =
    /^read by (\S+), a provider \(the node has no Blender either\): no Blender here \(Blender is not on PATH\)$/m.exec(
      run.stdout,
    )?.[1];
  assert.ok(
    honest.some((p) => p.node.peerId === reader),
    run.stdout,
  );
  assert.match(run.stdout, /^engine CYCLES, frames 1–4, 64×48, 8 samples$/m, 'the preflight is printed');
  const jobId = /^submitted job (\S+): 2 frames$/m.exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.units_verified, 2);
  const both = honest.map((p) => p.node.peerId).sort();
  assert.deepEqual(await paidOnce(jobId, 4), [both, both], 'each frame rendered and paid twice, once by each provider');
  const { events } = await daemon.handlers['events.since']({ after: 0, limit: 10_000 });
  assert.ok(!events.some((e) => e.type === 'blender.checked'), 'no crop re-rendered here');
  assert.equal(daemon.node.state.jobs.get(jobId)?.job.redundancy, 2, 'raised from the 1 asked for');
  await framesMatchLocal(jobId, [1, 2]);
});

test('a provider rendering fewer samples cannot frame an honest one: a third provider decides', async () => {
  await blenderSharing(honest[1]!, false);
  await blenderSharing(cheat, true);
  await seesBlenderOf(daemon.node, cheat);
  cheatOnSamples(cheat, wrapperDir, SAMPLES); // its Blender renders 1 sample
  const jobId = await submit([3]);
  const { state } = daemon.node;
  const [unitId] = [...state.units.values()].filter((u) => u.unit.job_id === jobId).map((u) => u.unit.unit_id);
  await waitFor('both frames in', () => state.assignmentsOf(unitId!).filter((a) => a.result).length === 2, 240_000);
  const waiting = await waitFor(
    'a third provider asked for',
    async () => {
      const view = await daemon.handlers['jobs.status']({ job_id: jobId, units: false });
      return view.job.units_awaiting_agreement === 1 ? view : undefined;
    },
    60_000,
  );
  assert.equal(waiting.job.units_verified, 0, 'two frames that disagree settle nothing');
  for (const p of [honest[0]!, cheat])
    assert.ok(!state.checks.isConvicted(p.node.peerId), 'nobody convicted on a word');

  await blenderSharing(honest[1]!, true);
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.deepEqual(
    await paidOnce(jobId, 2),
    [honest.map((p) => p.node.peerId).sort()],
    'the two that agree are paid; the cheat is not',
  );
  for (const p of [...honest, cheat]) assert.ok(!state.checks.isConvicted(p.node.peerId), 'agreement convicts nobody');
  await framesMatchLocal(jobId, [3]);
});

test("a tiled frame's tiles are each rendered by two providers, compared by pixels, and stitched", async () => {
  const jobId = await submit([4], { cols: 2, rows: 1 });
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  const view = await daemon.handlers['jobs.blender_frames']({ job_id: jobId });
  assert.deepEqual(
    view.frames.map((f) => [f.frame, f.tiles_verified]),
    [[4, 2]],
  );
  assert.equal((await paidOnce(jobId, 4)).flat().length, 4, 'two tiles, each paid to two providers');
  await framesMatchLocal(jobId, [4]);
});
