// What a node tells its user (and the UI shows) about its GPU units: running or not, and why not.
import * as z from '../schemas/zod.js';
import { Fraction, NonNegative } from '../schemas/primitives.js';
import { AdapterInfoSchema, AdapterLimitsSchema } from './adapter.js';

const GPU_STATES = ['off', 'starting', 'ready'] as const;

export const GpuStatusSchema = z.strictObject({
  /** off: GPU units are not run (see reason); starting: the runner is opening; ready: GPU slots are offered. */
  state: z.enum(GPU_STATES),
  /** Why GPU units are off: turned off, no Chromium found, no adapter, a software adapter only, the runner failed. */
  reason: z.nullable(z.string().check(z.maxLength(1024))),
  /** Where the runner page lives: headless Chromium, or the desktop app's hidden window. */
  runner: z.nullable(z.enum(['chromium', 'electron'])),
  adapter: z.nullable(AdapterInfoSchema),
  limits: z.nullable(AdapterLimitsSchema),
  /** Dedicated video memory from the hardware probe (GiB); null where the driver does not say. */
  vram_gb: z.nullable(NonNegative),
  /** The calibration: render samples (paths) per second on the calibration tile, and as a score. */
  samples_per_second: z.nullable(NonNegative),
  performance_score: z.nullable(Fraction),
});
export type GpuStatus = z.infer<typeof GpuStatusSchema>;

export const GPU_OFF: GpuStatus = {
  state: 'off',
  reason: 'GPU units are turned off',
  runner: null,
  adapter: null,
  limits: null,
  vram_gb: null,
  samples_per_second: null,
  performance_score: null,
};
