// The path tracer's tiles (docs/SCENE.md): a render job is planned by its own submit, a scene and
// frames (render/render-jobs.ts: its fuel pre-pass sizes the tiles); a tile runs on the GPU where
// its job allows and one is ready, else on the CPU's workers, at the speed calibration measured; the
// requester stitches a frame's tiles once verified (frames.ts).
import { KINDS } from '../../../core/kinds/index.js';
import { RENDER_ALGORITHM } from '../../../core/protocol/algorithm-ids.js';
import { DEFAULT_LIMITS } from '../../exec/index.js';
import { runRenderTile } from '../../gpu/unit-router.js';
import { capability } from '../capability.js';
import type { WorkloadKind } from '../seam.js';
import { RenderFrames } from './frames.js';

export const renderKind: WorkloadKind = {
  name: 'render',
  spec: KINDS.render,
  runtime: {
    // The one algorithm calibration measures (the render kernel): its score is the machine's.
    offers: (machine) => [capability(RENDER_ALGORITHM, machine.renderScore)],
    moduleLimit: DEFAULT_LIMITS.maxModuleBytes,
    packable: false,
    heavy: false,
    run: runRenderTile,
  },
  frames: (node) => new RenderFrames(node),
};
