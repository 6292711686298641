// A scene with linked libraries, as studios and asset packs make them (issue 87): a folder whose
// .blend links a collection from `assets/column.blend`, which names its texture `//altocumulus.png`
// (beside the library, not the main file) and links a nested library, `sub/base.blend`. The
// preflight resolves each path against the file that holds it, as Blender does, and refuses only
// what is missing or points outside the job; the folder renders here and across real nodes.
// Before, such a folder was refused: "linked library //assets/column.blend is not packed".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { encodeFramePng } from '../../../src-main/node/render/png.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders, jobEnded, type TestNode } from '../mesh/cluster.js';
import { blenderSharing } from './providers.js';
import { blendJobArgs, makeScene, writtenFramesMatchLocal } from './scenes.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-blender-libraries-'));
const dataDir = join(dir, 'requester');
const shot = join(dir, 'shot');

/** Runs Blender's Python `code` (factory settings, no scene of ours); throws with its output if it fails. */
function blenderPython(code: string): void {
  const run = spawnSync('blender', ['-b', '--factory-startup', '-Y', '--python-expr', code], { encoding: 'utf8' });
  if (run.status !== 0 || /Traceback|Error:/.test(run.stdout + run.stderr))
    throw new Error(`blender: ${run.stdout.slice(-800)} ${run.stderr.slice(-800)}`);
}

/** `assets/sub/base.blend` (a plinth), `assets/column.blend` (a column textured by `//altocumulus.png`, linking the plinth). */
function makeLibraries(assets: string): void {
  mkdirSync(join(assets, 'sub'), { recursive: true });
  writeFileSync(join(assets, 'altocumulus.png'), encodeFramePng(4, 4, new Uint8Array(64).fill(200)));
  const base = JSON.stringify(join(assets, 'sub', 'base.blend'));
  const column = JSON.stringify(join(assets, 'column.blend'));
  blenderPython(
    [
      'import bpy',
      'bpy.ops.wm.read_factory_settings(use_empty=True)',
      "bpy.ops.mesh.primitive_cube_add(size=1.2, location=(0, 0, 0.3)); bpy.context.object.name = 'Plinth'",
      `bpy.ops.wm.save_as_mainfile(filepath=${base})`,
      'bpy.ops.wm.read_factory_settings(use_empty=True)',
      "bpy.ops.mesh.primitive_cylinder_add(radius=0.4, depth=3, location=(0, 0, 1.5)); col = bpy.context.object; col.name = 'Column'",
      `img = bpy.data.images.load(${JSON.stringify(join(assets, 'altocumulus.png'))}); img.filepath = '//altocumulus.png'`,
      "mat = bpy.data.materials.new('stone'); mat.use_nodes = True",
      "tex = mat.node_tree.nodes.new('ShaderNodeTexImage'); tex.image = img",
      "mat.node_tree.links.new(tex.outputs[0], mat.node_tree.nodes['Principled BSDF'].inputs[0])",
      'col.data.materials.append(mat)',
      "coll = bpy.data.collections.new('ColumnSet'); bpy.context.scene.collection.children.link(coll); coll.objects.link(col)",
      `with bpy.data.libraries.load(${base}, link=True, relative=True) as (src, dst): dst.objects = ['Plinth']`,
      "coll.objects.link(bpy.data.objects['Plinth'])",
      `bpy.ops.wm.save_as_mainfile(filepath=${column}, relative_remap=True)`,
    ].join('\n'),
  );
}

/** Scene Python: the column set linked from `library` (relative to the main file when `relative`), placed beside the sphere. */
const linkColumn = (library: string, relative = true) =>
  [
    `with bpy.data.libraries.load(${JSON.stringify(library)}, link=True, relative=${relative ? 'True' : 'False'}) as (src, dst): dst.collections = ['ColumnSet']`,
    "inst = bpy.data.objects.new('Columns', None); inst.instance_type = 'COLLECTION'",
    "inst.instance_collection = bpy.data.collections['ColumnSet']; s.collection.objects.link(inst); inst.location = (-1.5, 0.5, 0)",
  ].join('\n');

let daemon: Daemon;
let stop: () => Promise<void>;
let providers: TestNode[];

before(async () => {
  makeLibraries(join(shot, 'assets'));
  makeScene(join(shot, 'main.blend'), linkColumn(join(shot, 'assets', 'column.blend')));
  ({ daemon, providers, stop } = await daemonAndProviders(dataDir, 1));
});
after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a folder with nested libraries is read with every path found; missing or outside the job, refused by name', async () => {
  const read = await runMeshctl(['blender', 'preflight', shot]);
  assert.equal(read.status, 0, read.stdout + read.stderr);
  assert.match(read.stdout, /^images: 1 \(0 packed\); linked libraries: 2$/m);
  assert.doesNotMatch(read.stdout, /refused/);

  // The .blend alone: its library is not in the job.
  const alone = join(dir, 'alone.blend');
  copyFileSync(join(shot, 'main.blend'), alone);
  const lone = await runMeshctl(['blender', 'preflight', alone]);
  assert.equal(lone.status, 1);
  assert.match(lone.stdout, /^refused: linked library \/\/assets\/column\.blend is not in the job$/m);

  // A library that lost its texture: named with the library that names it.
  const bare = join(dir, 'bare');
  mkdirSync(bare);
  makeLibraries(join(bare, 'assets'));
  rmSync(join(bare, 'assets', 'altocumulus.png'));
  makeScene(join(bare, 'main.blend'), linkColumn(join(bare, 'assets', 'column.blend')));
  const untextured = await runMeshctl(['blender', 'preflight', bare]);
  assert.equal(untextured.status, 1);
  assert.match(
    untextured.stdout,
    /^refused: missing texture "altocumulus\.png": \/\/altocumulus\.png is not in the job \(named by \/\/assets\/column\.blend\)$/m,
  );

  // A library linked by an absolute path elsewhere on this machine: not in the job, wherever it is.
  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(elsewhere);
  makeScene(join(elsewhere, 'main.blend'), linkColumn(join(shot, 'assets', 'column.blend'), false));
  const outside = await runMeshctl(['blender', 'preflight', elsewhere]);
  assert.equal(outside.status, 1);
  assert.match(
    outside.stdout,
    /^refused: linked library \/\S+\/shot\/assets\/column\.blend is not in the job \(it points outside the scene's folder\)$/m,
  );
});

test('the folder renders across the mesh, each frame a local render of it', async () => {
  await blenderSharing(providers[0]!, true);
  const run = await runMeshctl(blendJobArgs({ scene: shot, frames: '1-2', samples: 4, seed: 3, dataDir }));
  assert.equal(run.status, 0, run.stderr);
  const jobId = /^submitted job (\S+): \d+ frames?$/m.exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  const job = await jobEnded(daemon.handlers, jobId, 300_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  await writtenFramesMatchLocal({ jobId, dataDir, scene: shot, dir, frames: [1, 2], samples: 4, seed: 3 });
});
