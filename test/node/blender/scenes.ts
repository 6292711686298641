// Scenes for the Blender tests, made by Blender's own Python in the test (the repository holds no
// binary .blend): a small Cycles scene (64×48, a moving sphere over a plane, frames 1–4), and what
// each test adds to it. The scene is made outside the sandbox by our own Python; what is tested is
// the sandboxed run of it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTICAL_SHARE, identicalShare } from '../../../src-main/core/blender/compare.js';
import type { Rgba } from '../../../src-main/core/blender/tiles.js';
import { findBlender } from '../../../src-main/node/blender/install.js';
import { decodeRgba } from '../../../src-main/node/blender/png.js';
import { renderFrameLocal } from '../../../src-main/node/blender/local.js';
import { bringScene } from '../../../src-main/node/blender/scene-folder.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';

export const WIDTH = 64;
export const HEIGHT = 48;

const BASE = [
  'import bpy',
  's = bpy.context.scene',
  "s.render.engine = 'CYCLES'",
  `s.render.resolution_x = ${WIDTH}`,
  `s.render.resolution_y = ${HEIGHT}`,
  's.cycles.samples = 8',
  's.frame_start = 1',
  's.frame_end = 4',
  'bpy.ops.mesh.primitive_plane_add(size=10)',
  'bpy.ops.mesh.primitive_uv_sphere_add(location=(0, 0, 1))',
  'sphere = bpy.context.object',
  'sphere.keyframe_insert("location", frame=1)',
  'sphere.location = (1.5, 0, 1)',
  'sphere.keyframe_insert("location", frame=4)',
].join('\n');

/** Saves the base scene with `extra` Python run after it to `path`. */
export function makeScene(path: string, extra = ''): void {
  const code = `${BASE}\n${extra}\nbpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(path)}, compress=True)`;
  const run = spawnSync('blender', ['-b', '--factory-startup', '-Y', '--python-expr', code], { encoding: 'utf8' });
  if (run.status !== 0 || !/Saved "/.test(run.stdout))
    throw new Error(`blender could not make ${path}: ${run.stdout.slice(-500)} ${run.stderr.slice(-500)}`);
}

/**
 * Frame `frame` of the scene at `scene` (a .blend, or its folder with its assets), rendered whole by
 * `blender` (its path) in its sandbox at `samples` and `seed`, in a folder made under `dir`: what a
 * job's frames are held to.
 */
export async function localFrame(options: {
  blender: string;
  scene: string;
  dir: string;
  frame: number;
  samples: number;
  seed: number;
  /** The resolution percentage, the frame then WIDTH×HEIGHT at it; 100 when not given. */
  percentage?: number;
}): Promise<Rgba> {
  const unitDir = mkdtempSync(join(options.dir, 'local-'));
  const file = await bringScene(options.scene, unitDir);
  const { blender, frame, samples, seed, percentage } = options;
  return renderFrameLocal({
    blender,
    unitDir,
    file,
    frame,
    samples,
    seed,
    width: WIDTH,
    height: HEIGHT,
    ...(percentage !== undefined ? { percentage } : {}),
    limits: { memoryBytes: 8 * 2 ** 30, fileBytes: 256 * 2 ** 20, wallMs: 300_000, stallMs: 120_000 },
  });
}

/** A fresh folder, removed by `done`. */
export function tempFolder(prefix: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Scene Python (for makeScene's `extra`): the sphere textured by an image at a path no job holds. */
export const MISSING_TEXTURE = [
  "img = bpy.data.images.new('rock', 1, 1)",
  "img.source = 'FILE'",
  "img.filepath = '/nowhere/rock.png'",
  "mat = bpy.data.materials.new('m'); mat.use_nodes = True",
  "mat.node_tree.nodes.new('ShaderNodeTexImage').image = img",
  'sphere.data.materials.append(mat)',
].join('\n');

/**
 * Scene Python: the Standard view transform (3.x's default is Filmic), so that a PNG render's
 * 8-bit pixels are the scene's linear colours sRGB-encoded, as an EXR's are mapped to 8-bit.
 */
export const STANDARD_VIEW = "s.view_settings.view_transform = 'Standard'";

/**
 * Scene Python: the sphere's colour from an image at `path` (Blender's `//` is the .blend's
 * folder), packed into the .blend when `pack`, else read from the path at render.
 */
export const texture = (path: string, pack = false): string =>
  [
    ...(pack
      ? [`img = bpy.data.images.load(${JSON.stringify(path)}, check_existing=False)`, 'img.pack()']
      : [
          `img = bpy.data.images.new(${JSON.stringify(path.split('/').pop())}, 1, 1)`,
          "img.source = 'FILE'",
          `img.filepath = ${JSON.stringify(path)}`,
        ]),
    'mat = bpy.data.materials.new("m"); mat.use_nodes = True',
    'tex = mat.node_tree.nodes.new("ShaderNodeTexImage"); tex.image = img',
    'mat.node_tree.links.new(tex.outputs[0], mat.node_tree.nodes["Principled BSDF"].inputs[0])',
    'sphere.data.materials.append(mat)',
  ].join('\n');

/**
 * A job's frames as `meshctl job output --out` writes them in a folder under `dir`: named as
 * Blender names `frames` (0001.png, …), each WIDTH×HEIGHT and within the rule of a local render of
 * its frame of `scene` at `samples` and `seed`.
 */
export async function writtenFramesMatchLocal(options: {
  jobId: string;
  dataDir: string;
  scene: string;
  dir: string;
  frames: readonly number[];
  samples: number;
  seed: number;
  percentage?: number;
}): Promise<void> {
  const { jobId, dataDir, scene, dir, frames, samples, seed, percentage } = options;
  const out = join(dir, `frames-${jobId}`);
  const written = await runMeshctl(['job', 'output', jobId, '--out', out, '--data-dir', dataDir]);
  assert.equal(written.status, 0, written.stderr);
  const files = readdirSync(out).sort();
  assert.deepEqual(
    files,
    frames.map((f) => `${String(f).padStart(4, '0')}.png`),
    'named as Blender names frames',
  );
  const found = await findBlender();
  assert.ok(found.ok);
  for (const [i, file] of files.entries()) {
    const frame = decodeRgba(readFileSync(join(out, file)));
    assert.equal(frame.width, WIDTH);
    assert.equal(frame.height, HEIGHT);
    const number = frames[i]!;
    const local = await localFrame({
      blender: found.install.path,
      scene,
      dir,
      frame: number,
      samples,
      seed,
      ...(percentage !== undefined ? { percentage } : {}),
    });
    assert.ok(identicalShare(frame, local) >= IDENTICAL_SHARE, `frame ${number} is a local render's pixels`);
  }
}

/** `meshctl submit-job --blend` of a job's `frames` at its samples and seed, within a budget that covers them; then `more`. */
export function blendJobArgs(
  job: { scene: string; frames: string; samples: number; seed: number; dataDir: string },
  ...more: string[]
): string[] {
  const { scene, frames, samples, seed, dataDir } = job;
  return [
    'submit-job',
    '--blend',
    scene,
    '--frames',
    frames,
    '--samples',
    String(samples),
    '--seed',
    String(seed),
    '--budget',
    '100000',
    '--data-dir',
    dataDir,
    ...more,
  ];
}

/**
 * Scene Python: a bright light and a fog-glow glare node in the compositor, which spreads light
 * across the frame (as the public benchmark scene that had two honest providers convicted): a crop
 * of it composited alone is not that crop of the frame (30 % identical pixels, measured).
 */
export const GLARE = [
  "bpy.ops.object.light_add(type='POINT', location=(1, -1, 3))",
  'bpy.context.object.data.energy = 2000',
  's.use_nodes = True',
  't = s.node_tree',
  "glare = t.nodes.new('CompositorNodeGlare'); glare.glare_type = 'FOG_GLOW'; glare.threshold = 0.2; glare.size = 9",
  "t.links.new(t.nodes['Render Layers'].outputs['Image'], glare.inputs['Image'])",
  "t.links.new(glare.outputs['Image'], t.nodes['Composite'].inputs['Image'])",
].join('\n');
