// Preflight in the sandbox, for real: a scene's report as Blender reads it (frames, size, samples,
// denoising, packed and relative textures), and the refusals that name what is wrong: a missing
// texture's path, another engine, an unpacked linked library; a glare node keeps it to frames. A
// node keeps the preflight of the scenes it saw last.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findBlender } from '../../../src-main/node/blender/install.js';
import { preflightInSandbox, type Preflight } from '../../../src-main/node/blender/preflight.js';
import { bringScene } from '../../../src-main/node/blender/scene-folder.js';
import { SharingSettingsSchema } from '../../../src-main/core/schemas/availability.js';
import { BlenderProbe } from '../../../src-main/node/mesh/machine/blender-probe.js';
import { FramePreviews } from '../../../src-main/node/mesh/render/blender-previews.js';
import { encodeFramePng } from '../../../src-main/node/render/png.js';
import { makeScene, tempFolder, texture } from './scenes.js';

const folder = tempFolder('blender-preflight-');
let blender: string;
let units = 0;

before(async () => {
  const found = await findBlender();
  assert.ok(found.ok, found.ok ? '' : found.reason);
  blender = found.install.path;
});
after(() => folder.done());

/** Makes a scene in its own folder (with `files` beside it), brings it into a unit and preflights it. */
async function preflight(extra: string, files: Record<string, Uint8Array> = {}): Promise<Preflight> {
  const source = join(folder.dir, `source-${units}`);
  const unitDir = join(folder.dir, `unit-${units++}`);
  mkdirSync(source);
  mkdirSync(unitDir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(source, name), bytes);
  makeScene(join(source, 'scene.blend'), extra);
  const file = await bringScene(source, unitDir);
  return preflightInSandbox(blender, unitDir, file);
}

const PIXEL = encodeFramePng(1, 1, Uint8Array.of(0, 255, 0, 255));

test('the report of a scene with a packed texture and a missing relative one; denoising turned off with a warning', async () => {
  const packedSource = join(folder.dir, 'packed.png');
  writeFileSync(packedSource, PIXEL);
  const result = await preflight(
    `${texture(packedSource, true)}\n${texture('//tex/wood.png').replaceAll('"m"', '"m2"')}`,
  );
  // The relative texture is not in the scene's folder: the preflight names it.
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.match(result.verdict.refusals.join('\n'), /missing texture "wood.png": \/\/tex\/wood.png is not in the job/);
  const { report } = result;
  assert.deepEqual(
    [report.frame_start, report.frame_end, report.width, report.height, report.samples],
    [1, 4, 64, 48, 8],
  );
  assert.equal(report.engine, 'CYCLES');
  assert.ok(report.images.some((i) => i.packed && i.exists));
  assert.match(result.verdict.warnings.join('\n'), /denoising is turned off/);
  assert.ok(result.verdict.tiles);
});

test('a texture beside the scene, relative to it, is found in the unit', async () => {
  const result = await preflight(texture('//wood.png'), { 'wood.png': PIXEL });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.deepEqual(result.verdict.refusals, []);
});

test('UDIM tiles: each tile is a file that must be in the job', async () => {
  const udim = [
    "img = bpy.data.images.new('udim', 1, 1, tiled=True)",
    'img.tiles.new(tile_number=1002)',
    "img.source = 'TILED'",
    "img.filepath = '//udim.<UDIM>.png'",
    "mat = bpy.data.materials.new('m'); mat.use_nodes = True",
    "mat.node_tree.nodes.new('ShaderNodeTexImage').image = img",
    'sphere.data.materials.append(mat)',
  ].join('\n');
  const both = await preflight(udim, { 'udim.1001.png': PIXEL, 'udim.1002.png': PIXEL });
  assert.ok(both.ok, both.ok ? '' : both.reason);
  assert.deepEqual(both.verdict.refusals, [], 'both tiles beside the scene');
  const one = await preflight(udim, { 'udim.1001.png': PIXEL });
  assert.ok(one.ok, one.ok ? '' : one.reason);
  assert.match(one.verdict.refusals.join('\n'), /missing texture "udim": \/\/udim.<UDIM>.png/, 'tile 1002 is missing');
});

test('refusals name what is wrong: another engine, a linked library outside the job; glare keeps it to frames', async () => {
  const library = join(folder.dir, 'library.blend');
  makeScene(library);
  const result = await preflight(
    [
      "s.render.engine = 'BLENDER_EEVEE'",
      `with bpy.data.libraries.load(${JSON.stringify(library)}, link=True) as (src, dst): dst.objects = ['Sphere']`,
      's.collection.objects.link(dst.objects[0])',
      's.use_nodes = True',
      'glare = s.node_tree.nodes.new("CompositorNodeGlare")',
    ].join('\n'),
  );
  assert.ok(result.ok, result.ok ? '' : result.reason);
  const refusals = result.verdict.refusals.join('\n');
  assert.match(refusals, /render engine is BLENDER_EEVEE/);
  assert.match(
    refusals,
    /linked library \/\/\.\.\/library\.blend is not in the job \(it points outside the scene's folder\)/,
  );
  assert.equal(result.verdict.tiles, false);
  assert.match(result.verdict.tilesWhyNot ?? '', /glare/);
});

test('a file that is not a .blend is no report, said so', async () => {
  const unitDir = join(folder.dir, 'not-blend');
  mkdirSync(unitDir);
  writeFileSync(join(unitDir, 'scene.blend'), PIXEL);
  const result = await preflightInSandbox(blender, unitDir, 'scene.blend');
  assert.ok(!result.ok);
  assert.match(result.reason, /no preflight report/);
});

/** A node's Blender probe with this machine's Blender (`signal`: the node's stop). */
const probeOf = (signal?: AbortSignal) =>
  new BlenderProbe(
    { settings: SharingSettingsSchema.parse({}) },
    () => {},
    () => {},
    new FramePreviews(),
    () => Promise.reject(new Error('this test has Blender')),
    signal,
  );

test("a node keeps a scene's preflight: the submit after the user saw it runs no second Blender", async () => {
  const probe = probeOf();
  const path = join(folder.dir, 'kept.blend');
  makeScene(path, '');
  const scene = new Uint8Array(readFileSync(path));
  const params = { file: 'scene.blend', zip: false };
  const first = probe.preflight(blender, { scene, params });
  assert.equal(probe.preflight(blender, { scene, params }), first, 'the same bytes: the same preflight');
  const shown = await first;
  assert.ok(shown.ok, shown.ok ? '' : shown.reason);
  const started = performance.now();
  assert.deepEqual(await probe.preflight(blender, { scene: scene.slice(), params }), shown);
  assert.ok(performance.now() - started < 100, 'no Blender started for it');
  const other = scene.slice();
  other[other.length - 1]! ^= 1;
  assert.notEqual(probe.preflight(blender, { scene: other, params }), first, 'other bytes are preflighted again');
  // A run that failed (no Blender there) is not kept: it is tried again.
  const failed = probe.preflight('/nonexistent/blender', { scene, params });
  await failed.catch(() => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  assert.notEqual(probe.preflight('/nonexistent/blender', { scene, params }), failed);
});

test("a node that stops kills the preflight it runs (a peer's scene's too), and keeps no report of it", async () => {
  const stopping = new AbortController();
  const probe = probeOf(stopping.signal);
  const path = join(folder.dir, 'stopped.blend');
  makeScene(path, '');
  const read = { scene: new Uint8Array(readFileSync(path)), params: { file: 'scene.blend', zip: false } };
  const started = performance.now();
  const running = probe.preflight(blender, read);
  setTimeout(() => stopping.abort(), 50);
  const stopped = await running;
  assert.ok(!stopped.ok && /killed: aborted/.test(stopped.reason), JSON.stringify(stopped));
  assert.ok(performance.now() - started < 1000, 'killed at once, not read to the end');
  await new Promise((resolve) => setImmediate(resolve));
  assert.notEqual(probe.preflight(blender, read), running, 'not kept: read again');
});
