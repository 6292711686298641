// What a peer offers: resources, algorithms, data it holds, and when.
import * as z from './zod.js';
import { boundedArray, Fraction, Id, IsoTime, LIMITS, NonNegative, SemVer } from './primitives.js';

export const ComputeResourceSchema = z.strictObject({
  cpu_cores: NonNegative.check(z.maximum(4096)),
  ram_gb: NonNegative.check(z.maximum(1 << 20)),
  gpu_vram_gb: z.optional(NonNegative.check(z.maximum(1 << 20))),
  disk_gb: z.optional(NonNegative.check(z.maximum(1 << 30))),
  network_mbps: z.optional(NonNegative.check(z.maximum(1 << 30))),
});

export const AlgorithmCapabilitySchema = z.strictObject({
  algorithm_id: Id,
  version: SemVer,
  supported: z.boolean(),
  performance_score: Fraction,
});

export const DataLocalitySchema = z.strictObject({
  dataset_id: Id,
  has_local_copy: z.boolean(),
  download_speed_mbps: z.optional(NonNegative),
});

export const AvailabilitySlotSchema = z
  .strictObject({
    slot_id: Id,
    start_time: IsoTime,
    end_time: IsoTime,
    resources: ComputeResourceSchema,
    algorithms: boundedArray(AlgorithmCapabilitySchema, LIMITS.algorithmsPerSlot),
    data_locality: z.optional(boundedArray(DataLocalitySchema, LIMITS.datasetsPerSlot)),
    priority: Fraction,
  })
  .check(
    z.refine((s) => Date.parse(s.end_time) > Date.parse(s.start_time), {
      message: 'end_time must be after start_time',
      path: ['end_time'],
    }),
  );

export type ComputeResource = z.infer<typeof ComputeResourceSchema>;
export type AlgorithmCapability = z.infer<typeof AlgorithmCapabilitySchema>;
export type DataLocality = z.infer<typeof DataLocalitySchema>;
export type AvailabilitySlot = z.infer<typeof AvailabilitySlotSchema>;
