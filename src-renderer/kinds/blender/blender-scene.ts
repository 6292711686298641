// The scene the Blender form sends (docs/BLENDER.md, "The app"): a .blend dropped or chosen; a .zip
// of its folder, whose one .blend at the top is named by the zip's own directory; or the folder
// itself, dropped or picked, zipped here as `meshctl submit-job --blend <folder>` zips it
// (core/blender/scene-zip.ts: the same files, the same bytes), after the checks the node makes of
// a folder: paths a zip may carry, one .blend at the top, at most 1 GiB in all; and its zip within
// what a scene may weigh, before anything is sent. What names and sizes already refuse is refused
// before the files are read (sceneRefusedUnread).
import { zipSync } from 'fflate';
import type { MethodInput } from '../../../src-main/core/api/contract.js';
import {
  checkSceneFolder,
  MAX_SCENE_BYTES,
  SceneRefused,
  zipSceneFolder,
} from '../../../src-main/core/blender/scene-zip.js';
import { MAX_BLENDER_SCENE_BYTES } from '../../../src-main/core/blender/unit.js';
import { readZipDirectory, ZipRefused } from '../../../src-main/core/blender/zip.js';
import { base64OfBytes } from '../../base64.js';
import type { Parsed } from '../../format.js';
import type { NamedBytes } from '../wasi/program-form.js';

export type BlenderScene = MethodInput<'blender.preflight'>;

/** The scene to send, and how the form names it: the .blend, and the zip or folder it came in. */
export interface DroppedScene {
  scene: BlenderScene;
  label: string;
}

/** A .blend name the node takes (core/blender/unit.ts BlendName). */
const BLEND_NAME = /^[\w-][\w.-]{0,99}\.blend$/;

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

const tooBig = (name: string, bytes: number): string =>
  `${name} is ${bytes} bytes; a scene is at most ${MAX_BLENDER_SCENE_BYTES}.`;

/** A lone file (not a folder's: its name has no path). */
const lone = (files: ReadonlyArray<{ name: string }>): boolean => files.length === 1 && !files[0]!.name.includes('/');

/** What is wrong with a folder's files by their paths and sizes (core/blender/scene-zip.ts), or its .blend's name. */
function folderRefusal(
  files: ReadonlyArray<{ name: string; size: number }>,
): string | { scene: string; bytes: number } {
  let checked: { scene: string; bytes: number };
  try {
    checked = checkSceneFolder(files.map((f) => ({ path: f.name, size: f.size })));
  } catch (error) {
    if (error instanceof SceneRefused) return `Cannot send this folder: ${error.message}.`;
    throw error;
  }
  if (!BLEND_NAME.test(checked.scene))
    return `${checked.scene}: a .blend's name is letters, digits, "-", "_" and "." only.`;
  return checked;
}

/**
 * What the files' names and sizes already say is wrong, before they are read (DropZone's
 * `beforeReading`): a lone file past a scene's limit, a folder the node would refuse (past 1 GiB in
 * all, no or several .blend at its top, a path a zip may not carry). Nothing is read for those.
 */
export function sceneRefusedUnread(files: ReadonlyArray<{ name: string; size: number }>): string | undefined {
  if (lone(files)) return files[0]!.size > MAX_BLENDER_SCENE_BYTES ? tooBig(files[0]!.name, files[0]!.size) : undefined;
  const folder = folderRefusal(files);
  return typeof folder === 'string' ? folder : undefined;
}

/** A zip of the scene's folder: its one .blend at the top named by the zip's directory. */
function zipScene(name: string, bytes: Uint8Array): Parsed<DroppedScene> {
  let names: string[];
  try {
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    names = readZipDirectory(bytes, MAX_SCENE_BYTES, (b) => utf8.decode(b)).map((e) => e.name);
  } catch (error) {
    return { ok: false, error: `${name}: ${error instanceof ZipRefused ? error.message : 'not a zip the node reads'}` };
  }
  const top = names.map((n) => n.replace(/^(\.\/)+/, '')).filter((n) => !n.includes('/') && n.endsWith('.blend'));
  if (top.length !== 1 || !BLEND_NAME.test(top[0]!))
    return { ok: false, error: `${name} must hold one .blend at its top (a plain name), not ${top.length}.` };
  const scene = { scene_base64: base64OfBytes(bytes), file: top[0]!, zip: true };
  return { ok: true, value: { scene, label: `${top[0]!} (in ${name})` } };
}

/** A folder's files (by their paths in it), checked and zipped as meshctl zips a folder. */
function folderScene(files: readonly NamedBytes[]): Parsed<DroppedScene> {
  const checked = folderRefusal(files.map((f) => ({ name: f.name, size: f.bytes.byteLength })));
  if (typeof checked === 'string') return { ok: false, error: checked };
  const zip = zipSceneFolder(
    files.map((f) => ({ path: f.name, bytes: f.bytes })),
    zipSync,
  );
  if (zip.byteLength > MAX_BLENDER_SCENE_BYTES) return { ok: false, error: tooBig(`The folder's zip`, zip.byteLength) };
  const label = `${checked.scene} (a folder of ${plural(files.length, 'file')}, ${checked.bytes} bytes, sent as a zip of ${zip.byteLength})`;
  return { ok: true, value: { scene: { scene_base64: base64OfBytes(zip), file: checked.scene, zip: true }, label } };
}

/** The scene the files dropped or chosen make: one .blend, one .zip, or a folder's files; or what is wrong. */
export function sceneOfFiles(files: readonly NamedBytes[]): Parsed<DroppedScene> {
  if (!lone(files)) return folderScene(files);
  const { name, bytes } = files[0]!;
  if (bytes.byteLength > MAX_BLENDER_SCENE_BYTES) return { ok: false, error: tooBig(name, bytes.byteLength) };
  if (name.endsWith('.zip')) return zipScene(name, bytes);
  if (!name.endsWith('.blend')) return { ok: false, error: `${name} is neither a .blend, a .zip nor a folder.` };
  if (!BLEND_NAME.test(name))
    return { ok: false, error: `${name}: a .blend's name is letters, digits, "-", "_" and "." only.` };
  return { ok: true, value: { scene: { scene_base64: base64OfBytes(bytes), file: name, zip: false }, label: name } };
}
