// What a WebGPU adapter is and what it allows, as the runner page reports it and the node plans with.
import * as z from '../schemas/zod.js';
import { NonNegative } from '../schemas/primitives.js';

const Text = z.string().check(z.maxLength(512));

export const AdapterInfoSchema = z.strictObject({
  vendor: Text,
  architecture: Text,
  device: Text,
  description: Text,
  /** A software adapter (SwiftShader: WebGPU on the CPU), not a GPU. */
  is_fallback: z.boolean(),
});

/** The adapter limits the node plans with (a subset of GPUSupportedLimits). */
export const AdapterLimitsSchema = z.strictObject({
  max_buffer_size: NonNegative,
  max_storage_buffer_binding_size: NonNegative,
  max_compute_workgroups_per_dimension: NonNegative,
  max_compute_invocations_per_workgroup: NonNegative,
  max_compute_workgroup_size_x: NonNegative,
  max_compute_workgroup_size_y: NonNegative,
  max_compute_workgroup_size_z: NonNegative,
});

export type AdapterInfo = z.infer<typeof AdapterInfoSchema>;
export type AdapterLimits = z.infer<typeof AdapterLimitsSchema>;
