// What this machine is (the hardware probe) and how fast it runs our kernels (the calibration).
// Sizes are in GiB (2^30 bytes), as elsewhere in the project. The calibration is what offers'
// time estimates come from: a unit of F fuel takes about F / fuel_per_second seconds on one worker.
import * as z from './zod.js';
import { HARDWARE_LIMITS } from './hardware-limits.js';
import { boundedArray, Fraction, Id, IsoTime, NonNegative } from './primitives.js';

/** Text reported by the operating system or a driver; bounded, since it ends up in adverts and the UI. */
const ProbeText = z.string().check(z.maxLength(128));
const Gib = NonNegative.check(z.maximum(1 << 20));

const CpuInfoSchema = z.strictObject({
  model: ProbeText,
  vendor: ProbeText,
  /** Physical cores. */
  cores: z.int().check(z.minimum(1), z.maximum(HARDWARE_LIMITS.threads)),
  /** Logical processors (hardware threads). */
  threads: z.int().check(z.minimum(1), z.maximum(HARDWARE_LIMITS.threads)),
  /** Base clock; 0 where the system does not say. */
  speed_ghz: NonNegative.check(z.maximum(100)),
});

const GpuInfoSchema = z.strictObject({
  model: ProbeText,
  vendor: ProbeText,
  /** Dedicated video memory; null where the driver does not report it (or it is shared). */
  vram_gb: z.nullable(Gib),
});

const OsInfoSchema = z.strictObject({
  platform: ProbeText,
  distro: ProbeText,
  release: ProbeText,
  arch: ProbeText,
});

const PowerStateSchema = z.strictObject({
  has_battery: z.boolean(),
  /** Running from the battery (not on AC); false on a machine without a battery. */
  on_battery: z.boolean(),
  /** Battery charge 0..100; null without a battery. */
  percent: z.nullable(z.number().check(z.minimum(0), z.maximum(100))),
});

export const HardwareInfoSchema = z.strictObject({
  cpu: CpuInfoSchema,
  ram_gb: Gib,
  gpus: boundedArray(GpuInfoSchema, HARDWARE_LIMITS.gpus),
  os: OsInfoSchema,
  power: PowerStateSchema,
});

/** SHA-256, hex: what hardwareFingerprint gives. */
const Fingerprint = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'));

export const CalibrationSchema = z.strictObject({
  /** The hardware this was measured on; a different fingerprint means measure again. */
  fingerprint: Fingerprint,
  /** Which kernel was run (its module CID); a rebuilt kernel means measure again. */
  kernel_cid_or_version: Id,
  /** Fuel one worker thread burns per second of its own busy time, measured with every worker busy. */
  fuel_per_second: z.number().check(z.positive(), z.maximum(1e15)),
  /** Worker threads that ran at once during the measurement. */
  workers: z.int().check(z.minimum(1), z.maximum(HARDWARE_LIMITS.threads)),
  /** fuel_per_second against a fast desktop core, capped at 1: the capability's performance_score. */
  performance_score: Fraction,
  measured_at: IsoTime,
});

export type GpuInfo = z.infer<typeof GpuInfoSchema>;
export type PowerState = z.infer<typeof PowerStateSchema>;
export type HardwareInfo = z.output<typeof HardwareInfoSchema>;
export type Calibration = z.infer<typeof CalibrationSchema>;
