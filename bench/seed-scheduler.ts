// Baseline for the scheduler benchmark: the straightforward per-unit assignment algorithm, as the
// protocol's first description had it (per slot: filter every unit for compatibility, sort with a
// comparator, place greedily; a unit may be placed once per slot, and each placement subtracts its
// requirement from the slot's caps once). Only its speed is compared; its placements differ from
// core/scheduler/allocate.ts's by design.
import type { AvailabilitySlot, ComputeCommitment, ComputeResource, WorkUnit } from '../src-main/core/schemas/index.js';

function fits(required: ComputeResource, available: ComputeResource): boolean {
  return (
    available.cpu_cores >= required.cpu_cores &&
    available.ram_gb >= required.ram_gb &&
    (required.gpu_vram_gb ? (available.gpu_vram_gb ?? 0) >= required.gpu_vram_gb : true) &&
    (required.disk_gb ? (available.disk_gb ?? 0) >= required.disk_gb : true)
  );
}

function compatible(unit: WorkUnit, slot: AvailabilitySlot): boolean {
  const slotSeconds = (Date.parse(slot.end_time) - Date.parse(slot.start_time)) / 1000;
  return (
    fits(unit.required_resources, slot.resources) &&
    slotSeconds >= unit.estimated_duration_seconds &&
    slot.algorithms.some(
      (a) => a.algorithm_id === unit.algorithm_id && a.version === unit.algorithm_version && a.supported,
    )
  );
}

function locality(unit: WorkUnit, slot: AvailabilitySlot): number {
  if (!unit.required_dataset) return 1;
  const l = slot.data_locality?.find((d) => d.dataset_id === unit.required_dataset);
  return !l ? 0.5 : l.has_local_copy ? 1 : 0.3;
}

export function seedComputeWorkAssignments(
  me: ComputeCommitment,
  trust: Map<string, number>,
  network: Map<string, ComputeCommitment>,
): number {
  let assigned = 0;
  for (const slot of me.availability_slots) {
    const remaining = { ...slot.resources };
    const all: Array<{ unit: WorkUnit; requesterId: string; trustScore: number }> = [];
    for (const [peerId, c] of network) {
      const t = trust.get(peerId) ?? 0;
      for (const r of c.work_requests)
        for (const unit of r.work_units)
          if (compatible(unit, slot)) all.push({ unit, requesterId: peerId, trustScore: t });
    }
    const place = (list: typeof all) => {
      for (const { unit } of list) {
        if (!fits(unit.required_resources, remaining)) continue;
        remaining.cpu_cores -= unit.required_resources.cpu_cores;
        remaining.ram_gb -= unit.required_resources.ram_gb;
        if (unit.required_resources.gpu_vram_gb)
          remaining.gpu_vram_gb = (remaining.gpu_vram_gb ?? 0) - unit.required_resources.gpu_vram_gb;
        assigned++;
      }
    };
    place(
      all
        .filter((x) => x.trustScore > 0)
        .sort(
          (a, b) =>
            b.trustScore - a.trustScore ||
            b.unit.priority - a.unit.priority ||
            locality(b.unit, slot) - locality(a.unit, slot),
        ),
    );
    const mine = (p: string) => me.trust_weights[p] ?? 0;
    place(
      all
        .filter((x) => x.trustScore === 0 && mine(x.requesterId) > 0)
        .sort(
          (a, b) =>
            mine(b.requesterId) - mine(a.requesterId) ||
            b.unit.priority - a.unit.priority ||
            locality(b.unit, slot) - locality(a.unit, slot),
        ),
    );
  }
  return assigned;
}
