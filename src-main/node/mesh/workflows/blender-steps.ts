// A workflow step that renders a Blender scene (`"uses": "blender"`): its input is the scene, one
// file (a .blend, or a .zip of its folder with the .blend named by `file`), its params the Blender
// job's terms (`first_frame`, `last_frame`, and `samples`, `seed`, `format`, `tiles`,
// `resolution_percentage` as jobs.submit's `blender` takes them), its job the one `meshctl
// submit-job --blend` submits (a unit a frame or a tile, planned by the Blender kind), and its
// output the frames, named `<frame>.png` (or `.exr`), in frame order: stitched or composited by the
// requester where the job's frames are (node/kinds/blender/frames.ts), else each frame's verified unit.
import { FrameNumber, SubmitJobStreamSchema, type SubmitJobTerms } from '../../../core/api/contract.js';
import { FRAME_BYTES, framesInput } from '../../../core/blender/unit.js';
import type { JobRecord } from '../../../core/mesh/state/records.js';
import { validate } from '../../../core/schemas/index.js';
import * as z from '../../../core/schemas/zod.js';
import type { Step } from '../../../core/workflow/document.js';
import type { FileValue, StepOutput } from '../../../core/workflow/references.js';
import { ApiError } from '../../api/errors.js';
import type { NodeContext } from '../context/node-context.js';
import { verifiedOutput } from '../views/job-outputs.js';
import { jobView, unitPage, type UnitSources } from '../views/job-view.js';
import { sceneFile } from './render-steps.js';

/** The frames a Blender step renders: first to last (last, the first when absent). */
const StepFrames = z.object({ first_frame: FrameNumber, last_frame: z.optional(FrameNumber) });

/** The most frames one Blender step renders (a job of more is submitted by hand). */
const MAX_STEP_FRAMES = 10_000;

/** A Blender step's job: its terms, its input (the frames), and the frames in order. */
export interface BlenderStepJob {
  spec: SubmitJobTerms;
  input: Uint8Array;
  frames: number[];
}

/** The Blender job of the step: the scene from its one input file, its frames and terms from its params. */
export function blenderStepJob(
  step: Step,
  params: Record<string, unknown>,
  input: readonly FileValue[],
  files: readonly Uint8Array[],
  budget: number,
): BlenderStepJob {
  const scene = sceneFile(step, 'Blender', files);
  const { first_frame: first, last_frame: last, ...terms } = params;
  const frames = validate(StepFrames, { first_frame: first, last_frame: last });
  if (!frames.ok) throw new ApiError('bad_request', `step "${step.id}": params.${frames.error.message}`);
  const { first_frame: from, last_frame: to = from } = frames.value;
  if (to < from || to - from + 1 > MAX_STEP_FRAMES)
    throw new ApiError(
      'bad_request',
      `step "${step.id}": frames ${from}–${to}: last_frame comes after first_frame, at most ${MAX_STEP_FRAMES} frames`,
    );
  const zip = input[0]!.name.toLowerCase().endsWith('.zip');
  const spec = validate(SubmitJobStreamSchema, {
    name: `workflow step ${step.id}`,
    blender: { ...terms, scene_base64: Buffer.from(scene).toString('base64'), zip },
    chunk_bytes: FRAME_BYTES,
    budget,
  });
  if (!spec.ok) throw new ApiError('bad_request', `step "${step.id}": ${spec.error.message}`);
  const list = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return { spec: spec.value, input: framesInput(list), frames: list };
}

/** A Blender step's output once its job has ended (its frames, in order), why it failed, or undefined while it runs. */
export async function blenderOutcome(
  ctx: Pick<NodeContext, 'blobs' | 'state'> & Parameters<typeof verifiedOutput>[0],
  sources: UnitSources,
  record: JobRecord,
  job: BlenderStepJob,
): Promise<{ output: StepOutput } | { reason: string; retryable: boolean } | undefined> {
  const view = jobView(ctx.state, record);
  if (view.state === 'running' || view.state === 'paused') return undefined;
  if (view.state !== 'completed')
    return {
      reason: `its Blender job ${record.job.job_id} ${view.state === 'cancelled' ? 'was cancelled' : `failed: ${view.units_failed} units failed`}`,
      retryable: false,
    };
  // Frames the requester stitched or composited are PNGs of its own; a whole frame is its unit's verified output.
  const made = record.frames.size > 0;
  const units = made ? [] : allUnits(sources, record);
  const suffix = made ? 'png' : (job.spec.blender?.format ?? 'png');
  const files: FileValue[] = [];
  for (const [i, frame] of job.frames.entries()) {
    let cid = record.frames.get(frame);
    if (cid === undefined) {
      const unit = units[i];
      if (!unit?.output_cid) return { reason: `frame ${frame} has no verified output`, retryable: false };
      cid = await ctx.blobs.put(await verifiedOutput(ctx, sources, record, unit));
    }
    files.push({ name: `${frame}.${suffix}`, cid, bytes: ctx.blobs.size(cid) ?? 0 });
  }
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  return { output: { fields: { units: view.units_total, frames: files.length, cached: 0, bytes }, files } };
}

/** Every unit of the job, page after page. */
function allUnits(sources: UnitSources, record: JobRecord) {
  const units = [];
  for (let page = unitPage(sources, record, 0); page.length > 0; page = unitPage(sources, record, units.length))
    units.push(...page);
  return units;
}
