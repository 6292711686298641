// A job's scene brought into a unit's folder: a .blend alone, or a folder or zip with its assets
// (paths relative to the .blend). Only plain files and folders are taken: a symlink (which could
// point anywhere on the requester's or provider's disk), a device or a name climbing out is
// refused, and so is a scene past the size limit, before anything is copied.
import { copyFile, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { readZipDirectory, ZipRefused } from '../../core/blender/zip.js';

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

/** The one .blend at the top of a folder's or zip's files. */
function theScene(names: readonly string[]): string {
  const scenes = names.filter((name) => !name.includes('/') && name.endsWith('.blend'));
  const [scene, ...others] = scenes;
  if (!scene || others.length > 0)
    throw new SceneRefused(`the folder must hold one .blend at its top, not ${scenes.length}`);
  return scene;
}

/** Unpacks a zip's checked entries into `unitDir`, each inflated to exactly its declared size. */
async function unzip(source: string, unitDir: string, limit: number): Promise<string> {
  const zip = await readFile(source);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let entries;
  try {
    entries = readZipDirectory(zip, limit, (bytes) => utf8.decode(bytes));
  } catch (err) {
    if (err instanceof ZipRefused || err instanceof TypeError) throw new SceneRefused(err.message);
    throw err;
  }
  const files = entries.filter((e) => !e.name.endsWith('/'));
  const scene = theScene(files.map((e) => e.name.replace(/^(\.\/)+/, '')));
  for (const entry of files) {
    const packed = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    let bytes: Uint8Array;
    try {
      bytes = entry.method === 0 ? packed : inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size) });
    } catch {
      throw new SceneRefused(`zip entry ${entry.name} does not inflate to its declared ${entry.size} bytes`);
    }
    if (bytes.byteLength !== entry.size)
      throw new SceneRefused(`zip entry ${entry.name} is ${bytes.byteLength} bytes, not its declared ${entry.size}`);
    const to = join(unitDir, entry.name);
    await mkdir(join(to, '..'), { recursive: true });
    await writeFile(to, bytes, { flag: 'wx' });
  }
  return scene;
}

/**
 * Copies the scene at `source` (a .blend, a folder or a .zip) into `unitDir`; returns the .blend's
 * name there. A folder or zip must hold exactly one .blend at its top.
 */
export async function bringScene(source: string, unitDir: string, limit: number = MAX_SCENE_BYTES): Promise<string> {
  const stat = await lstat(source);
  if (stat.isFile()) {
    if (stat.size > limit) throw new SceneRefused(`the scene is ${stat.size} bytes, over the limit of ${limit}`);
    if (source.endsWith('.zip')) return unzip(source, unitDir, limit);
    if (!source.endsWith('.blend')) throw new SceneRefused(`${basename(source)} is not a .blend file`);
    await copyFile(source, join(unitDir, basename(source)));
    return basename(source);
  }
  if (!stat.isDirectory()) throw new SceneRefused(`${source} is neither a .blend nor a folder`);
  const entries: Entry[] = [];
  await walk(source, source, entries, { bytes: 0 }, limit);
  const scene = theScene(entries.map((e) => e.to));
  for (const entry of entries) {
    const to = join(unitDir, entry.to);
    await mkdir(join(to, '..'), { recursive: true });
    await copyFile(entry.from, to);
  }
  return scene;
}
