// `meshctl job video JOB --fps 24 --out x.webm --budget B`: a finished render job's frames (the
// path tracer's, as `results fetch` writes them) or a Blender job's (a PNG a unit) made into one
// WebM by the mesh: the frames, each checked against its CID, go in frame order into one tar (the
// video library's encode input, docs/KERNELS.md "video"), which is submitted as a job of one
// video/encode unit; once it is verified, its WebM is written to --out.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { tarOf, type TarFile } from '../core/library/tar.js';
import { VIDEO_INPUT_BYTES } from '../core/library/video-methods.js';
import { specOf } from '../core/kinds/index.js';
import type { ApiClient } from '../node/api/index.js';
import { cidOfBytes } from '../node/blobs/cid.js';
import { decodeWasiOutput, framedBytes } from '../node/exec/index.js';
import { CliError, wholeNumber } from './args.js';
import { jobTerms } from './job-submit.js';
import { ended, type RunOptions } from './library-run.js';
import { act, connect, nodeCommand } from './node-command.js';
import { noOutput, outputOf, unitsOf } from './output-commands.js';
import { framed } from './wasi-submit.js';

interface VideoOptions extends Omit<RunOptions, 'params'> {
  fps: string;
  bitrate?: string;
  quality?: string;
  keyframeInterval?: string;
}

const frameName = (i: number) => `frame-${String(i).padStart(4, '0')}.png`;

/** The finished job's frames, in order, each checked against its CID: its frames are all finished, or this refuses. */
async function framesOf(client: ApiClient, jobId: string): Promise<TarFile[]> {
  const { job } = await client.call('jobs.status', { job_id: jobId });
  if (job.state !== 'completed')
    throw new CliError(`job ${jobId} is ${job.state}: a video is made of a completed job's frames`);
  const layout = specOf(job.algorithm)?.frames;
  if (layout === 'render') {
    const { frames } = await client.call('jobs.frames', { job_id: jobId });
    const out: TarFile[] = [];
    for (const view of frames) {
      const { png_cid, png_base64 } = await client.call('jobs.frame', { job_id: jobId, frame: view.frame });
      const png = Buffer.from(png_base64, 'base64');
      if (cidOfBytes(png) !== png_cid) throw new CliError(`frame ${view.frame} does not match its CID ${png_cid}`);
      out.push({ name: frameName(view.frame), bytes: png });
    }
    return out;
  }
  if (layout === 'blender') {
    const out: TarFile[] = [];
    for await (const unit of unitsOf(client, jobId)) {
      const png = outputOf(unit);
      if (png === undefined) throw new CliError(`frame ${unit.index} of job ${jobId} has no output: ${noOutput(unit)}`);
      out[unit.index] = { name: frameName(unit.index), bytes: png };
    }
    return out;
  }
  throw new CliError(`job ${jobId} is a ${job.algorithm} job: a video is made of a render or Blender job's frames`);
}

/** Adds `video` to meshctl's `job` command (job-commands.ts, registered before this). */
export function registerJobVideo(program: Command): void {
  const job = program.commands.find((c) => c.name() === 'job');
  if (!job) throw new Error('meshctl has no job command to add video to');
  nodeCommand(
    job,
    'video',
    "make a finished render or Blender job's frames into a WebM (VP8) on the mesh, written to --out",
  )
    .argument('<jobId>', 'the render or Blender job')
    .requiredOption('--out <file>', 'the WebM to write')
    .requiredOption('--budget <credits>', 'the most the encoding job may cost, in credits (3 decimals)')
    .option('--fps <n>', 'frames a second (1..240)', '24')
    .option('--bitrate <kbits>', 'the target bitrate, kbit/s (16..100000; the default 1000)')
    .option('--quality <q>', "instead of a bitrate, VP8's quantizer for every frame: 4 (best) .. 63")
    .option('--keyframe-interval <n>', 'the most frames between two keyframes (the default 120)')
    .option('--redundancy <n>', 'workers whose outputs must agree', '1')
    .option('--max-price <credits>', 'the most one worker is paid for the unit, in credits')
    .option('--priority <p>', 'a number in 0..1', '0.5')
    .option('--name <name>', 'a name to recognise the encoding job by')
    .option('--open-to-strangers', 'peers you have not trusted may encode it (by default only peers you trust)')
    .action(
      act(async (options: VideoOptions, jobId = '') => {
        const optional = (flag: string, text: string | undefined, lo: number, hi: number) =>
          text === undefined ? undefined : wholeNumber(flag, text, lo, hi);
        const params = {
          fps: wholeNumber('--fps', options.fps, 1, 240),
          bitrate: optional('--bitrate', options.bitrate, 16, 100_000),
          quality: optional('--quality', options.quality, 4, 63),
          keyframe_interval: optional('--keyframe-interval', options.keyframeInterval, 1, 10_000),
        };
        if (params.bitrate !== undefined && params.quality !== undefined)
          throw new CliError('--bitrate or --quality, not both');
        const client = connect(options);
        const frames = await framesOf(client, jobId);
        const tar = tarOf(frames);
        if (tar.byteLength > VIDEO_INPUT_BYTES)
          throw new CliError(
            `${frames.length} frames make ${tar.byteLength} bytes, over a unit's ${VIDEO_INPUT_BYTES}`,
          );
        const name = `${jobId}.tar`;
        const chunk = framedBytes(name, tar.byteLength);
        const terms = {
          ...jobTerms({ ...options, name: options.name ?? `video of ${jobId}` }),
          library: 'video',
          method: 'encode',
          params: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)),
          items: 'framed' as const,
          chunk_bytes: chunk,
        };
        const single = (async function* (): AsyncGenerator<[string, Uint8Array]> {
          yield [name, tar];
        })();
        const { job_id: videoJob } = await client.submitStream(terms, framed(single, chunk), chunk);
        const state = await ended(client, videoJob);
        for await (const unit of unitsOf(client, videoJob)) {
          const bytes = outputOf(unit);
          if (bytes === undefined)
            throw new CliError(`job ${videoJob} ${state}: the video has no output: ${noOutput(unit)}`);
          const result = decodeWasiOutput(bytes);
          const text = Buffer.from(result.stdout).toString('utf8').trim();
          if (result.exitCode !== 0) throw new CliError(`job ${videoJob}: ${text || `exit ${result.exitCode}`}`);
          await writeFile(options.out, result.stdout);
          const json = { job_id: videoJob, frames: frames.length, out: options.out, bytes: result.stdout.byteLength };
          return {
            json,
            text: `job ${videoJob} ${state}: ${frames.length} frames, ${json.bytes} bytes written to ${options.out}`,
          };
        }
        throw new CliError(`job ${videoJob} ${state} with no unit`);
      }),
    );
}
