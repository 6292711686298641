// Reads a scene file from disk and resolves it into the scene a job carries: every mesh that names
// an OBJ file (`"obj": "models/knot.obj"`, relative to the scene file's folder) is read, parsed and
// inlined as vertices and faces. The file is validated as a whole (SceneFileSchema) before any OBJ
// is read, files are size-checked before they are read, and the OBJ meshes are counted against the
// scene's triangle limit as they load, so a bad scene costs little. Errors name the file.
import { describeError } from '../../core/errors.js';
import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  parseScene,
  parseSceneFile,
  SCENE_LIMITS,
  type Mesh,
  type Scene,
  type SceneFile,
} from '../../core/render/index.js';
import type { DecodeError } from '../../core/schemas/index.js';
import { parseObjMesh } from './obj-mesh.js';

/** Scene files beyond this are refused before being read (200,000 inline triangles fit well inside). */
export const MAX_SCENE_FILE_BYTES = 64 << 20;
/** OBJ files beyond this are refused before being read (200,000 triangles take about 10 MiB). */
const MAX_OBJ_FILE_BYTES = 64 << 20;

export type LoadedScene =
  | {
      ok: true;
      /** Validated, OBJ meshes inlined, defaults filled in. */
      scene: Scene;
      /** The same scene as JSON: what a caller sends over the API (the daemon cannot read the user's files). */
      json: unknown;
    }
  | { ok: false; error: string };

export async function loadSceneFile(path: string): Promise<LoadedScene> {
  const text = await readBounded(path, MAX_SCENE_FILE_BYTES, 'a scene file');
  if (!text.ok) return text;
  let json: unknown;
  try {
    json = JSON.parse(text.value);
  } catch (err) {
    return { ok: false, error: `${path} is not JSON: ${describeError(err)}` };
  }
  const file = parseSceneFile(json);
  if (!file.ok) return { ok: false, error: `${path} is not a valid scene:${listIssues(file.error)}` };

  const meshes = await inlineObjMeshes(file.value, dirname(path));
  if (!meshes.ok) return meshes;
  const resolved = { ...file.value, meshes: meshes.value };
  // Inlined meshes pass the scene schema once more: the face indices, the coordinates, the totals.
  const scene = parseScene(resolved);
  if (!scene.ok)
    return { ok: false, error: `${path} is not a valid scene once its OBJ meshes are read:${listIssues(scene.error)}` };
  return { ok: true, scene: scene.value, json: resolved };
}

/** The file's meshes with each OBJ reference replaced by the mesh it names, in order. */
async function inlineObjMeshes(
  file: SceneFile,
  folder: string,
): Promise<{ ok: true; value: Mesh[] } | { ok: false; error: string }> {
  let triangles = file.meshes.reduce((sum, mesh) => sum + ('obj' in mesh ? 0 : mesh.faces.length), 0);
  const meshes: Mesh[] = [];
  for (const [m, mesh] of file.meshes.entries()) {
    if (!('obj' in mesh)) {
      meshes.push(mesh);
      continue;
    }
    const { obj, ...placement } = mesh;
    const label = `${obj} (meshes.${m}.obj)`;
    const text = await readBounded(resolve(folder, obj), MAX_OBJ_FILE_BYTES, 'an OBJ file', label);
    if (!text.ok) return text;
    const parsed = parseObjMesh(text.value, SCENE_LIMITS.triangles - triangles);
    if (!parsed.ok) return { ok: false, error: `${label}: ${parsed.error}` };
    triangles += parsed.mesh.faces.length;
    meshes.push({ ...parsed.mesh, ...placement });
  }
  return { ok: true, value: meshes };
}

/** A file's text, refused before reading when it is larger than `maxBytes`. */
async function readBounded(
  path: string,
  maxBytes: number,
  what: string,
  label = path,
): Promise<{ ok: true; value: string } | { ok: false; error: string }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return { ok: false, error: `cannot read ${label}: ${describeError(err)}` };
    return { ok: false, error: `cannot read ${label}: no such file${label === path ? '' : ` (looked for ${path})`}` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { ok: false, error: `${label} is not a file` };
    if (stats.size > maxBytes)
      return { ok: false, error: `${label} is ${stats.size} bytes; ${what} may be at most ${maxBytes}` };
    return { ok: true, value: await handle.readFile('utf8') };
  } catch (err) {
    return { ok: false, error: `cannot read ${label}: ${describeError(err)}` };
  } finally {
    await handle.close();
  }
}

/** Every schema issue on its own line, path first (validate keeps the first 20). */
function listIssues(error: DecodeError): string {
  return error.issues.length > 0
    ? error.issues.map((issue) => `\n  ${issue.path}: ${issue.message}`).join('')
    : ` ${error.message}`;
}
