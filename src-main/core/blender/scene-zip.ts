// A scene's folder (its .blend at the top, its assets by paths relative to it) checked and zipped
// the same way wherever it is sent from: `meshctl submit-job --blend <folder>` and a folder dropped
// on the Jobs page (docs/BLENDER.md, "A folder as a scene"). The zip is the units' module, so its
// bytes must not depend on when or where it was made: its entries go in by path, each with one
// fixed time and one compression level, and nothing else of the machine's (owner, mode, the clock)
// goes in. The same folder always makes the same bytes, and so the same CID.
import { pathProblem } from './zip.js';

/** The most a scene and its assets may weigh, unpacked: a folder's files, a zip's entries. */
export const MAX_SCENE_BYTES = 2 ** 30;

/** A scene (a .blend, folder or zip) that is not taken, and why. */
export class SceneRefused extends Error {
  override readonly name = 'SceneRefused';
}

/** The one .blend at the top of a folder's or zip's files (paths `/`-separated, from its top). */
export function sceneAtTop(paths: readonly string[]): string {
  const scenes = paths.filter((path) => !path.includes('/') && path.endsWith('.blend'));
  const [scene, ...others] = scenes;
  if (!scene || others.length > 0)
    throw new SceneRefused(`the folder must hold one .blend at its top, not ${scenes.length}`);
  return scene;
}

/** A file of a scene's folder, by its path in the folder (`/`-separated) and its size. */
export interface SceneFile {
  path: string;
  size: number;
}

/**
 * Checks a folder's files before any is read: each path one a zip may carry (core/blender/zip.ts
 * refuses the rest on the node) and given once, the sizes within `limit` in all, one .blend at the
 * top. Returns the .blend's name and the files' total bytes.
 */
export function checkSceneFolder(
  files: readonly SceneFile[],
  limit: number = MAX_SCENE_BYTES,
): { scene: string; bytes: number } {
  let bytes = 0;
  const seen = new Set<string>();
  for (const file of files) {
    const problem = pathProblem(file.path);
    if (problem) throw new SceneRefused(problem);
    if (seen.has(file.path)) throw new SceneRefused(`${JSON.stringify(file.path)} is given twice`);
    seen.add(file.path);
    bytes += file.size;
    if (bytes > limit) throw new SceneRefused(`the scene is over ${limit} bytes (at ${file.path})`);
  }
  return { scene: sceneAtTop(files.map((f) => f.path)), bytes };
}

/** The compression level of every entry (fflate's and zlib's default). */
const ZIP_LEVEL = 6;

/**
 * The time every entry is stamped with, 1980-01-01 12:00 (a zip's earliest date). A zip stores a
 * local date and time, which fflate reads from the Date's local fields: a Date made from those
 * fields, when the zip is made, has them in whatever time zone it is made in (one made once, at
 * load, would have other fields once the zone changes).
 */
const zipTime = () => new Date(1980, 0, 1, 12, 0, 0);

/**
 * fflate's `zipSync`, passed in by the caller: the core imports no package but zod. Its entries are
 * written in the order of the object's keys.
 */
export type ZipSync = (files: Record<string, [Uint8Array, { level: typeof ZIP_LEVEL; mtime: Date }]>) => Uint8Array;

/**
 * The zip of a scene's folder (`files` checked by `checkSceneFolder`, in any order): the same files
 * always make the same bytes. The entries are sorted by path (an object's keys keep that order,
 * but for names that are array indices, such as `7`, which JavaScript puts first: still one order
 * for one set of paths), files only (no folder entries: the node makes the folders a path needs),
 * stamped zipTime(), deflated at ZIP_LEVEL, with no Unix mode or owner.
 */
export function zipSceneFolder(
  files: ReadonlyArray<{ path: string; bytes: Uint8Array }>,
  zipSync: ZipSync,
): Uint8Array {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const mtime = zipTime();
  const entries: Parameters<ZipSync>[0] = {};
  for (const file of sorted) entries[file.path] = [file.bytes, { level: ZIP_LEVEL, mtime }];
  return zipSync(entries);
}
