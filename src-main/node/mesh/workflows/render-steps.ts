// A workflow step that renders (`"uses": "render"`): its input is the scene (a JSON file, docs/SCENE.md),
// its params the render's terms (frames, size, samples, tile), its job a render job like
// `meshctl submit-job --render`'s, and its output the frames' PNGs, in frame order.
import { frameLayoutOf, framesIn } from '../../../core/kinds/frames.js';
import { SubmitRenderSchema, type SubmitRender } from '../../../core/api/contract.js';
import type { JobRecord } from '../../../core/mesh/state/records.js';
import { validate } from '../../../core/schemas/index.js';
import type { Step } from '../../../core/workflow/document.js';
import type { StepOutput } from '../../../core/workflow/references.js';
import { ApiError } from '../../api/errors.js';
import type { NodeContext } from '../context/node-context.js';
import { jobView } from '../views/job-view.js';

/** The render job's terms: the scene read from the step's one input file, its params, and its share of the budget. */
export function renderTerms(
  step: Step,
  params: Record<string, unknown>,
  files: readonly Uint8Array[],
  budget: number,
): SubmitRender {
  const file = sceneFile(step, 'render', files);
  let scene: unknown;
  try {
    scene = JSON.parse(new TextDecoder().decode(file));
  } catch (err) {
    throw new ApiError('bad_request', `step "${step.id}": its scene is not JSON: ${(err as Error).message}`);
  }
  const terms = validate(SubmitRenderSchema, {
    name: `workflow step ${step.id}`,
    ...params,
    scene,
    budget,
    ...(step.redundancy !== undefined ? { redundancy: step.redundancy } : {}),
  });
  if (!terms.ok) throw new ApiError('bad_request', `step "${step.id}": ${terms.error.message}`);
  return terms.value;
}

/** The scene a render or Blender step renders: its input, one file. */
export function sceneFile(step: Step, what: 'render' | 'Blender', files: readonly Uint8Array[]): Uint8Array {
  if (files.length !== 1)
    throw new ApiError(
      'bad_request',
      `step "${step.id}": a ${what} step's input is one scene file, not ${files.length}`,
    );
  return files[0]!;
}

/** A render step's output once its job has ended (its frames, in order), why it failed, or undefined while it runs. */
export function renderOutcome(
  ctx: Pick<NodeContext, 'blobs' | 'state'>,
  record: JobRecord,
): { output: StepOutput } | { reason: string; retryable: boolean } | undefined {
  const view = jobView(ctx.state, record);
  if (view.state === 'running' || view.state === 'paused') return undefined;
  if (view.state !== 'completed')
    return {
      reason: `its render job ${record.job.job_id} ${view.state === 'cancelled' ? `was cancelled${record.cancelReason ? `: ${record.cancelReason}` : ''}` : `failed: ${view.units_failed} tiles failed`}`,
      retryable: false,
    };
  const files = [];
  for (const frame of framesIn(frameLayoutOf(record.job)!)) {
    const cid = record.frames.get(frame)!;
    files.push({ name: `${frame}.png`, cid, bytes: ctx.blobs.get(cid)?.byteLength ?? 0 });
  }
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  return { output: { fields: { units: files.length, frames: files.length, cached: 0, bytes }, files } };
}
