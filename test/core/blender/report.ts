// A preflight report as the tests' scene gives it (test/node/blender/scenes.ts: 64×48, Cycles, 8
// samples, read by Blender 3.4), for tests that need one without running Blender.
import type { PreflightReport } from '../../../src-main/core/blender/preflight.js';

/** The report of a 24-frame scene with nothing refused or warned of; `over` sets what a test needs. */
export const preflightReport = (over: Partial<PreflightReport> = {}): PreflightReport => ({
  blender: [3, 4, 1],
  saved_by: [3, 4, 1],
  engine: 'CYCLES',
  frame_start: 1,
  frame_end: 24,
  width: 64,
  height: 48,
  percentage: 100,
  samples: 8,
  denoising: false,
  compositing: false,
  glare: false,
  images: [],
  libraries: [],
  ...over,
});
