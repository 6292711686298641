// Sandboxed Blender, for real: it is found with its version, renders a frame the same bits twice,
// tiles rendered by borders (each by a Blender of its own, or all by one) stitch back to exactly
// the whole frame, and the pixel comparison tells
// an honest render from a wrong seed and from fewer samples; a requester's check crops of several
// frames by one Blender are each frame's pixels. The figures are docs/BLENDER.md's.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RenderSettings } from '../../../src-main/core/blender/args.js';
import { IDENTICAL_SHARE, identicalShare } from '../../../src-main/core/blender/compare.js';
import { stitch, tileGrid, type Rgba } from '../../../src-main/core/blender/tiles.js';
import { findBlender, type BlenderInstall } from '../../../src-main/node/blender/install.js';
import { renderFrameLocal } from '../../../src-main/node/blender/local.js';
import { renderInSandbox } from '../../../src-main/node/blender/render.js';
import { compareWithCrop, renderCheckCrops } from '../../../src-main/node/blender/unit.js';
import { encodeFramePng } from '../../../src-main/node/render/png.js';
import { HEIGHT, makeScene, tempFolder, WIDTH } from './scenes.js';

const folder = tempFolder('blender-render-');
let install: BlenderInstall;
const LIMITS = { memoryBytes: 4 * 2 ** 30, fileBytes: 256 * 2 ** 20, wallMs: 120_000, stallMs: 60_000 };
let units = 0;

before(async () => {
  const found = await findBlender();
  assert.ok(found.ok, found.ok ? '' : found.reason);
  install = found.install;
  makeScene(join(folder.dir, 'scene.blend'));
});
after(() => folder.done());

async function render(settings: Partial<RenderSettings> = {}): Promise<Rgba> {
  const unitDir = join(folder.dir, `unit-${units++}`);
  mkdirSync(unitDir);
  copyFileSync(join(folder.dir, 'scene.blend'), join(unitDir, 'scene.blend'));
  const samples: number[] = [];
  const result = await renderInSandbox({
    blender: install.path,
    unitDir,
    settings: { file: 'scene.blend', frame: 1, samples: 16, seed: 1, ...settings },
    limits: LIMITS,
    onProgress: (p) => samples.push(p.sample),
  });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.ok(samples.length > 0, 'progress from Sample lines');
  return result.image;
}

test('Blender is found in its sandbox with its version, as the algorithm it advertises', () => {
  assert.match(install.algorithm, /^blender-cycles\/\d+\.\d+$/);
  assert.ok(install.version[0] >= 3);
});

test('a frame renders the same pixels twice; tiles stitch back to exactly the whole frame', async () => {
  const whole = await render();
  assert.equal(whole.width, WIDTH);
  assert.equal(whole.height, HEIGHT);
  assert.equal(identicalShare(whole, await render()), 1);
  const rects = tileGrid(WIDTH, HEIGHT, 3, 2);
  const tiles = [];
  for (const rect of rects) tiles.push({ rect, image: await render({ tile: { rect, width: WIDTH, height: HEIGHT } }) });
  assert.deepEqual(stitch(WIDTH, HEIGHT, tiles).data, whole.data);
  // All six tiles by one Blender (one start, each saved from its render result): the same bytes.
  const unitDir = join(folder.dir, `unit-${units++}`);
  mkdirSync(unitDir);
  copyFileSync(join(folder.dir, 'scene.blend'), join(unitDir, 'scene.blend'));
  const settings = { file: 'scene.blend', frame: 1, samples: 16, seed: 1 };
  const started: number[] = [];
  const local = await renderFrameLocal({
    blender: install.path,
    unitDir,
    ...settings,
    width: WIDTH,
    height: HEIGHT,
    tiles: { cols: 3, rows: 2 },
    limits: LIMITS,
    onProgress: (tile, total, p) => {
      assert.equal(total, 6);
      if (p.sample === 1) started.push(tile);
    },
  });
  assert.deepEqual(local.data, whole.data);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5], 'progress tile by tile');
});

test('the comparison tells an honest render from a wrong seed, fewer samples and another frame', async () => {
  const honest = await render();
  const figures = {
    wrongSeed: identicalShare(honest, await render({ seed: 2 })),
    halfSamples: identicalShare(honest, await render({ samples: 8 })),
    staleFrame: identicalShare(honest, await render({ frame: 4 })),
  };
  console.log('blender identical share against an honest render', figures);
  for (const [what, share] of Object.entries(figures)) assert.ok(share < IDENTICAL_SHARE, `${what}: ${share}`);
});

test("a requester's check crops of several frames, by one Blender, are each frame's own pixels", async () => {
  const frames = [1, 4, 2];
  const ofFrames = frames.map((frame) => ({
    blender: install.path,
    scene: readFileSync(join(folder.dir, 'scene.blend')),
    params: { file: 'scene.blend', zip: false, samples: 16, seed: 1, width: WIDTH, height: HEIGHT },
    frame,
  }));
  const crops = await renderCheckCrops(ofFrames);
  assert.equal(crops.length, frames.length);
  for (const [i, frame] of frames.entries()) {
    const whole = await render({ frame });
    const { rect } = crops[i]!;
    const png = encodeFramePng(whole.width, whole.height, whole.data);
    const verdict = await compareWithCrop(ofFrames[i]!, png, crops[i]!);
    assert.deepEqual(verdict.crops, [{ rect, share: 1 }], `frame ${frame}: its crop, exactly`);
    const next = (i + 1) % frames.length;
    assert.ok(!(await compareWithCrop(ofFrames[next]!, png, crops[next]!)).agrees, "another frame's crop disagrees");
  }
});
