// Whether a unit can run in a slot, and how much of the slot it takes.
//
// Capacity model: a slot offers each resource for its whole duration, so its capacity in a
// dimension is resource x seconds (e.g. 4 cores from 22:00 to 07:00 = 129,600 core-seconds), and
// a unit takes its requirement x its estimated seconds on this provider. A unit must also fit the
// slot's instantaneous caps and its duration. The baseline (bench/seed-scheduler.ts) subtracts
// each unit's requirement from the slot once, which lets an 8-hour slot run only as many one-second
// units as it has cores.
import { MIN_PERFORMANCE, type AvailabilitySlot, type ComputeResource, type WorkUnit } from '../schemas/index.js';

export const DIMENSIONS = ['cpu_cores', 'ram_gb', 'gpu_vram_gb', 'disk_gb', 'network_mbps'] as const;

export function resourceVector(r: ComputeResource): Float64Array {
  const v = new Float64Array(DIMENSIONS.length);
  writeResources(r, v, 0);
  return v;
}

/** Writes a resource vector into `target` at `offset`, in DIMENSIONS order, with no allocation. */
export function writeResources(r: ComputeResource, target: Float64Array, offset: number): void {
  target[offset] = r.cpu_cores;
  target[offset + 1] = r.ram_gb;
  target[offset + 2] = r.gpu_vram_gb ?? 0;
  target[offset + 3] = r.disk_gb ?? 0;
  target[offset + 4] = r.network_mbps ?? 0;
}

export function slotSeconds(slot: AvailabilitySlot): number {
  return (Date.parse(slot.end_time) - Date.parse(slot.start_time)) / 1000;
}

export function algorithmKey(algorithmId: string, version: string): string {
  return `${algorithmId}@${version}`;
}

/** Performance score per supported algorithm@version of a slot. */
export function slotPerformance(slot: AvailabilitySlot): Map<string, number> {
  const perf = new Map<string, number>();
  for (const a of slot.algorithms) {
    if (a.supported) perf.set(algorithmKey(a.algorithm_id, a.version), Math.max(a.performance_score, MIN_PERFORMANCE));
  }
  return perf;
}

/**
 * A unit's estimate is its time on a reference machine of performance 1; a provider of
 * performance p takes estimate / p.
 */
function estimatedSecondsOn(unit: WorkUnit, performance: number): number {
  return unit.estimated_duration_seconds / Math.max(performance, MIN_PERFORMANCE);
}

/** Data locality: 1 with no dataset or a local copy, 0.3 to download, 0.5 unknown. */
export function dataLocalityScore(unit: WorkUnit, slot: AvailabilitySlot): number {
  if (!unit.required_dataset) return 1;
  const entry = slot.data_locality?.find((d) => d.dataset_id === unit.required_dataset);
  if (!entry) return 0.5;
  return entry.has_local_copy ? 1 : 0.3;
}

/** Every requirement within the slot's instantaneous caps (a missing cap is 0). */
function fitsCaps(need: Float64Array, caps: Float64Array): boolean {
  for (let d = 0; d < need.length; d++) if (need[d]! > caps[d]!) return false;
  return true;
}

export interface Compatibility {
  compatible: boolean;
  /** Estimated seconds on this slot's hardware (0 when incompatible). */
  seconds: number;
  locality: number;
  reason?: 'algorithm' | 'resources' | 'duration';
}

/** One cell of the compatibility matrix, for tests, diagnostics and the UI. */
export function compatibility(unit: WorkUnit, slot: AvailabilitySlot): Compatibility {
  const perf = slotPerformance(slot).get(algorithmKey(unit.algorithm_id, unit.algorithm_version));
  if (perf === undefined) return { compatible: false, seconds: 0, locality: 0, reason: 'algorithm' };
  if (!fitsCaps(resourceVector(unit.required_resources), resourceVector(slot.resources))) {
    return { compatible: false, seconds: 0, locality: 0, reason: 'resources' };
  }
  const seconds = estimatedSecondsOn(unit, perf);
  if (seconds > slotSeconds(slot)) return { compatible: false, seconds: 0, locality: 0, reason: 'duration' };
  return { compatible: true, seconds, locality: dataLocalityScore(unit, slot) };
}
