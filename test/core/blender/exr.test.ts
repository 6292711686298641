// EXR frames, their pure parts (core/blender/exr.ts, unit.ts, args.ts): the magic number, the most
// a frame may weigh, the one transform from float pixels to 8-bit (rows flipped, clamped, sRGB,
// rounded), the format in a job's terms and its units' params (EXR refused with tiles), and our
// Python writing OpenEXR and reading an EXR's pixels back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeExrArgs, outputName, renderArgs, tilesRenderArgs } from '../../../src-main/core/blender/args.js';
import { exrFrameCap, exrTo8Bit, isExr } from '../../../src-main/core/blender/exr.js';
import { BlenderJobSchema, BlenderUnitParamsSchema } from '../../../src-main/core/blender/unit.js';
import { validate } from '../../../src-main/core/schemas/index.js';

test("an EXR is known by its magic number, and a frame's cap holds its pixels stored raw", () => {
  assert.ok(isExr(new Uint8Array([0x76, 0x2f, 0x31, 0x01, 2, 0])));
  assert.ok(!isExr(new Uint8Array([0x89, 0x50, 0x4e, 0x47])));
  assert.ok(!isExr(new Uint8Array([0x76, 0x2f, 0x31])));
  assert.equal(exrFrameCap(64, 48), 64 * 48 * 8 + 48 * 16 + 64 * 1024);
});

test('float pixels map to 8-bit by one transform: rows from the top, clamped, sRGB-encoded, rounded', () => {
  // 1×2: the bottom row first, as Blender hands them.
  const bottom = [0.5, 0, 1, 1];
  const top = [-1, 2, Number.NaN, 0.5];
  const image = exrTo8Bit(new Float32Array([...bottom, ...top]), 1, 2);
  assert.deepEqual([...image.data], [0, 255, 0, 128, 188, 0, 255, 255]);
  assert.equal(exrTo8Bit(new Float32Array([0.002, 0.2, 0.8, 0]), 1, 1).data[0], 7); // the linear toe: 12.92 × 0.002
  assert.throws(() => exrTo8Bit(new Float32Array(4), 2, 1), /not the RGBA pixels of 2×1/);
});

test("a job's format is in its terms and its units' params; EXR with tiles is refused", () => {
  const scene = { scene_base64: '', file: 'scene.blend' };
  assert.equal(validate(BlenderJobSchema, { ...scene, format: 'exr' }).ok, true);
  assert.equal(validate(BlenderJobSchema, { ...scene, format: 'tiff' }).ok, false);
  const tiled = validate(BlenderJobSchema, { ...scene, format: 'exr', tiles: { cols: 2, rows: 2 } });
  assert.ok(!tiled.ok && /EXR frames cannot be cut into tiles/.test(tiled.error.message));
  assert.equal(validate(BlenderJobSchema, { ...scene, format: 'png', tiles: { cols: 2, rows: 2 } }).ok, true);
  const params = { file: 'scene.blend', zip: false, samples: 4, seed: 0, width: 64, height: 48 };
  assert.equal(validate(BlenderUnitParamsSchema, { ...params, format: 'exr' }).ok, true);
  assert.equal(validate(BlenderUnitParamsSchema, { ...params, format: 'exr', tiles: { cols: 2, rows: 1 } }).ok, false);
});

test('our Python writes OpenEXR RGBA half float ZIP when asked, and reads an EXR back as float pixels', () => {
  const settings = { file: 'scene.blend', frame: 3, samples: 4, seed: 0 };
  const exr = renderArgs({ ...settings, format: 'exr' })[2]!;
  for (const line of ["file_format = 'OPEN_EXR'", "color_mode = 'RGBA'", "color_depth = '16'", "exr_codec = 'ZIP'"])
    assert.ok(exr.includes(line), line);
  assert.ok(renderArgs(settings)[2]!.includes("file_format = 'PNG'"));
  assert.equal(outputName(3, 'exr'), 'out0003.exr');
  const tiles = tilesRenderArgs(
    { ...settings, format: 'exr' },
    { rects: [{ x0: 0, y0: 0, x1: 8, y1: 4 }], width: 64, height: 48 },
  );
  assert.match(
    tiles[2]!,
    /save_render\('\/unit\/tile0\.exr'\)\nim = bpy\.data\.images\.load\('\/unit\/tile0\.exr'\)\nif tuple\(im\.size\) == \(8, 4\)/,
  );
  assert.match(tiles[2]!, /px\.tofile\(open\('\/unit\/tile0\.f32', 'wb'\)\)/);
  assert.match(
    decodeExrArgs(64, 48)[1]!,
    /load\('\/unit\/frame\.exr'\)\nif tuple\(im\.size\) == \(64, 48\) and im\.channels == 4:/,
  );
  assert.throws(() => decodeExrArgs(0, 48), /width 0/);
});
