// A job's scene brought into a unit's folder: a .blend alone, or a folder with its assets (paths
// relative to the .blend). Only plain files and folders are taken: a symlink (which could point
// anywhere on the requester's or provider's disk), a device or a name climbing out is refused, and
// so is a scene past the size limit, before anything is copied.
import { copyFile, lstat, mkdir, readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

/** The most a scene and its assets may weigh. */
const MAX_SCENE_BYTES = 1 * 2 ** 30;

export class SceneRefused extends Error {
  override readonly name = 'SceneRefused';
}

interface Entry {
  from: string;
  to: string;
}

async function walk(
  root: string,
  folder: string,
  into: Entry[],
  total: { bytes: number },
  limit: number,
): Promise<void> {
  for (const name of await readdir(folder)) {
    const from = join(folder, name);
    const rel = relative(root, from);
    const stat = await lstat(from);
    if (stat.isSymbolicLink()) throw new SceneRefused(`${rel} is a symlink: a scene's folder holds plain files only`);
    if (stat.isDirectory()) await walk(root, from, into, total, limit);
    else if (stat.isFile()) {
      total.bytes += stat.size;
      if (total.bytes > limit) throw new SceneRefused(`the scene is over ${limit} bytes (at ${rel})`);
      into.push({ from, to: rel });
    } else throw new SceneRefused(`${rel} is not a plain file`);
  }
}

/**
 * Copies the scene at `source` (a .blend or a folder) into `unitDir`; returns the .blend's name
 * there. A folder must hold exactly one .blend at its top.
 */
export async function bringScene(source: string, unitDir: string, limit: number = MAX_SCENE_BYTES): Promise<string> {
  const stat = await lstat(source);
  if (stat.isFile()) {
    if (!source.endsWith('.blend')) throw new SceneRefused(`${basename(source)} is not a .blend file`);
    if (stat.size > limit) throw new SceneRefused(`the scene is ${stat.size} bytes, over the limit of ${limit}`);
    await copyFile(source, join(unitDir, basename(source)));
    return basename(source);
  }
  if (!stat.isDirectory()) throw new SceneRefused(`${source} is neither a .blend nor a folder`);
  const entries: Entry[] = [];
  await walk(source, source, entries, { bytes: 0 }, limit);
  const scenes = entries.filter((e) => !e.to.includes('/') && e.to.endsWith('.blend'));
  const [scene, ...others] = scenes;
  if (!scene || others.length > 0)
    throw new SceneRefused(`the folder must hold one .blend at its top, not ${scenes.length}`);
  for (const entry of entries) {
    const to = join(unitDir, entry.to);
    await mkdir(join(to, '..'), { recursive: true });
    await copyFile(entry.from, to);
  }
  return scene.to;
}
