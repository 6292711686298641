// EXR frames across the mesh, on real nodes on loopback: `meshctl submit-job --blend --format exr`
// makes a 2-frame job (64×48, 4 samples) rendered by a provider as OpenEXR and checked by the
// requester against its own EXR crop, both mapped to 8-bit; `job output --out` writes `0001.exr` and
// `0002.exr`, each a valid EXR of the frame's size whose 8-bit pixels are a local PNG render's within
// the rule, and `blender.preview` gives the app each frame as a PNG. A provider whose Blender renders
// fewer samples is convicted; EXR with tiles is refused, by meshctl and by the node.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { IDENTICAL_SHARE, identicalShare } from '../../../src-main/core/blender/compare.js';
import { isExr } from '../../../src-main/core/blender/exr.js';
import { decodeExrInSandbox } from '../../../src-main/node/blender/exr.js';
import type { BlenderInstall } from '../../../src-main/node/blender/install.js';
import { decodeRgba } from '../../../src-main/node/blender/png.js';
import type { Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders, jobEnded, waitFor, type TestNode } from '../mesh/cluster.js';
import { blendJobArgs, HEIGHT, localFrame, makeScene, STANDARD_VIEW, WIDTH } from './scenes.js';
import { blenderSharing, cheatOnSamples } from './providers.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-exr-jobs-'));
const dataDir = join(dir, 'requester');
const scene = join(dir, 'scene.blend');
const SAMPLES = 4;

let daemon: Daemon;
let stop: () => Promise<void>;
let provider: TestNode;
let cheat: TestNode;
/** Outside /tmp: the sandbox's own /tmp would hide it. */
const wrapperDir = mkdtempSync('/var/tmp/mesh-blender-exr-cheat-');

before(async () => {
  makeScene(scene, STANDARD_VIEW);
  let nodes: TestNode[];
  ({ daemon, providers: nodes, stop } = await daemonAndProviders(dataDir, 2));
  [provider, cheat] = nodes as [TestNode, TestNode];
});
after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(wrapperDir, { recursive: true, force: true });
});

const submitArgs = (frames: string, ...more: string[]) =>
  blendJobArgs({ scene, frames, samples: SAMPLES, seed: 3, dataDir }, '--format', 'exr', ...more);

async function submit(frames: string): Promise<string> {
  const run = await runMeshctl(submitArgs(frames));
  assert.equal(run.status, 0, run.stderr);
  const jobId = /^submitted job (\S+): \d+ frames?$/m.exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  return jobId;
}

test('an EXR job: its frames are EXR files of their size, a local render’s pixels in 8-bit, and previewed as PNG', async () => {
  await blenderSharing(provider, true);
  const jobId = await submit('1-2');
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  assert.equal(job.units_verified, 2);

  const out = join(dir, 'frames');
  const written = await runMeshctl(['job', 'output', jobId, '--out', out, '--data-dir', dataDir]);
  assert.equal(written.status, 0, written.stderr);
  const files = readdirSync(out).sort();
  assert.deepEqual(files, ['0001.exr', '0002.exr']);
  const found = (await daemon.node.blender.find()) as { ok: true; install: BlenderInstall };
  const view = await daemon.handlers['blender.frames']({ job_id: jobId });
  assert.equal(view.format, 'exr');
  for (const [i, file] of files.entries()) {
    const exr = readFileSync(join(out, file));
    assert.equal(exr.readUInt32LE(0), 0x01312f76, 'the magic number 0x762f3101');
    assert.ok(isExr(exr));
    const decoded = await decodeExrInSandbox(found.install.path, exr, { width: WIDTH, height: HEIGHT });
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
    assert.deepEqual([decoded.image.width, decoded.image.height], [WIDTH, HEIGHT]);
    const local = await localFrame({
      blender: found.install.path,
      scene,
      dir,
      frame: i + 1,
      samples: SAMPLES,
      seed: 3,
    });
    const share = identicalShare(decoded.image, local);
    assert.ok(share >= IDENTICAL_SHARE, `frame ${i + 1}: ${(share * 100).toFixed(2)} % of a local PNG render's pixels`);
    const { png_base64 } = await daemon.handlers['blender.preview']({
      job_id: jobId,
      unit_id: view.frames[i]!.unit_id,
    });
    assert.deepEqual(decodeRgba(Buffer.from(png_base64, 'base64')), decoded.image, 'the preview is the frame in 8-bit');
  }
});

test('a provider that renders an EXR frame with fewer samples than asked is convicted', async () => {
  await blenderSharing(provider, false);
  await blenderSharing(cheat, true);
  cheatOnSamples(cheat, wrapperDir, SAMPLES); // its Blender renders 1 sample
  const jobId = await submit('3');
  await waitFor('the cheat convicted', () => daemon.node.state.checks.isConvicted(cheat.node.peerId), 240_000);
  const view = await daemon.handlers['jobs.status']({ job_id: jobId, units: false });
  assert.equal(view.job.units_verified, 0, 'its frame is not accepted');
  await daemon.handlers['jobs.cancel']({ job_id: jobId });
});

test('EXR frames cut into tiles are refused, by meshctl and by the node', async () => {
  const jobsBefore = daemon.node.state.jobs.size;
  const run = await runMeshctl(submitArgs('1-2', '--tiles', '2x2'));
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stderr, /--format exr: EXR frames cannot be cut into tiles \(tiles are stitched as 8-bit PNG\)/);
  const blend = { scene_base64: readFileSync(scene).toString('base64'), file: 'scene.blend', zip: false, seed: 0 };
  await assert.rejects(
    daemon.handlers['jobs.submit']({
      blender: { ...blend, format: 'exr', tiles: { cols: 2, rows: 2 } },
      chunk_bytes: 4,
      input_base64: Buffer.from([0, 0, 0, 1]).toString('base64'),
      redundancy: 1,
      budget: 10_000,
      priority: 0.5,
      manual_accept: false,
      open_to_strangers: false,
    }),
    /EXR frames cannot be cut into tiles/,
  );
  assert.equal(daemon.node.state.jobs.size, jobsBefore, 'no job made');
});
