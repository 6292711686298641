// How much of a machine the hardware schemas take, apart from them so the hardware probe's thread
// can read these without loading zod.
export const HARDWARE_LIMITS = {
  /** More GPUs than this in one machine is not a desktop; the rest are left out. */
  gpus: 16,
  threads: 4096,
} as const;
