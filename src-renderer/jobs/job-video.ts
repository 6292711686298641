// "Make video" on a finished render or Blender job's card: the job's frames, in order, as one tar
// (the video library's encode input, docs/KERNELS.md "video"), submitted as a job of one
// video/encode unit, the request the Process files form makes; its card then plays the WebM. What
// `meshctl job video` does (src-main/cli/job-video.ts), from the app.
import type { JobView, MethodResult } from '../../src-main/core/api/contract.js';
import { specOf } from '../../src-main/core/kinds/index.js';
import { tarOf, type TarFile } from '../../src-main/core/library/tar.js';
import { LIMITS } from '../../src-main/core/schemas/primitives.js';
import type { MeshTransport } from '../api/transport.js';
import { bytesOfBase64 } from '../base64.js';
import type { Parsed } from '../format.js';
import { libraryRequest, type LibraryJob } from '../kinds/library/library-form.js';
import type { ProgramRequest } from '../kinds/wasi/program-form.js';

/** The frame rate of the video the button makes (`meshctl job video --fps` chooses another). */
export const VIDEO_FPS = 24;

/** Whether a job's card offers to make a video of it: a completed render or Blender job. */
export const makesVideo = (job: JobView): boolean =>
  job.state === 'completed' && (specOf(job.algorithm)?.frames ?? 'none') !== 'none';

const frameName = (i: number) => `frame-${String(i).padStart(4, '0')}.png`;

/** The finished job's frames in order: a render job's assembled PNGs, a Blender job's units' PNGs. */
export async function jobFrames(transport: MeshTransport, job: JobView): Promise<TarFile[]> {
  if (specOf(job.algorithm)?.frames === 'render') {
    const { frames } = await transport.call('jobs.frames', { job_id: job.job_id });
    const out: TarFile[] = [];
    for (const { frame } of frames) {
      const { png_base64 } = await transport.call('jobs.frame', { job_id: job.job_id, frame });
      out.push({ name: frameName(frame), bytes: bytesOfBase64(png_base64) });
    }
    return out;
  }
  const out: TarFile[] = [];
  for (let from: number | null = 0; from !== null;) {
    const page: MethodResult<'jobs.outputs'> = await transport.call('jobs.outputs', { job_id: job.job_id, from });
    for (const unit of page.outputs) {
      if (unit.output_base64 === undefined) throw new Error(`frame ${unit.index} has no output: ${unit.status}`);
      out[unit.index] = { name: frameName(unit.index), bytes: bytesOfBase64(unit.output_base64) };
    }
    from = page.next;
  }
  return out;
}

/** The video/encode job of the frames, for at most the render job's own budget. */
export function videoRequest(
  job: JobView,
  frames: readonly TarFile[],
): Parsed<{ request: ProgramRequest; job: LibraryJob }> {
  const tar = { name: `${job.job_id}.tar`, bytes: tarOf(frames) };
  const terms = { redundancy: '1', budget: (job.budget / 1000).toFixed(3), strangers: false };
  const made = libraryRequest('video', 'encode', { fps: String(VIDEO_FPS) }, [tar], terms);
  if (!made.ok) return made;
  return {
    ok: true,
    value: {
      ...made.value,
      request: { ...made.value.request, name: `video of ${job.name}`.slice(0, LIMITS.nameChars) },
    },
  };
}
