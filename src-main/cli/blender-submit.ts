// `meshctl submit-job --blend <scene> --frames 1-4 [--tiles 2x2]`: a Blender job, a unit a frame, or
// a unit a tile of a frame (docs/BLENDER.md), each frame a PNG or (`--format exr`, frames only) an EXR. The scene (a .blend, a zip of its
// folder, or the folder, zipped here the same way every time: core/blender/scene-zip.ts) is
// preflighted here first, by this machine's Blender in its sandbox, and the preflight printed; a
// scene it refuses is not sent, nor tiles of a scene whose tiles cannot match its frame. Then the
// node is sent the scene and the frames (jobs.submit's `blender`), preflights it again and makes
// the units.
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { MethodInput } from '../core/api/contract.js';
import { FRAME_BYTES, framesInput, MAX_BLENDER_SCENE_BYTES } from '../core/blender/unit.js';
import { MAX_TILES_SIDE, type TileGrid } from '../core/schemas/blender-tiles.js';
import { describeError } from '../core/errors.js';
import type { BlenderPreflightView } from '../core/api/blender-methods.js';
import { judgePreflight } from '../core/blender/preflight.js';
import { locateBlender } from '../node/blender/install.js';
import { preflightInSandbox } from '../node/blender/preflight.js';
import { bringScene, zipFolder } from '../node/blender/scene-folder.js';
import { CliError, readFileUpTo, wholeNumber } from './args.js';
import { preflightLines } from './blender-actions.js';

/** The node's `blender.preflight`: its Blender's reading of a scene, or a trusted provider's when it has none. */
export type PreflightByNode = (scene: MethodInput<'blender.preflight'>) => Promise<BlenderPreflightView>;

/**
 * The jobs.submit params of a Blender job (`terms`: what every job states), and the preflight's
 * lines. The scene is read by this machine's Blender, or, where it has none, by the node
 * (`byNode`), which asks a provider when it has none either.
 */
export async function blenderSubmission(
  scene: string,
  frames: { first_frame: number; last_frame: number },
  options: { samples?: number; seed: number; tiles?: TileGrid; format: 'png' | 'exr' },
  terms: Omit<MethodInput<'jobs.submit'>, 'chunk_bytes' | 'input_base64'>,
  byNode: PreflightByNode,
): Promise<{ params: MethodInput<'jobs.submit'>; lines: string[] }> {
  const folder = (await stat(scene).catch(() => undefined))?.isDirectory() === true;
  if (!folder && !scene.endsWith('.blend') && !scene.endsWith('.zip'))
    throw new CliError(`--blend: ${scene} is not a .blend, a .zip or a folder`);
  // Blender is not started to say its version: the preflight's report does (one start, not two).
  if (options.format === 'exr' && options.tiles)
    throw new CliError(
      '--format exr: EXR frames cannot be cut into tiles (tiles are stitched as 8-bit PNG): no --tiles',
    );
  const found = await locateBlender();
  const workDir = await mkdtemp(join(tmpdir(), 'meshctl-blend-'));
  const unitDir = join(workDir, 'unit');
  try {
    await mkdir(unitDir);
    // A folder is preflighted as the node will have it: its zip, unpacked by bringScene's checks.
    const zipped = folder ? await folderZip(scene, join(workDir, 'scene.zip')) : undefined;
    const file = await bringScene(zipped?.path ?? scene, unitDir).catch((err: unknown) => {
      throw new CliError(`--blend: ${describeError(err)}`);
    });
    const bytes = zipped?.zip ?? (await readFileUpTo('--blend', scene, MAX_BLENDER_SCENE_BYTES));
    const sent = {
      scene_base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
      file,
      zip: folder || scene.endsWith('.zip'),
    };
    const [preflight, readBy] = found.ok
      ? [await preflightInSandbox(found.path, unitDir, file), []]
      : await readByNode(byNode, sent, found.reason);
    if (!preflight.ok) throw new CliError(`--blend: ${preflight.reason}`);
    const lines = [...(zipped ? [zipped.line] : []), ...readBy, ...preflightLines(preflight.report, preflight.verdict)];
    if (preflight.verdict.refusals.length > 0)
      throw new CliError(`--blend: the scene is refused: ${preflight.verdict.refusals.join('; ')}`);
    const { tiles } = options;
    if (tiles && !preflight.verdict.tiles)
      throw new CliError(`--tiles: ${preflight.verdict.tilesWhyNot ?? 'frames only'}`);
    if (tiles && (tiles.cols > preflight.report.width || tiles.rows > preflight.report.height))
      throw new CliError(
        `--tiles: a ${preflight.report.width}×${preflight.report.height} frame cannot be cut into ${tiles.cols}×${tiles.rows} tiles`,
      );
    const { first_frame: first, last_frame: last } = frames;
    const { start, end } = preflight.verdict.frames;
    if (first < start || last > end)
      throw new CliError(`--frames: ${first}-${last} is outside the scene's frames ${start}-${end}`);
    const params: MethodInput<'jobs.submit'> = {
      ...terms,
      name: terms.name ?? `${basename(scene)} frames ${first}-${last}`,
      blender: {
        ...sent,
        seed: options.seed,
        ...(options.samples !== undefined ? { samples: options.samples } : {}),
        ...(tiles ? { tiles } : {}),
        ...(options.format === 'exr' ? { format: 'exr' as const } : {}),
      },
      chunk_bytes: FRAME_BYTES,
      input_base64: Buffer.from(framesInput(Array.from({ length: last - first + 1 }, (_, i) => first + i))).toString(
        'base64',
      ),
    };
    return { params, lines };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The node's reading of the scene (PreflightByNode), judged here as my own would be, and the line that says who read it. */
async function readByNode(byNode: PreflightByNode, scene: MethodInput<'blender.preflight'>, whyNotHere: string) {
  const view = await byNode(scene).catch((err: unknown) => {
    throw new CliError(
      `--blend: no Blender here (${whyNotHere}), and the node could not read the scene: ${describeError(err)}`,
    );
  });
  const reader = view.by === null ? 'the node' : `${view.by}, a provider (the node has no Blender either)`;
  const line = `read by ${reader}: no Blender here (${whyNotHere})`;
  return [{ ok: true as const, report: view.report, verdict: judgePreflight(view.report) }, [line]] as const;
}

/** A scene's folder zipped (`zipFolder`) and written to `path`, with the line that says what went in. */
async function folderZip(folder: string, path: string): Promise<{ path: string; zip: Uint8Array; line: string }> {
  const made = await zipFolder(folder).catch((err: unknown) => {
    throw new CliError(`--blend: ${describeError(err)}`);
  });
  if (made.zip.byteLength > MAX_BLENDER_SCENE_BYTES)
    throw new CliError(
      `--blend: the folder zips to ${made.zip.byteLength} bytes; at most ${MAX_BLENDER_SCENE_BYTES} are sent`,
    );
  await writeFile(path, made.zip);
  const names = made.paths.length > 4 ? [...made.paths.slice(0, 4), '…'] : made.paths;
  const line = `folder: ${made.paths.length} file${made.paths.length === 1 ? '' : 's'}, ${made.bytes} bytes (${names.join(', ')}), sent as a zip of ${made.zip.byteLength} bytes`;
  return { path, zip: made.zip, line };
}

/** `--tiles CxR`: the grid each frame is cut into, C columns by R rows (each 1..MAX_TILES_SIDE). */
export function tilesOption(text: string): TileGrid {
  const match = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(text);
  if (!match) throw new CliError(`--tiles: expected columns x rows such as 2x2, got ${JSON.stringify(text)}`);
  return {
    cols: wholeNumber('--tiles columns', match[1]!, 1, MAX_TILES_SIDE),
    rows: wholeNumber('--tiles rows', match[2]!, 1, MAX_TILES_SIDE),
  };
}
