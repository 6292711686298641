// meshctl's render jobs: `submit-job --render scene.json …` sends a scene (its OBJ meshes read and
// checked here, docs/SCENE.md) to the node as a job of one unit per tile (or per n×n tiles), and with `--out DIR`
// writes each frame's PNG there as soon as the node has assembled it; `results fetch` writes the
// finished frames of a job later.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { FrameView, MethodInput } from '../core/api/contract.js';
import { GpuModeSchema, MAX_FRAME, type GpuMode } from '../core/schemas/render-job.js';
import type { ApiClient } from '../node/api/index.js';
import { cidOfBytes } from '../node/blobs/cid.js';
import { CliError, wholeNumber } from './args.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';

const POLL_MS = 300;

export interface RenderOptions {
  render: string;
  frames: string;
  width: string;
  height: string;
  spp: string;
  tile: string;
  exactTiles?: boolean;
  seed: string;
  gpu?: string;
}

/** `--frames 3` or `--frames 1-4` (inclusive). */
function frameRange(text: string): { first_frame: number; last_frame: number } {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  if (!match) throw new CliError(`--frames: expected a frame or a range such as 1-4, got ${JSON.stringify(text)}`);
  const first = wholeNumber('--frames', match[1]!, 0, MAX_FRAME);
  const last = match[2] === undefined ? first : wholeNumber('--frames', match[2], 0, MAX_FRAME);
  if (last < first) throw new CliError(`--frames: the range ${text.trim()} ends before it starts`);
  return { first_frame: first, last_frame: last };
}

/** The render.submit params the options describe (the scene read, its OBJ files resolved). */
export async function renderSubmission(
  options: RenderOptions,
): Promise<
  Omit<
    MethodInput<'render.submit'>,
    'budget' | 'redundancy' | 'priority' | 'manual_accept' | 'open_to_strangers' | 'name' | 'deadline' | 'max_price'
  >
> {
  const numbers = {
    ...frameRange(options.frames),
    width: wholeNumber('--width', options.width, 1, 8192),
    height: wholeNumber('--height', options.height, 1, 8192),
    spp: wholeNumber('--spp', options.spp, 1, 4096),
    tile: wholeNumber('--tile', options.tile, 1, 8192),
    seed: wholeNumber('--seed', options.seed, 0, 0xffffffff),
    gpu: gpuMode(options.gpu ?? 'allowed'),
    exact_tiles: options.exactTiles === true,
  };
  // Loaded here, not at the top: the OBJ parser would slow every other meshctl command.
  const { loadSceneFile } = await import('../node/render/scene-file.js');
  const scene = await loadSceneFile(options.render);
  if (!scene.ok) throw new CliError(scene.error);
  return { ...numbers, scene: scene.json as MethodInput<'render.submit'>['scene'] };
}

function gpuMode(text: string): GpuMode {
  const mode = GpuModeSchema.safeParse(text);
  if (!mode.success) throw new CliError(`--gpu: expected allowed, required or forbidden, got ${JSON.stringify(text)}`);
  return mode.data;
}

/** The file a frame's PNG is written to, numbered like Blender's frame-####. */
function framePath(dir: string, frame: number): string {
  return join(dir, `frame-${String(frame).padStart(4, '0')}.png`);
}

/**
 * Writes every finished frame of the job not yet in `written` into `dir`, each checked against its
 * CID first; returns the frames as the node reports them.
 */
async function writeFinishedFrames(
  client: ApiClient,
  jobId: string,
  dir: string,
  written: Set<number>,
): Promise<FrameView[]> {
  const { frames } = await client.call('jobs.frames', { job_id: jobId });
  for (const view of frames) {
    if (view.png_cid === null || written.has(view.frame)) continue;
    const { png_cid, png_base64 } = await client.call('jobs.frame', { job_id: jobId, frame: view.frame });
    const png = Buffer.from(png_base64, 'base64');
    if (cidOfBytes(png) !== png_cid) throw new CliError(`frame ${view.frame} does not match its CID ${png_cid}`);
    await writeFile(framePath(dir, view.frame), png);
    written.add(view.frame);
  }
  return frames;
}

/** Follows a render job until every frame is written to `dir`, printing progress; fails if the job does. */
export async function followRender(
  client: ApiClient,
  jobId: string,
  dir: string,
  progress: (line: string) => void,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written = new Set<number>();
  for (;;) {
    const frames = await writeFinishedFrames(client, jobId, dir, written);
    const tiles = frames.reduce((sum, f) => sum + f.tiles_verified, 0);
    const total = frames.reduce((sum, f) => sum + f.tiles_total, 0);
    const line = `frames ${written.size}/${frames.length}, tiles ${tiles}/${total}`;
    if (written.size === frames.length) {
      progress(line);
      return [...written].sort((a, b) => a - b).map((f) => framePath(dir, f));
    }
    const { job } = await client.call('jobs.status', { job_id: jobId });
    // A paused job waits for its budget to be raised (from another terminal, or the UI): it says so.
    progress(job.state === 'paused' && job.waiting !== null ? `${line} (${job.waiting})` : line);
    if (job.state === 'failed' || job.state === 'cancelled')
      throw new CliError(
        `job ${jobId} ${job.state}${job.cancel_reason === null ? '' : ` (${job.cancel_reason})`} with ${written.size} of ${frames.length} frames written to ${dir}`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function registerResultCommands(program: Command): void {
  const results = program.command('results').description("a render job's frames");
  nodeCommand(results, 'fetch', "write a render job's finished frames as PNGs (frame-0001.png, …)")
    .requiredOption('--job-id <jobId>')
    .requiredOption('--out <dir>', 'the folder to write them to (created if missing)')
    .option('--wait', 'wait until every frame is finished')
    .action(
      act(async (options: CommonOptions & { jobId: string; out: string; wait?: boolean }) => {
        const client = connect(options);
        if (options.wait) {
          const files = await followRender(client, options.jobId, options.out, () => {});
          return { json: { files }, text: files.join('\n') };
        }
        await mkdir(options.out, { recursive: true });
        const written = new Set<number>();
        const frames = await writeFinishedFrames(client, options.jobId, options.out, written);
        const files = [...written].sort((a, b) => a - b).map((f) => framePath(options.out, f));
        const pending = frames.length - written.size;
        return {
          json: { files, pending },
          text: [...files, `${files.length} frames written${pending > 0 ? `, ${pending} not finished yet` : ''}`].join(
            '\n',
          ),
        };
      }),
    );
}
