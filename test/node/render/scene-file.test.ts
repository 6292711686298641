// Loading scene files from disk: OBJ meshes read relative to the scene file and inlined, and every
// kind of bad scene refused with an error that names the file and the problem.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseScene, SCENE_LIMITS } from '../../../src-main/core/render/index.js';
import { parseObjMesh } from '../../../src-main/node/render/obj-mesh.js';
import { loadSceneFile, MAX_SCENE_FILE_BYTES } from '../../../src-main/node/render/scene-file.js';

// This file compiles to dist/test/node/render/; the repo root is four levels up.
const scenes = fileURLToPath(new URL('../../../../assets/scenes/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scene-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  camera: { position: [0, 1, 5], look_at: [0, 1, 0], fov: 40 },
  materials: { grey: { type: 'diffuse', albedo: [0.5, 0.5, 0.5] } },
  sky: { horizon: [0.8, 0.8, 0.8], zenith: [0.3, 0.5, 0.9] },
};

/** Writes a scene (JSON value or raw text) and its OBJ files under a fresh folder; returns the scene's path. */
function sceneWith(name: string, scene: unknown, objs: Record<string, string> = {}): string {
  const folder = join(dir, name);
  mkdirSync(join(folder, 'models'), { recursive: true });
  for (const [file, text] of Object.entries(objs)) writeFileSync(join(folder, file), text);
  const path = join(folder, 'scene.json');
  writeFileSync(path, typeof scene === 'string' ? scene : JSON.stringify(scene));
  return path;
}

async function refusal(path: string): Promise<string> {
  const loaded = await loadSceneFile(path);
  assert.equal(loaded.ok, false, 'the scene should be refused');
  return loaded.ok ? '' : loaded.error;
}

const TRIANGLE_OBJ = 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n';

test('the sample model loads with its OBJ mesh inlined: over 10,000 triangles, as JSON a job can carry', async () => {
  const loaded = await loadSceneFile(join(scenes, 'model.json'));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  const [knot] = loaded.scene.meshes;
  assert.ok(knot && knot.faces.length >= 10_000, `${knot?.faces.length} triangles`);
  assert.equal(knot.vertices.length, knot.faces.length / 2, 'shared vertices are merged (a closed tube of quads)');
  assert.deepEqual(knot.translate, [0, 0.9, 0]);
  // What goes over the API is what renders here: the JSON parses back to the same scene.
  const again = parseScene(JSON.parse(JSON.stringify(loaded.json)));
  assert.ok(again.ok);
  assert.deepEqual(again.value, loaded.scene);
});

test('OBJ paths resolve against the scene file folder; quads split, lines and points are skipped', async () => {
  const obj = [
    '# a unit square as one quad, with an edge and a point that are no surface',
    'v 0 0 0',
    'v 1 0 0',
    'v 1 1 0',
    'v 0 1 0',
    'l 1 3',
    'p 2',
    'f 1 2 3 4',
    'f -4 -3 -2',
  ].join('\n');
  const path = sceneWith(
    'relative',
    { ...base, meshes: [{ obj: 'models/square.obj', material: 'grey', scale: 2 }] },
    { 'models/square.obj': obj },
  );
  const loaded = await loadSceneFile(path);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  assert.deepEqual(loaded.scene.meshes[0]!.vertices, [
    [0, 0, 0],
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 0],
  ]);
  assert.deepEqual(loaded.scene.meshes[0]!.faces, [
    [0, 1, 2],
    [0, 2, 3],
    [0, 1, 2],
  ]);
  assert.equal(loaded.scene.meshes[0]!.scale, 2);
});

test('malformed JSON is refused with the parser message', async () => {
  assert.match(await refusal(sceneWith('malformed', '{"camera": {')), /scene\.json is not JSON: .*JSON/);
});

test('schema errors are listed with their paths: an unknown material, a bad field', async () => {
  const scene = { ...base, spheres: [{ center: [0, 1, 0], radius: 1, material: 'chrome' }], max_depth: 0 };
  const error = await refusal(sceneWith('unknown-material', scene));
  assert.match(
    error,
    /scene\.json is not a valid scene:\n {2}max_depth: .*\n {2}spheres\.0\.material: unknown material "chrome"/,
  );
});

test('an OBJ face that names a missing vertex is refused by triangle and line', async () => {
  const obj = `${TRIANGLE_OBJ}f 1 2 3 9\n`;
  const path = sceneWith(
    'bad-index',
    { ...base, meshes: [{ obj: 'models/x.obj', material: 'grey' }] },
    { 'models/x.obj': obj },
  );
  assert.equal(
    await refusal(path),
    'models/x.obj (meshes.0.obj): triangle 3 (line 5) refers to a vertex that does not exist',
  );
});

test('an OBJ that is not OBJ, has no triangles or has a bad number is refused, naming the file', async () => {
  const objs = {
    'models/text.obj': 'hello, world\n',
    'models/empty.obj': 'v 0 0 0\n',
    'models/nan.obj': 'v 0 x 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n',
  };
  const meshes = (file: string) => ({ ...base, meshes: [{ obj: file, material: 'grey' }] });
  assert.match(
    await refusal(sceneWith('text', meshes('models/text.obj'), objs)),
    /^models\/text\.obj \(meshes\.0\.obj\): not a valid OBJ file: .*hello, world/,
  );
  assert.match(
    await refusal(sceneWith('empty', meshes('models/empty.obj'), objs)),
    /^models\/empty\.obj \(meshes\.0\.obj\): holds no triangles/,
  );
  assert.match(
    await refusal(sceneWith('nan', meshes('models/nan.obj'), objs)),
    /^models\/nan\.obj \(meshes\.0\.obj\): triangle 1 \(line 4\) has a vertex coordinate that is not a number/,
  );
});

test('a missing OBJ file is refused, naming it and where it was looked for', async () => {
  const path = sceneWith('missing', { ...base, meshes: [{ obj: 'models/nope.obj', material: 'grey' }] });
  const error = await refusal(path);
  assert.match(
    error,
    /^cannot read models\/nope\.obj \(meshes\.0\.obj\): no such file \(looked for .*missing\/models\/nope\.obj\)$/,
  );
});

test('triangles over the limit are refused with the count and the limit, counting every mesh', async () => {
  // One polygon of n corners is n - 2 triangles: a short file that claims a great many.
  const fan = (triangles: number) =>
    `v 0 0 0\nv 1 0 0\nv 0 1 0\nf ${Array.from({ length: triangles + 2 }, (_, i) => (i % 3) + 1).join(' ')}\n`;
  const limit = SCENE_LIMITS.triangles;
  const alone = sceneWith(
    'over-limit',
    { ...base, meshes: [{ obj: 'models/big.obj', material: 'grey' }] },
    { 'models/big.obj': fan(limit + 1) },
  );
  assert.match(
    await refusal(alone),
    new RegExp(
      `^models/big\\.obj \\(meshes\\.0\\.obj\\): ${limit + 1} triangles, more than the ${limit} the scene has room for`,
    ),
  );
  const half = sceneWith(
    'two-halves',
    {
      ...base,
      meshes: [
        { obj: 'models/half.obj', material: 'grey' },
        { obj: 'models/half.obj', material: 'grey' },
      ],
    },
    { 'models/half.obj': fan(limit / 2 + 1) },
  );
  assert.match(
    await refusal(half),
    new RegExp(
      `^models/half\\.obj \\(meshes\\.1\\.obj\\): ${limit / 2 + 1} triangles, more than the ${limit / 2 - 1} the scene`,
    ),
  );
});

test('a missing or oversized scene file is refused before it is read', async () => {
  assert.match(await refusal(join(dir, 'nope.json')), /^cannot read .*nope\.json: no such file$/);
  const huge = sceneWith('huge', base);
  truncateSync(huge, MAX_SCENE_FILE_BYTES + 1); // sparse: no 64 MiB written
  assert.match(
    await refusal(huge),
    new RegExp(`is ${MAX_SCENE_FILE_BYTES + 1} bytes; a scene file may be at most ${MAX_SCENE_FILE_BYTES}$`),
  );
});

test('parseObjMesh merges shared vertices and keeps the digits the file wrote', () => {
  const parsed = parseObjMesh('v 0.1 -2.5 3\nv 1e-3 0 0\nv 0 1 0\nv 0.1 -2.5 3\nf 1 2 3\nf 4 2 3\n', 10);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.mesh.vertices, [
    [0.1, -2.5, 3],
    [0.001, 0, 0],
    [0, 1, 0],
  ]);
  assert.deepEqual(parsed.mesh.faces, [
    [0, 1, 2],
    [0, 1, 2],
  ]);
});
