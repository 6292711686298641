// EXR frames on this machine, as a provider renders one and a requester checks it: the frame is a
// valid OpenEXR of its size, its crop re-rendered as EXR agrees with it after both are mapped to
// 8-bit, and it matches a PNG render of a scene with the Standard view transform within the rule.
// What a hostile provider may send instead (a truncated EXR, garbage behind the magic number, a
// PNG, an EXR whose header claims a huge frame) is decoded by Blender in the sandbox, fails the
// check saying why, and leaves this process as it was.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { IDENTICAL_SHARE, identicalShare } from '../../../src-main/core/blender/compare.js';
import { isExr } from '../../../src-main/core/blender/exr.js';
import type { BlenderUnitParams } from '../../../src-main/core/blender/unit.js';
import { decodeExrInSandbox } from '../../../src-main/node/blender/exr.js';
import { findBlender, type BlenderInstall } from '../../../src-main/node/blender/install.js';
import { renderFrameLocal } from '../../../src-main/node/blender/local.js';
import {
  compareWithCrop,
  renderCheckCrops,
  renderUnit,
  type BlenderUnit,
} from '../../../src-main/node/blender/unit.js';
import { HEIGHT, makeScene, STANDARD_VIEW, tempFolder, WIDTH } from './scenes.js';

const folder = tempFolder('mesh-blender-exr-');
let install: BlenderInstall;
let unit: BlenderUnit;
let exr: Uint8Array;

before(async () => {
  const found = await findBlender();
  assert.ok(found.ok, found.ok ? '' : found.reason);
  install = found.install;
  makeScene(join(folder.dir, 'scene.blend'), STANDARD_VIEW);
  const params: BlenderUnitParams = {
    file: 'scene.blend',
    zip: false,
    samples: 4,
    seed: 2,
    width: WIDTH,
    height: HEIGHT,
    format: 'exr',
  };
  unit = { blender: install.path, scene: readFileSync(join(folder.dir, 'scene.blend')), params, frame: 2 };
  exr = (await renderUnit(unit)).output;
});
after(() => folder.done());

test("a provider's EXR frame is an OpenEXR of its size that agrees with the requester's EXR crop and a PNG render", async () => {
  assert.ok(isExr(exr), 'the magic number 0x762f3101');
  const decoded = await decodeExrInSandbox(install.path, exr, { width: WIDTH, height: HEIGHT });
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
  assert.deepEqual([decoded.image.width, decoded.image.height], [WIDTH, HEIGHT]);
  const [crop] = await renderCheckCrops([unit]);
  const verdict = await compareWithCrop(unit, exr, crop!);
  assert.ok(verdict.agrees, JSON.stringify(verdict.crops));
  assert.deepEqual(verdict.image, decoded.image, 'the preview is the pixels the check compared');
  const png = await renderFrameLocal({
    blender: install.path,
    unitDir: folder.dir,
    file: 'scene.blend',
    frame: 2,
    samples: 4,
    seed: 2,
    width: WIDTH,
    height: HEIGHT,
    limits: { memoryBytes: 8 * 2 ** 30, fileBytes: 256 * 2 ** 20, wallMs: 120_000, stallMs: 60_000 },
  });
  const share = identicalShare(decoded.image, png);
  assert.ok(share >= IDENTICAL_SHARE, `${(share * 100).toFixed(2)} % of the EXR's 8-bit pixels are the PNG's`);
});

test('a hostile or broken "EXR" fails the check, saying why, and the requester lives on', async () => {
  const [crop] = await renderCheckCrops([unit]);
  // The header's dataWindow (box2i: xMin, yMin, xMax, yMax) claiming a frame of 60,000 × 60,000.
  const huge = Buffer.from(exr);
  const at = huge.indexOf('dataWindow\0box2i\0') + 'dataWindow\0box2i\0'.length + 4;
  huge.writeInt32LE(59_999, at + 8);
  huge.writeInt32LE(59_999, at + 12);
  const garbage = Buffer.concat([Buffer.from([0x76, 0x2f, 0x31, 0x01]), Buffer.alloc(4096, 0xa5)]);
  const png = readFileSync(new URL('../../../../assets/icon.png', import.meta.url));
  const hostile: Record<string, Uint8Array> = {
    truncated: exr.subarray(0, 400),
    garbage,
    'a PNG': png,
    'a 60000×60000 header': huge,
  };
  for (const [what, bytes] of Object.entries(hostile)) {
    const verdict = await compareWithCrop(unit, bytes, crop!);
    assert.equal(verdict.agrees, false, what);
    assert.match(verdict.why ?? '', /not an OpenEXR file|read no RGBA image|bytes of pixels/, what);
  }
  assert.ok((await compareWithCrop(unit, exr, crop!)).agrees, 'and still checks an honest frame');
});
