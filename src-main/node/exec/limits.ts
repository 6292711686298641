// What one unit may use. Every limit is checked by the host, never trusted to the module.
import * as z from '../../core/schemas/zod.js';

const UnitLimitsSchema = z.strictObject({
  /** Fuel: instructions, as counted by the metering (metering.ts). */
  fuel: z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)),
  /** The most 64 KiB pages the module may declare as its memory's maximum. */
  memoryPages: z.int().check(z.minimum(1), z.maximum(65_536)),
  timeoutMs: z.int().check(z.minimum(1), z.maximum(24 * 3600 * 1000)),
  maxInputBytes: z.int().check(z.minimum(0), z.maximum(1 << 30)),
  maxOutputBytes: z.int().check(z.minimum(0), z.maximum(1 << 30)),
  maxModuleBytes: z.int().check(z.minimum(8), z.maximum(64 << 20)),
  maxTableElements: z.int().check(z.minimum(0), z.maximum(10_000_000)),
});

export type UnitLimits = z.infer<typeof UnitLimitsSchema>;

/** Sized for a render tile or an image op: generous for the kernels we ship, bounded for strangers'. */
export const DEFAULT_LIMITS: UnitLimits = {
  fuel: 20_000_000_000,
  memoryPages: 1024,
  timeoutMs: 30_000,
  maxInputBytes: 16 << 20,
  maxOutputBytes: 64 << 20,
  // Programs of real size: an interpreter or a compiler built for WASI is 10-30 MB.
  maxModuleBytes: 64 << 20,
  maxTableElements: 65_536,
};

/** The defaults, validated once: a peer's units all run under them. */
let checkedDefaults: Readonly<UnitLimits> | undefined;

/** The defaults with the caller's overrides, validated; throws a ZodError on nonsense. */
export function resolveLimits(overrides: Partial<UnitLimits> | undefined): Readonly<UnitLimits> {
  if (overrides === undefined)
    return (checkedDefaults ??= Object.freeze(UnitLimitsSchema.parse({ ...DEFAULT_LIMITS })));
  return UnitLimitsSchema.parse({ ...DEFAULT_LIMITS, ...overrides });
}
