// Blender jobs cut into tiles, on three real nodes on loopback: a requester (a daemon, as meshctl
// reaches it) and two providers that turned Blender sharing on. `meshctl submit-job --blend
// --tiles 2x2` submits 2 frames of a tiny scene (64×48, 4 samples) as 8 tile units, rendered by
// both providers as border tiles in their sandboxes, each verified by the requester re-rendering
// a random crop inside it; the requester stitches each frame once its 4 tiles are verified, and
// `meshctl job output --out` writes the 2 frames, each within the verification rule of a local
// whole-frame render; a provider of one worker renders one tile at a time; each `Sample n/m` a
// provider tells of a tile names a unit that jobs.blender_frames lists rendering under its frame
// then. A provider whose Blender renders its tiles with fewer samples is convicted and all its
// tiles, those that passed their crops too, go to an honest one; the frame stitched is a local
// render's pixels. A scene whose tiles cannot match its frame (a glare node) is
// refused tiles, by meshctl and by the node, with the preflight's reason.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { API_METHODS } from '../../../src-main/core/api/contract.js';
import { IDENTICAL_SHARE, identicalShare } from '../../../src-main/core/blender/compare.js';
import type { BlenderInstall } from '../../../src-main/node/blender/install.js';
import { decodeRgba } from '../../../src-main/node/blender/png.js';
import { tilesPerFrame } from '../../../src-main/core/schemas/blender-tiles.js';
import { validate } from '../../../src-main/core/schemas/decode.js';
import { parseUnitId } from '../../../src-main/core/mesh/state/unit-table.js';
import type { Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders, jobEnded, waitFor, type TestNode } from '../mesh/cluster.js';
import { blendJobArgs, HEIGHT, localFrame, makeScene, WIDTH } from './scenes.js';
import { blenderSharing, cheatOnSamples } from './providers.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-tiles-'));
const dataDir = join(dir, 'requester');
const scene = join(dir, 'scene.blend');
const SAMPLES = 4;
const SEED = 3;

let daemon: Daemon;
let stop: () => Promise<void>;
let providers: TestNode[];
/** Outside /tmp: the sandbox's own /tmp would hide it. */
const wrapperDir = mkdtempSync('/var/tmp/mesh-blender-tile-cheat-');

before(async () => {
  makeScene(scene);
  ({ daemon, providers, stop } = await daemonAndProviders(dataDir, 2));
});
after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(wrapperDir, { recursive: true, force: true });
});

/** Submits frames as 2×2 tiles with meshctl; the job's id, after checking what it printed. */
async function submitTiles(frames: string, count: number): Promise<string> {
  const run = await runMeshctl(
    blendJobArgs({ scene, frames, samples: SAMPLES, seed: SEED, dataDir }, '--tiles', '2x2'),
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^engine CYCLES, frames 1–4, 64×48, 8 samples$/m, 'the preflight is printed');
  const jobId = new RegExp(`^submitted job (\\S+): ${count} frames?, ${count * 4} tiles$`, 'm').exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  return jobId;
}

/** Who was paid for each verified unit of the job, by the requester's record. */
function renderedBy(jobId: string): string[] {
  const state = daemon.node.state;
  return [...state.units.values()]
    .filter((u) => u.unit.job_id === jobId)
    .flatMap((u) =>
      state.assignmentsOf(u.unit.unit_id).flatMap((a) => (a.escrow === 'paid' ? [a.acceptance.provider_peer] : [])),
    );
}

/** Frame `frame` rendered whole, here, by the sandboxed Blender: what a stitched frame must match. */
async function localRender(frame: number) {
  const found = (await daemon.node.blender.find()) as { ok: true; install: BlenderInstall };
  return localFrame({ blender: found.install.path, scene, dir, frame, samples: SAMPLES, seed: SEED });
}

/** The job's frames as `meshctl job output --out` writes them: 0001.png, 0002.png, … each a stitched frame. */
async function writtenFrames(jobId: string, out: string): Promise<string[]> {
  const written = await runMeshctl(['job', 'output', jobId, '--out', out, '--data-dir', dataDir]);
  assert.equal(written.status, 0, written.stderr);
  assert.match(written.stdout, /stitched from its tiles/);
  return readdirSync(out).sort();
}

test('2 frames as 2×2 tiles: 8 units over two providers, each frame stitched and a local render’s pixels', async () => {
  // Four tiles a day each: without it, the first provider to offer would take all eight.
  for (const p of providers) await p.api['policies.set']({ policies: [{ kind: 'quota', units_per_day: 4 }] });
  for (const p of providers) await blenderSharing(p, true);
  // The quote counts the tiles, as the submit makes them.
  const args = ['submit-job', '--blend', scene, '--frames', '1-2', '--tiles', '2x2', '--budget', '100000'];
  const quote = await runMeshctl([...args, '--dry-run', '--json', '--data-dir', dataDir]);
  assert.equal(quote.status, 0, quote.stderr);
  assert.equal((JSON.parse(quote.stdout) as { units: number }).units, 8, 'a quote of 8 tile units');
  // A provider of one worker renders one tile at a time (Blender runs outside its executor's pool).
  let mostAtOnce = 0;
  const watch = setInterval(() => {
    for (const p of providers) mostAtOnce = Math.max(mostAtOnce, p.node.provider.running);
  }, 50);
  // Each tile's progress, as the requester hears it, against the frames' view at that moment.
  const heard: Array<{ unit: string; frame: number; listed: string[] | undefined }> = [];
  const views: Array<Promise<void>> = [];
  const unsubscribe = daemon.node.events.subscribe(Number.MAX_SAFE_INTEGER, (event) => {
    if (event.type !== 'unit.progress' || event.data['of'] !== SAMPLES) return;
    const unit = String(event.data['unit_id']);
    // The handler reads the state before its first await: the view is the one of this event's moment.
    const view = daemon.handlers['jobs.frames']({ job_id: String(event.data['job_id']) });
    views.push(
      view.then((v) => {
        assert.ok(validate(API_METHODS['jobs.frames'].result, v).ok, 'the view fits the contract');
        const frame = v.tiles!.first_frame + Math.floor(parseUnitId(unit)!.index / tilesPerFrame(v.tiles!));
        heard.push({ unit, frame, listed: v.frames.find((f) => f.frame === frame)?.rendering });
      }),
    );
  });
  const jobId = await submitTiles('1-2', 2);
  const job = await jobEnded(daemon.handlers, jobId, 300_000).finally(() => {
    clearInterval(watch);
    unsubscribe();
  });
  await Promise.all(views);
  assert.ok(heard.length > 0, "the providers' Sample n/m lines of tiles reached the requester");
  for (const { unit, frame, listed } of heard)
    assert.ok(listed?.includes(unit), `${unit}'s progress: frame ${frame} lists it rendering (${String(listed)})`);
  assert.equal(mostAtOnce, 1, 'one Blender unit at a time on a provider of one worker');
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.units_total, 8);
  assert.equal(job.units_verified, 8);
  const by = renderedBy(jobId);
  assert.equal(by.length, 8, 'each tile paid to the provider that rendered it');
  assert.equal(new Set(by).size, 2, 'both providers rendered tiles');

  const view = await daemon.handlers['jobs.frames']({ job_id: jobId });
  assert.deepEqual(
    await daemon.handlers['jobs.blender_frames']({ job_id: jobId }),
    view,
    "the method's old name, kept for the last version's app and meshctl, answers alike",
  );
  assert.deepEqual([view.width, view.height, view.tile], [WIDTH, HEIGHT, null]);
  assert.deepEqual(view.tiles, { cols: 2, rows: 2, first_frame: 1, width: WIDTH, height: HEIGHT });
  assert.deepEqual(
    view.frames.map((f) => [f.frame, f.tiles_verified, f.tiles_total, f.png_cid !== null, f.rendering]),
    [
      [1, 4, 4, true, []],
      [2, 4, 4, true, []],
    ],
  );
  const out = join(dir, 'frames');
  const files = await writtenFrames(jobId, out);
  assert.deepEqual(files, ['0001.png', '0002.png'], 'the frames, not the 8 tiles');
  for (const [i, file] of files.entries()) {
    const frame = decodeRgba(readFileSync(join(out, file)));
    assert.deepEqual([frame.width, frame.height], [WIDTH, HEIGHT]);
    const share = identicalShare(frame, await localRender(i + 1));
    assert.ok(share >= IDENTICAL_SHARE, `frame ${i + 1}: ${(share * 100).toFixed(1)} % of a local render's pixels`);
  }
});

test('a provider that renders its tiles with fewer samples is convicted; all its tiles go to an honest provider', async () => {
  const [honest, cheat] = providers as [TestNode, TestNode];
  for (const p of providers) await p.api['policies.set']({ policies: [] });
  await blenderSharing(honest, false);
  cheatOnSamples(cheat, wrapperDir, SAMPLES); // its Blender renders 1 sample

  const jobId = await submitTiles('3', 1);
  await waitFor('the cheat convicted', () => daemon.node.state.checks.isConvicted(cheat.node.peerId), 240_000);
  const view = await daemon.handlers['jobs.status']({ job_id: jobId, units: false });
  // A tile of flat background renders the same pixels at 1 sample as at 4: such a tile of the
  // cheat's passes its check (its pixels are right), the others do not.
  assert.ok(view.job.units_verified < 4, `${view.job.units_verified} of its 4 tiles accepted`);

  await blenderSharing(honest, true);
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  // Every tile of the cheat's is redone: one that passed its crop was held, not paid, and its crop
  // may have fallen where the rest of the tile is wrong (a CI run's frame had 83.4 % right).
  assert.deepEqual(renderedBy(jobId), Array(4).fill(honest.node.peerId), 'all 4 tiles are the honest provider’s');
  const out = join(dir, 'honest');
  assert.deepEqual(await writtenFrames(jobId, out), ['0003.png']);
  const share = identicalShare(decodeRgba(readFileSync(join(out, '0003.png'))), await localRender(3));
  assert.ok(share >= IDENTICAL_SHARE, `the frame is a local render's pixels (${(share * 100).toFixed(1)} %)`);
});

test('tiles of a scene whose tiles cannot match its frame (a glare node) are refused, with the reason', async () => {
  const glare = join(dir, 'glare.blend');
  makeScene(glare, 's.use_nodes = True\ns.node_tree.nodes.new("CompositorNodeGlare")');
  const jobsBefore = daemon.node.state.jobs.size;
  const run = await runMeshctl([
    'submit-job',
    '--blend',
    glare,
    '--frames',
    '1',
    '--tiles',
    '2x2',
    '--budget',
    '10',
    '--data-dir',
    dataDir,
  ]);
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stderr, /--tiles: frames only: the compositor has a glare node/);
  await assert.rejects(
    daemon.handlers['jobs.submit']({
      blender: {
        scene_base64: readFileSync(glare).toString('base64'),
        file: 'glare.blend',
        zip: false,
        seed: 0,
        tiles: { cols: 2, rows: 2 },
      },
      chunk_bytes: 4,
      input_base64: Buffer.from([0, 0, 0, 1]).toString('base64'),
      redundancy: 1,
      budget: 10_000,
      priority: 0.5,
      manual_accept: false,
      open_to_strangers: false,
    }),
    /the scene cannot be cut into tiles: frames only: the compositor has a glare node/,
  );
  assert.equal(daemon.node.state.jobs.size, jobsBefore, 'no job made');
});
