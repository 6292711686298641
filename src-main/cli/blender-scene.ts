// A scene as meshctl reads it before it is sent (`submit-job --blend`, `blender preflight`): a
// .blend, a zip of its folder, or the folder, zipped here the same way every time
// (core/blender/scene-zip.ts), brought into a unit folder by the checks a provider makes, and read
// by this machine's Blender in its sandbox, or, where it has none, by the node (`byNode`), which
// asks a provider sharing Blender when it has none either. Judged here either way.
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodInput } from '../core/api/contract.js';
import type { BlenderPreflightView } from '../core/api/blender-methods.js';
import { checkWords } from '../core/blender/crop-check.js';
import { judgePreflight, outputSize, type PreflightReport, type PreflightVerdict } from '../core/blender/preflight.js';
import { MAX_BLENDER_SCENE_BYTES } from '../core/blender/unit.js';
import { describeError } from '../core/errors.js';
import { locateBlender } from '../node/blender/install.js';
import { preflightInSandbox } from '../node/blender/preflight.js';
import { bringScene, zipFolder } from '../node/blender/scene-folder.js';
import { CliError, readFileUpTo } from './args.js';

/** The node's `blender.preflight`: its Blender's reading of a scene, or a trusted provider's when it has none. */
export type PreflightByNode = (scene: MethodInput<'blender.preflight'>) => Promise<BlenderPreflightView>;

export interface SceneRead {
  /** The scene as jobs.submit's `blender` and blender.preflight take it. */
  sent: MethodInput<'blender.preflight'>;
  report: PreflightReport;
  verdict: PreflightVerdict;
  /** What to print: what a folder zipped to, who read the scene where this machine could not, and the preflight. */
  lines: string[];
  /** Read by a provider's Blender: the requester has none (its frames are then checked by two providers). */
  readByPeer: boolean;
}

/** The scene read and judged (a refused scene too: its verdict says so); `label` begins each error. */
export async function readScene(
  scene: string,
  byNode: PreflightByNode,
  label: string,
  blender?: string,
): Promise<SceneRead> {
  const folder = (await stat(scene).catch(() => undefined))?.isDirectory() === true;
  if (!folder && !scene.endsWith('.blend') && !scene.endsWith('.zip'))
    throw new CliError(`${label}: ${scene} is not a .blend, a .zip or a folder`);
  // Blender is not started to say its version: the preflight's report does (one start, not two).
  const found = await locateBlender(blender);
  const workDir = await mkdtemp(join(tmpdir(), 'meshctl-blend-'));
  const unitDir = join(workDir, 'unit');
  try {
    await mkdir(unitDir);
    // A folder is preflighted as the node will have it: its zip, unpacked by bringScene's checks.
    const zipped = folder ? await folderZip(scene, join(workDir, 'scene.zip'), label) : undefined;
    const file = await bringScene(zipped?.path ?? scene, unitDir).catch((err: unknown) => {
      throw new CliError(`${label}: ${describeError(err)}`);
    });
    const bytes = zipped?.zip ?? (await readFileUpTo(label, scene, MAX_BLENDER_SCENE_BYTES));
    const sent = {
      scene_base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
      file,
      zip: folder || scene.endsWith('.zip'),
    };
    const [preflight, readBy, byPeer] = found.ok
      ? [await preflightInSandbox(found.path, unitDir, file), [], false]
      : await readByNode(byNode, sent, found.reason, label);
    if (!preflight.ok) throw new CliError(`${label}: ${preflight.reason}`);
    const { report, verdict } = preflight;
    const lines = [...(zipped ? [zipped.line] : []), ...readBy, ...preflightLines(report, verdict, byPeer)];
    return { sent, report, verdict, lines, readByPeer: byPeer };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The preflight as printed: the scene's Blender, engine, frames, size, samples, images, tiles, warnings and refusals. */
export function preflightLines(report: PreflightReport, verdict: PreflightVerdict, readByPeer = false): string[] {
  const v = (parts: readonly number[]) => parts.join('.');
  const packed = report.images.filter((i) => i.packed).length;
  return [
    `saved by Blender ${v(report.saved_by.slice(0, 2))}; rendered by ${v(report.blender)}`,
    `engine ${report.engine}, frames ${report.frame_start}–${report.frame_end}, ${sizeWords(report)}, ${report.samples} samples`,
    `images: ${report.images.length} (${packed} packed); linked libraries: ${report.libraries.length}`,
    verdict.tiles ? 'tiles: yes' : `tiles: no, ${verdict.tilesWhyNot ?? ''}`,
    `checked: ${checkWords(verdict.check, readByPeer)}`,
    ...verdict.warnings.map((warning) => `warning: ${warning}`),
    ...verdict.refusals.map((refusal) => `refused: ${refusal}`),
  ];
}

/** The frame's size as the file renders it: `64×48`, or at another percentage `128×96 at 50 %: 64×48`. */
function sizeWords(report: PreflightReport): string {
  const { width, height } = outputSize(report);
  const asSaved = `${report.width}×${report.height}`;
  return report.percentage === 100 ? asSaved : `${asSaved} at ${report.percentage} %: ${width}×${height}`;
}

/** The node's reading of the scene (PreflightByNode), judged here as my own would be, and the line that says who read it. */
async function readByNode(
  byNode: PreflightByNode,
  scene: MethodInput<'blender.preflight'>,
  whyNotHere: string,
  label: string,
) {
  const view = await byNode(scene).catch((err: unknown) => {
    throw new CliError(
      `${label}: no Blender here (${whyNotHere}), and the node could not read the scene: ${describeError(err)}`,
    );
  });
  const reader = view.by === null ? 'the node' : `${view.by}, a provider (the node has no Blender either)`;
  const line = `read by ${reader}: no Blender here (${whyNotHere})`;
  return [
    { ok: true as const, report: view.report, verdict: judgePreflight(view.report) },
    [line],
    view.by !== null,
  ] as const;
}

/** A scene's folder zipped (`zipFolder`) and written to `path`, with the line that says what went in. */
async function folderZip(
  folder: string,
  path: string,
  label: string,
): Promise<{ path: string; zip: Uint8Array; line: string }> {
  const made = await zipFolder(folder).catch((err: unknown) => {
    throw new CliError(`${label}: ${describeError(err)}`);
  });
  if (made.zip.byteLength > MAX_BLENDER_SCENE_BYTES)
    throw new CliError(
      `${label}: the folder zips to ${made.zip.byteLength} bytes; at most ${MAX_BLENDER_SCENE_BYTES} are sent`,
    );
  await writeFile(path, made.zip);
  const names = made.paths.length > 4 ? [...made.paths.slice(0, 4), '…'] : made.paths;
  const line = `folder: ${made.paths.length} file${made.paths.length === 1 ? '' : 's'}, ${made.bytes} bytes (${names.join(', ')}), sent as a zip of ${made.zip.byteLength} bytes`;
  return { path, zip: made.zip, line };
}
