// The node's Blender methods, as the UI calls them, on real nodes on loopback with real Blender: a
// requester (a daemon, as meshctl reaches it) and a provider that turns Blender sharing on.
// `blender.check` says what Blender the node has; `blender.preflight` reads a dropped scene in the
// sandbox (frames, size, samples, the denoising warning, a missing texture's refusal) and names the
// peers that can render it; `submit-job --blend --dry-run` prints the preflight and the quote and
// stores and journals nothing; `blender.frames` gives a job's frames with their units' states, each
// verified frame's PNG its unit's output. A scene's folder (`submit-job --blend <folder>`) goes as
// its zip: its texture, beside the .blend by a relative path, found by both preflights and by the
// provider, whose frame is a local render of the folder; the .blend alone is refused, its texture
// missing.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobEstimate } from '../../../src-main/core/api/contract.js';
import { IDENTICAL_SHARE, identicalShare } from '../../../src-main/core/blender/compare.js';
import { framesInput } from '../../../src-main/core/blender/unit.js';
import { findBlender } from '../../../src-main/node/blender/install.js';
import { decodeRgba } from '../../../src-main/node/blender/png.js';
import { encodeFramePng } from '../../../src-main/node/render/png.js';
import { startDaemon, type Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { jobEnded, meshOf, startNode, waitFor, type TestNode } from '../mesh/cluster.js';
import { HEIGHT, MISSING_TEXTURE, WIDTH, localFrame, makeScene, texture } from './scenes.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-api-'));
const dataDir = join(dir, 'requester');
const scene = join(dir, 'scene.blend');
const denoised = join(dir, 'denoised.blend');
const missing = join(dir, 'missing.blend');

let daemon: Daemon;
let provider: TestNode;

before(async () => {
  makeScene(scene);
  makeScene(denoised, 's.cycles.use_denoising = True');
  makeScene(missing, MISSING_TEXTURE);
  daemon = await startDaemon({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} });
  provider = await startNode();
  await meshOf([{ node: daemon.node, api: daemon.handlers, dataDir }, provider]);
});
after(async () => {
  await Promise.all([daemon.stop(), provider.node.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const sceneOf = (path: string, file: string) => ({
  scene_base64: readFileSync(path).toString('base64'),
  file,
  zip: false,
});

test('blender.check names the Blender found, and blender.preflight reads a scene: frames, size, samples, warnings, refusals, peers', async () => {
  const check = await daemon.handlers['blender.check']({});
  assert.equal(check.found, true, check.reason ?? '');
  assert.match(check.version ?? '', /^\d+\.\d+\.\d+$/);
  assert.equal(check.algorithm, `blender-cycles/${check.version!.split('.').slice(0, 2).join('.')}`);

  const alone = await daemon.handlers['blender.preflight'](sceneOf(denoised, 'denoised.blend'));
  assert.deepEqual(
    [alone.report.frame_start, alone.report.frame_end, alone.report.width, alone.report.height, alone.report.samples],
    [1, 4, WIDTH, HEIGHT, 8],
  );
  assert.equal(alone.report.engine, 'CYCLES');
  assert.equal(alone.by, null, "read by this node's own Blender");
  assert.deepEqual(alone.warnings, ["denoising is turned off: Debian's Blender is built without OpenImageDenoise"]);
  assert.deepEqual([alone.refusals, alone.tiles, alone.tiles_why_not], [[], true, null]);
  assert.deepEqual(alone.peers, [], 'no peer renders Blender scenes yet');

  const refused = await daemon.handlers['blender.preflight'](sceneOf(missing, 'missing.blend'));
  assert.equal(refused.refusals.length, 1);
  assert.match(
    refused.refusals[0]!,
    /^missing texture "rock": \S*nowhere\/rock\.png is not in the job \(it points outside the scene's folder\)$/,
  );

  // The provider turns sharing on: once its commitment advertises my Blender's algorithm, it is named.
  await provider.api['settings.set']({ blender_sharing: true, blender_min_trust: 0.8 });
  const peers = await waitFor(
    'the provider advertising Blender',
    async () => {
      const { peers: now } = await daemon.handlers['blender.preflight'](sceneOf(scene, 'scene.blend'));
      return now.length > 0 ? now : undefined;
    },
    120_000,
  );
  assert.deepEqual(
    peers.map((p) => p.peer_id),
    [provider.node.peerId],
  );
  assert.ok(peers[0]!.cores >= 1);
});

test('submit-job --blend --dry-run prints the preflight and the quote; nothing is stored or journaled', async () => {
  const args = ['submit-job', '--blend', scene, '--frames', '1-3', '--budget', '100000', '--dry-run'];
  const seq = daemon.node.journal.lastSeq();
  const { total } = await daemon.handlers['jobs.list']({});
  const { blobs } = await daemon.handlers['storage.get']({});
  const run = await runMeshctl([...args, '--data-dir', dataDir]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^engine CYCLES, frames 1–4, 64×48, 8 samples$/m, 'the preflight is printed');
  assert.match(run.stdout, /^dry run: nothing submitted\nunits {6}3 units\n/m);
  const json = await runMeshctl([...args, '--json', '--data-dir', dataDir]);
  assert.equal(json.status, 0, json.stderr);
  const quote = JSON.parse(json.stdout) as JobEstimate & { preflight: string[] };
  assert.deepEqual([quote.units, quote.redundancy, quote.enough], [3, 1, true]);
  assert.ok(quote.cost > 0 && quote.seconds !== null, JSON.stringify(quote));
  assert.ok(quote.preflight.includes('engine CYCLES, frames 1–4, 64×48, 8 samples'));
  assert.equal(daemon.node.journal.lastSeq(), seq, 'the dry runs journaled nothing');
  assert.equal((await daemon.handlers['jobs.list']({})).total, total);
  assert.equal((await daemon.handlers['storage.get']({})).blobs, blobs, 'and stored nothing');

  // A scene the preflight refuses is refused by the quote too.
  const refused = await runMeshctl([...args.with(2, missing), '--data-dir', dataDir]);
  assert.equal(refused.status, 1, refused.stdout);
  assert.match(refused.stderr, /the scene is refused: missing texture "rock"/);
});

test('blender.frames gives a job’s frames with their units’ states; a verified frame’s PNG is its unit’s output', async () => {
  const { job_id: jobId } = await daemon.handlers['jobs.submit']({
    blender: { ...sceneOf(scene, 'scene.blend'), samples: 4, seed: 1 },
    chunk_bytes: 4,
    input_base64: Buffer.from(framesInput([2, 3])).toString('base64'),
    redundancy: 1,
    budget: 100_000,
    priority: 0.5,
    manual_accept: false,
    open_to_strangers: false,
  });
  const first = await daemon.handlers['blender.frames']({ job_id: jobId });
  assert.deepEqual([first.width, first.height, first.frames_total], [WIDTH, HEIGHT, 2]);
  assert.deepEqual(
    first.frames.map((f) => f.frame),
    [2, 3],
  );
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  const done = await daemon.handlers['blender.frames']({ job_id: jobId });
  assert.deepEqual(
    done.frames.map((f) => f.status),
    ['verified', 'verified'],
  );
  const { output_base64 } = await daemon.handlers['jobs.output']({ job_id: jobId, unit_id: done.frames[1]!.unit_id });
  const png = decodeRgba(Buffer.from(output_base64, 'base64'));
  assert.deepEqual([png.width, png.height], [WIDTH, HEIGHT]);
  await assert.rejects(daemon.handlers['blender.frames']({ job_id: 'job-none' }), /no job job-none/);
});

test('submit-job --blend <folder> sends the folder as a zip, its texture found; the .blend alone is refused', async () => {
  const folder = join(dir, 'textured');
  mkdirSync(join(folder, 'tex'), { recursive: true });
  writeFileSync(join(folder, 'tex', 'wood.png'), encodeFramePng(1, 1, Uint8Array.of(0, 255, 0, 255)));
  makeScene(join(folder, 'shot.blend'), texture('//tex/wood.png'));
  const args = (blend: string, ...more: string[]) =>
    ['submit-job', '--blend', blend, '--frames', '1', '--samples', '4', '--budget', '100000', ...more].concat(
      '--data-dir',
      dataDir,
    );
  const quoted = await runMeshctl(args(folder, '--dry-run'));
  assert.equal(quoted.status, 0, quoted.stderr);
  assert.match(
    quoted.stdout,
    /^folder: 2 files, \d+ bytes \(shot\.blend, tex\/wood\.png\), sent as a zip of \d+ bytes$/m,
  );
  assert.match(quoted.stdout, /^images: 1 \(0 packed\)/m);
  assert.doesNotMatch(quoted.stdout, /refused/);
  assert.match(quoted.stdout, /^dry run: nothing submitted\nunits {6}1 unit\n/m, 'the node read the zip too');
  const bare = await runMeshctl(args(join(folder, 'shot.blend'), '--dry-run'));
  assert.equal(bare.status, 1, bare.stdout);
  assert.match(bare.stderr, /the scene is refused: missing texture "wood\.png": \/\/tex\/wood\.png is not in the job/);

  // Rendered by the provider from the zip: the pixels of the folder's local render, not the
  // magenta of a missing texture.
  const sent = await runMeshctl(args(folder));
  assert.equal(sent.status, 0, sent.stderr);
  const jobId = /^submitted job (\S+): 1 frame$/m.exec(sent.stdout)?.[1];
  assert.ok(jobId, sent.stdout);
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  const [frame] = (await daemon.handlers['blender.frames']({ job_id: jobId })).frames;
  const { output_base64 } = await daemon.handlers['jobs.output']({ job_id: jobId, unit_id: frame!.unit_id });
  const rendered = decodeRgba(Buffer.from(output_base64, 'base64'));
  const found = await findBlender();
  assert.ok(found.ok);
  const local = (source: string) =>
    localFrame({ blender: found.install.path, scene: source, dir, frame: 1, samples: 4, seed: 0 });
  assert.ok(identicalShare(rendered, await local(folder)) >= IDENTICAL_SHARE, 'the textured frame');
  assert.ok(identicalShare(rendered, await local(join(folder, 'shot.blend'))) < IDENTICAL_SHARE, 'not the magenta one');
});
