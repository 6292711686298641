// `meshctl render-local` end to end: the real CLI in a child process, through the pool, writes a
// PNG whose pixels are byte-identical to the same frame rendered as one tile, compiles moving
// objects for the frame asked for, and refuses bad scenes (OBJ files included) by name.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { compileSceneJson } from '../../src-main/core/render/index.js';
import { runUnsandboxed } from '../../src-main/node/exec/unsandboxed.js';
import { loadKernel } from '../../src-main/node/exec/kernels.js';
import { SAMPLE_SCENE_PATH as scenePath, sampleSceneBlob, sampleSceneJson } from './fixtures/sample-scene.js';

const meshctl = fileURLToPath(new URL('../../src-main/cli/meshctl.js', import.meta.url));
const ORBIT_SCENE_PATH = fileURLToPath(new URL('../../../assets/scenes/orbit.json', import.meta.url));

function meshctlRun(...args: string[]) {
  return spawnSync(process.execPath, [meshctl, ...args], { encoding: 'utf8' });
}

test('render-local writes a PNG equal, pixel for pixel, to a one-tile render of the frame', () => {
  const dir = mkdtempSync(join(tmpdir(), 'render-local-'));
  try {
    const out = join(dir, 'frame.png');
    const run = meshctlRun(
      'render-local',
      scenePath,
      '--frame',
      '5',
      '--out',
      out,
      '--width',
      '96',
      '--height',
      '54',
      '--tile',
      '20',
      '--spp',
      '2',
      '--seed',
      '9',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /96×54, frame 5, 2 spp, 15 tiles/);
    const png = decode(readFileSync(out));
    assert.equal(png.width, 96);
    assert.equal(png.height, 54);
    assert.equal(png.channels, 4);

    const whole = runUnsandboxed(
      new WebAssembly.Module(loadKernel('render')),
      { frame: 5, width: 96, height: 54, x: 0, y: 0, w: 96, h: 54, spp: 2, seed: 9 },
      sampleSceneBlob(),
    );
    assert.deepEqual(new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), whole);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('render-local refuses a scene that is not valid, naming the problem, and writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'render-local-'));
  try {
    const bad = join(dir, 'bad.json');
    const scene = sampleSceneJson() as { spheres: Array<{ material: string }> };
    scene.spheres[0]!.material = 'no-such-material';
    writeFileSync(bad, JSON.stringify(scene));
    const out = join(dir, 'frame.png');
    const run = meshctlRun('render-local', bad, '--frame', '0', '--out', out);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /not a valid scene.*no-such-material/s);
    assert.throws(() => readFileSync(out), /ENOENT/);

    const missing = meshctlRun('render-local', join(dir, 'nope.json'), '--frame', '0', '--out', out);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read/);

    const objScene = join(dir, 'obj.json');
    writeFileSync(
      objScene,
      JSON.stringify({ ...(sampleSceneJson() as object), meshes: [{ obj: 'broken.obj', material: 'gold' }] }),
    );
    writeFileSync(join(dir, 'broken.obj'), 'v 0 0 0\nv 1 0 0\nf 1 2 3\n');
    const badObj = meshctlRun('render-local', objScene, '--frame', '0', '--out', out);
    assert.equal(badObj.status, 1);
    assert.match(
      badObj.stderr,
      /broken\.obj \(meshes\.0\.obj\): triangle 1 \(line 3\) refers to a vertex that does not exist/,
    );
    assert.throws(() => readFileSync(out), /ENOENT/);

    const badFlag = meshctlRun('render-local', scenePath, '--frame', 'x', '--out', out);
    assert.notEqual(badFlag.status, 0);
    assert.match(badFlag.stderr, /frame/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('render-local renders objects where their motion puts them: frames 0 and 3 of orbit.json differ', () => {
  const dir = mkdtempSync(join(tmpdir(), 'render-local-'));
  try {
    const size = { width: 64, height: 36, spp: 1, seed: 0 };
    const pixels = (frame: number) => {
      const out = join(dir, `orbit-${frame}.png`);
      const run = meshctlRun(
        'render-local',
        ORBIT_SCENE_PATH,
        '--frame',
        String(frame),
        '--out',
        out,
        '--width',
        '64',
        '--height',
        '36',
        '--spp',
        '1',
        '--tile',
        '36',
      );
      assert.equal(run.status, 0, run.stderr);
      const png = decode(readFileSync(out));
      return new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    };
    const [frame0, frame3] = [pixels(0), pixels(3)];
    assert.notDeepEqual(frame0, frame3);
    // The same scene with every motion removed, rendered with the same noise: at frame 0 (all offsets
    // zero) it is the same picture; at frame 3 it is not, because the objects moved.
    const scene = JSON.parse(readFileSync(ORBIT_SCENE_PATH, 'utf8')) as Record<
      'spheres' | 'meshes',
      { motion?: unknown }[]
    >;
    for (const object of [...scene.spheres, ...scene.meshes]) delete object.motion;
    const still = compileSceneJson(scene, 0);
    assert.ok(still.ok);
    const kernel = new WebAssembly.Module(loadKernel('render'));
    const render = (frame: number) =>
      runUnsandboxed(kernel, { frame, x: 0, y: 0, w: size.width, h: size.height, ...size }, still.value);
    assert.deepEqual(frame0, render(0));
    assert.notDeepEqual(frame3, render(3));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
