// Blender jobs across the mesh, on real nodes on loopback: a requester (a daemon, as meshctl
// reaches it) and providers that turned Blender sharing on. `meshctl submit-job --blend` prints the
// preflight and submits a 4-frame job of a tiny scene (64×48, 4 samples), a unit a frame, rendered
// by the two providers (two frames a day each, by their policies) in their sandboxes and verified by the requester re-rendering a random crop
// of each frame, rendered while the providers render; each provider's `Sample n/m` reaches the
// requester as it renders (a stranger's word on a frame does not); `meshctl job output --out` writes the frames, each the pixels of a local render
// of that frame. A provider whose Blender renders fewer samples than asked (a patched provider: its
// Blender is a wrapper that rewrites our samples) is convicted, and its frame goes to an honest one.
// A scene the preflight refuses is not submitted, by meshctl nor by the node.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders, jobEnded, waitFor, type TestNode } from '../mesh/cluster.js';
import { blendJobArgs, makeScene, MISSING_TEXTURE, writtenFramesMatchLocal } from './scenes.js';
import { blenderSharing, cheatOnSamples } from './providers.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-jobs-'));
const dataDir = join(dir, 'requester');
const scene = join(dir, 'scene.blend');
const SAMPLES = 4;

let daemon: Daemon;
let stop: () => Promise<void>;
let providers: TestNode[];
let cheat: TestNode;
/** Outside /tmp: the sandbox's own /tmp would hide it. */
const wrapperDir = mkdtempSync('/var/tmp/mesh-blender-cheat-');

before(async () => {
  makeScene(scene);
  let nodes: TestNode[];
  ({ daemon, providers: nodes, stop } = await daemonAndProviders(dataDir, 3));
  providers = nodes.slice(0, 2);
  cheat = nodes[2]!;
});
after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(wrapperDir, { recursive: true, force: true });
});

/** Submits frames with meshctl; the job's id, after checking the preflight was printed. */
async function submit(frames: string): Promise<string> {
  const run = await runMeshctl(blendJobArgs({ scene, frames, samples: SAMPLES, seed: 3, dataDir }));
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^engine CYCLES, frames 1–4, 64×48, 8 samples$/m, 'the preflight is printed');
  const jobId = /^submitted job (\S+): \d+ frames?$/m.exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  return jobId;
}

/** Who rendered each verified unit of the job, by the requester's record. */
function renderedBy(jobId: string): string[] {
  const state = daemon.node.state;
  return [...state.units.values()]
    .filter((u) => u.unit.job_id === jobId)
    .flatMap((u) =>
      state.assignmentsOf(u.unit.unit_id).flatMap((a) => (a.escrow === 'paid' ? [a.acceptance.provider_peer] : [])),
    );
}

test('a 4-frame Blender job is rendered by two providers, checked by pixels, and written by job output --out', async () => {
  // Two frames a day each: without it, the first provider to offer would take all four (a pipeline holds 8).
  for (const p of providers) await p.api['policies.set']({ policies: [{ kind: 'quota', units_per_day: 2 }] });
  for (const p of providers) await blenderSharing(p, true);
  const jobId = await submit('1-4');
  // While a frame renders, its provider's progress is shown; another peer's word on it is not.
  const rendering = await waitFor(
    'a frame rendering',
    () =>
      [...daemon.node.state.assignments.values()].find(
        (a) => a.acceptance.job_id === jobId && a.escrow === 'held' && !a.result,
      ),
    60_000,
  );
  const told = { assignment_id: rendering.acceptance.assignment_id, sample: 3, of: 999 };
  daemon.node.requester.onProgress(cheat.node.peerId, { units: [told] });
  daemon.node.requester.onProgress(rendering.acceptance.provider_peer, { units: [told] });
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.units_verified, 4);
  // Frames that passed a crop are held until the job completes, then paid: a step after completion.
  await waitFor('the held frames paid', () => (renderedBy(jobId).length === 4 ? true : undefined), 30_000).catch(
    () => undefined,
  );
  const by = renderedBy(jobId);
  assert.equal(by.length, 4, 'each frame paid to the provider that rendered it');
  assert.equal(new Set(by).size, 2, 'both providers rendered frames');
  assert.ok(by.every((p) => providers.some((q) => q.node.peerId === p)));
  // Each crop is rendered while the providers render (verdicts/blender-check.ts): the first frame
  // is checked sooner after the first result comes than its crop takes to render.
  const { events } = await daemon.handlers['events.since']({ after: 0, limit: 10_000 });
  const ofJob = events.filter((e) => e.data['job_id'] === jobId);
  const progress = ofJob.filter((e) => e.type === 'unit.progress');
  assert.deepEqual(
    progress.filter((e) => e.data['of'] === 999).map((e) => e.data['provider']),
    [rendering.acceptance.provider_peer],
    "only the frame's own provider is heard",
  );
  const fromRenders = progress.filter((e) => e.data['of'] === SAMPLES);
  assert.ok(fromRenders.length > 0, "the providers' Sample n/m lines reached the requester");
  assert.ok(fromRenders.every((e) => by.includes(String(e.data['provider'])) && Number(e.data['sample']) <= SAMPLES));
  const firstResult = ofJob.find((e) => e.type === 'unit.finished' || e.type === 'units.finished');
  const firstCheck = ofJob.find((e) => e.type === 'blender.checked');
  assert.ok(firstResult && firstCheck, 'a result came, and a check');
  const afterResult = Date.parse(firstCheck.at) - Date.parse(firstResult.at);
  assert.ok(
    afterResult < Number(firstCheck.data['ms']),
    `checked ${afterResult} ms after the first result, its crop took ${firstCheck.data['ms']} ms`,
  );

  await writtenFramesMatchLocal({ jobId, dataDir, scene, dir, frames: [1, 2, 3, 4], samples: SAMPLES, seed: 3 });
});

test('a provider that renders fewer samples than asked is convicted; its frame goes to an honest provider', async () => {
  for (const p of providers) await blenderSharing(p, false);
  for (const p of providers) await p.api['policies.set']({ policies: [] });
  await blenderSharing(cheat, true);
  cheatOnSamples(cheat, wrapperDir, SAMPLES); // its Blender renders 1 sample

  const jobId = await submit('2');
  await waitFor('the cheat convicted', () => daemon.node.state.checks.isConvicted(cheat.node.peerId), 240_000);
  const view = await daemon.handlers['jobs.status']({ job_id: jobId, units: false });
  assert.equal(view.job.units_verified, 0, 'its frame is not accepted');
  // The stalled job says the truth: its provider was convicted on it, at that frame; not "you do not trust".
  await waitFor('the job to say its provider was convicted', async () => {
    const { job } = await daemon.handlers['jobs.status']({ job_id: jobId, units: false });
    return /1 connected provider was convicted of lying on this job \(frame 2; meshctl peer pardon/.test(
      job.waiting ?? '',
    )
      ? true
      : undefined;
  });

  await blenderSharing(providers[0]!, true);
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  // A frame that passed a crop is held until the job completes, then paid: a step after completion.
  await waitFor('the held frame paid', () => (renderedBy(jobId).length > 0 ? true : undefined), 30_000).catch(
    () => undefined,
  );
  assert.deepEqual(renderedBy(jobId), [providers[0]!.node.peerId], 'paid to the honest provider only');

  // Its user may undo the conviction (here it was sound; the pardon is the user's call): journaled, trust back.
  const pardon = await runMeshctl(['peer', 'pardon', cheat.node.peerId, '--data-dir', dataDir]);
  assert.equal(pardon.status, 0, pardon.stderr);
  assert.match(pardon.stdout, /^pardoned 12D3KooW\S+: its conviction is undone, its trust and reputation restored$/m);
  const { peers } = await daemon.handlers['peers.list']({});
  const pardoned = peers.find((p) => p.peer_id === cheat.node.peerId)!;
  assert.equal(pardoned.convicted_at, null);
  assert.ok(pardoned.effective_trust > 0, 'trusted again');
  const again = await runMeshctl(['peer', 'pardon', cheat.node.peerId, '--data-dir', dataDir]);
  assert.match(again.stdout, /is not convicted: nothing to pardon/);
});

test('a scene the preflight refuses is not submitted: meshctl says why, and so does the node asked directly', async () => {
  const missing = join(dir, 'missing.blend');
  makeScene(missing, MISSING_TEXTURE);
  const jobsBefore = daemon.node.state.jobs.size;
  const run = await runMeshctl([
    'submit-job',
    '--blend',
    missing,
    '--frames',
    '1-2',
    '--budget',
    '10',
    '--data-dir',
    dataDir,
  ]);
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stderr, /^meshctl: --blend: the scene is refused: missing texture "rock": \S*nowhere\/rock\.png/);
  const outside = await runMeshctl([
    'submit-job',
    '--blend',
    scene,
    '--frames',
    '3-9',
    '--budget',
    '10',
    '--data-dir',
    dataDir,
  ]);
  assert.equal(outside.status, 1, outside.stdout);
  assert.match(outside.stderr, /--frames: 3-9 is outside the scene's frames 1-4/);
  await assert.rejects(
    daemon.handlers['jobs.submit']({
      blender: { scene_base64: readFileSync(missing).toString('base64'), file: 'missing.blend', zip: false, seed: 0 },
      chunk_bytes: 4,
      input_base64: Buffer.from([0, 0, 0, 1]).toString('base64'),
      redundancy: 1,
      budget: 10_000,
      priority: 0.5,
      manual_accept: false,
      open_to_strangers: false,
    }),
    /the scene is refused: missing texture "rock"/,
  );
  assert.equal(daemon.node.state.jobs.size, jobsBefore, 'no job made');
});
