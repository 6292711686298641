// A job's scene brought into a unit's folder: a .blend alone, or a folder or zip with its assets
// (paths relative to the .blend). Only plain files and folders are taken: a symlink (which could
// point anywhere on the requester's or provider's disk), a device or a name climbing out is
// refused, and so is a scene past the size limit, before anything is copied.
import { copyFile, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { zipSync } from 'fflate';
import {
  checkSceneFolder,
  MAX_SCENE_BYTES,
  sceneAtTop,
  SceneRefused,
  zipSceneFolder,
  type SceneFile,
} from '../../core/blender/scene-zip.js';
import { readZipDirectory, ZipRefused } from '../../core/blender/zip.js';

/** A file of a scene's folder: where it is on disk, its path in the folder and its size. */
interface FolderFile extends SceneFile {
  from: string;
}

async function walk(folder: string, prefix: string, into: FolderFile[]): Promise<void> {
  for (const name of await readdir(folder)) {
    const from = join(folder, name);
    const path = `${prefix}${name}`;
    const stat = await lstat(from);
    if (stat.isSymbolicLink()) throw new SceneRefused(`${path} is a symlink: a scene's folder holds plain files only`);
    if (stat.isDirectory()) await walk(from, `${path}/`, into);
    else if (stat.isFile()) into.push({ from, path, size: stat.size });
    else throw new SceneRefused(`${path} is not a plain file`);
  }
}

/**
 * A scene's folder walked, nothing read: plain files and folders only (a symlink, which could point
 * anywhere on the disk, or a device is refused by its path), within `limit` bytes in all, one
 * .blend at its top. What bringScene copies and zipFolder zips.
 */
async function sceneFolder(
  root: string,
  limit: number,
): Promise<{ files: FolderFile[]; scene: string; bytes: number }> {
  const files: FolderFile[] = [];
  await walk(root, '', files);
  return { files, ...checkSceneFolder(files, limit) };
}

/**
 * A scene's folder as the zip sent for it (`zipSceneFolder`: the same folder, the same bytes),
 * walked by bringScene's checks before a file is read.
 */
export async function zipFolder(
  root: string,
  limit: number = MAX_SCENE_BYTES,
): Promise<{ zip: Uint8Array; paths: string[]; bytes: number }> {
  const { files, bytes } = await sceneFolder(root, limit);
  const read: Array<{ path: string; bytes: Uint8Array }> = [];
  for (const file of files) read.push({ path: file.path, bytes: await readFile(file.from) });
  return { zip: zipSceneFolder(read, zipSync), paths: files.map((f) => f.path).sort(), bytes };
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
  const scene = sceneAtTop(files.map((e) => e.name.replace(/^(\.\/)+/, '')));
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
  const { files, scene } = await sceneFolder(source, limit);
  for (const file of files) {
    const to = join(unitDir, file.path);
    await mkdir(join(to, '..'), { recursive: true });
    await copyFile(file.from, to);
  }
  return scene;
}
