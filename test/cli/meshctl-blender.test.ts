// `meshctl blender` end to end, the real CLI in a child process with the real Blender in its
// sandbox: check names the algorithm, preflight prints a scene's frames, size, samples and
// warnings and refuses a missing texture by its path, and render-local writes a frame whose
// stitched 2×2 tiles are the whole frame's pixels exactly; verify passes an honest frame and
// catches one rendered with fewer samples.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { MISSING_TEXTURE, makeScene, tempFolder } from '../node/blender/scenes.js';

const meshctl = fileURLToPath(new URL('../../src-main/cli/meshctl.js', import.meta.url));
const folder = tempFolder('meshctl-blender-');
const scene = join(folder.dir, 'scene.blend');

function run(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [meshctl, 'blender', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

before(() => makeScene(scene));
after(() => folder.done());

test('check names the algorithm this node would render', async () => {
  const r = await run('check');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^blender-cycles\/\d+\.\d+: Blender \d+\.\d+\.\d+ .* sandboxed$/m);
});

test('preflight prints the scene and its warnings; a missing texture is refused by its path', async () => {
  const r = await run('preflight', scene);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /engine CYCLES, frames 1–4, 64×48, 8 samples/);
  assert.match(r.stdout, /warning: denoising is turned off/);
  const missing = join(folder.dir, 'missing.blend');
  makeScene(missing, MISSING_TEXTURE);
  const refused = await run('preflight', missing);
  assert.equal(refused.status, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /refused: missing texture "rock": \S*nowhere\/rock\.png is not in the job/);
  assert.match(refused.stderr, /the scene is refused/);
});

test('render-local writes the frame; as 2×2 tiles stitched, the same pixels', async () => {
  const whole = join(folder.dir, 'whole.png');
  const tiled = join(folder.dir, 'tiled.png');
  const a = await run('render-local', scene, '--frame', '2', '--samples', '8', '--out', whole);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /64×48, frame 2, 8 samples, whole/);
  const b = await run('render-local', scene, '--frame', '2', '--samples', '8', '--tiles', '2x2', '--out', tiled);
  assert.equal(b.status, 0, b.stderr);
  const [x, y] = [decode(readFileSync(whole)), decode(readFileSync(tiled))];
  assert.equal(x.width, 64);
  assert.deepEqual(y.data, x.data);
});

test('verify re-renders random crops: an honest frame agrees, one with half the samples does not', async () => {
  const honest = join(folder.dir, 'honest.png');
  const cheap = join(folder.dir, 'cheap.png');
  for (const [out, samples] of [
    [honest, '8'],
    [cheap, '4'],
  ] as const) {
    const r = await run('render-local', scene, '--frame', '3', '--samples', samples, '--out', out);
    assert.equal(r.status, 0, r.stderr);
  }
  const ok = await run('verify', scene, '--frame', '3', '--samples', '8', '--image', honest, '--crops', '1');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /100\.00 % identical pixels\nagrees/);
  const caught = await run('verify', scene, '--frame', '3', '--samples', '8', '--image', cheap, '--crops', '1');
  assert.equal(caught.status, 1, caught.stdout + caught.stderr);
  assert.match(caught.stdout, /disagrees: under 95 % identical pixels/);
});
