// Blender scenes (docs/BLENDER.md): planned by the requester's Blender preflighting the scene in its
// sandbox (blender-jobs.ts: a unit a frame, or a tile of one), rendered by a provider's Blender in
// its own (blender-run.ts) one a worker at once, offered only while Blender sharing is on, and
// checked by a crop my Blender re-renders or by two providers' agreement (node/mesh/verdicts); a tiled
// job's frames stitched and a composited job's composited by the requester (frames.ts).
import { blenderGateOf, blenderUnitRefusal } from '../../../core/blender/algorithm.js';
import { MAX_BLENDER_SCENE_BYTES } from '../../../core/blender/unit.js';
import { KINDS } from '../../../core/kinds/index.js';
import type { Job } from '../../../core/schemas/index.js';
import type { NodeContext } from '../../mesh/context/node-context.js';
import { capability } from '../capability.js';
import type { WorkloadKind } from '../seam.js';
import { asRun, blenderJob, tileInputs, unitInput, type FramesSeen } from './blender-jobs.js';
import { runBlenderUnit } from './blender-run.js';
import { BlenderFrames } from './frames.js';

/** The Blender kind of a node whose Blender (machine/blender-probe.ts) `blender` gives, once it is built. */
export function blenderKind(blender: () => NodeContext['blender']): WorkloadKind {
  return {
    name: 'blender',
    spec: KINDS.blender,
    planner: {
      claims: (terms) => terms.kind === undefined && terms.blender !== undefined,
      unitInput,
      headBytes: () => 0,
      async plan(terms) {
        const job = await blenderJob({ blender: blender() }, terms.blender!);
        const grid = terms.blender!.tiles;
        const seen: FramesSeen = { count: 0 };
        const { width, height } = job.resolved.params;
        // A tiled job's tile grid names its first frame, known once its frames have passed through.
        const jobFields = (): Partial<Job> => ({
          ...(job.checkedBy === 'agreement' ? { blender_agreement: true as const } : {}),
          ...(job.composite ? { blender_composite: true as const } : {}),
          ...(grid ? { blender_tiles: { ...grid, first_frame: seen.first ?? 0, width, height } } : {}),
        });
        return {
          resolved: job.resolved,
          seconds: job.seconds,
          knownCost: true,
          terms: asRun(terms, job),
          ...(grid ? { through: (input: AsyncIterable<Uint8Array>) => tileInputs(input, grid, seen) } : {}),
          jobFields,
        };
      },
    },
    runtime: {
      offers: (machine) => (machine.blender !== undefined ? [capability(machine.blender)] : []),
      // A unit's module is its job's scene (core/blender/unit.ts).
      moduleLimit: MAX_BLENDER_SCENE_BYTES,
      packable: false,
      heavy: true,
      // Blender's trust gate: sharing on, the requester trusted at my threshold (a convicted one never), my major.minor.
      refusal: (state, requester, unit) => {
        const trust = state.checks.isConvicted(requester) ? 0 : state.myTrustIn(requester);
        const gate = blenderGateOf(state.settings, trust, blender()?.sharedInstall()?.algorithm);
        return blenderUnitRefusal(unit.algorithm_id, gate);
      },
      run: (run) => runBlenderUnit(run, blender()?.sharedInstall()?.path, run.onProgress),
    },
    frames: (node) => new BlenderFrames(node),
  };
}
