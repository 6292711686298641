// Who may fetch a blob of mine (the blob protocol asks before it opens one): a peer I trust; a
// provider holding an assignment of my unit, for the blobs that unit names; a requester whose unit
// I computed, for that result's output, held or paid for. Anyone else is refused, so a peer I do
// not trust learns nothing of my closed jobs from my blobs. Reads the state's indexes: the
// assignments held with that one peer and the results with that one output, never every assignment.
import type { WorkUnit } from '../../schemas/index.js';
import type { MeshState } from '../state/state.js';

/**
 * Every blob a unit names: its module, its input (a render tile's input is its frame's scene) and
 * its dataset (a WASI job's files).
 */
export function blobsOfUnit(unit: WorkUnit): string[] {
  return [unit.module_cid, unit.input_cid, unit.required_dataset].filter((cid) => cid !== undefined);
}

export function mayFetch(state: MeshState, peer: string, cid: string): boolean {
  if (state.myTrustIn(peer) > 0) return true;
  for (const id of state.heldWith.get(peer) ?? []) {
    const { acceptance } = state.assignments.get(id)!;
    if (acceptance.requester_peer !== state.me || acceptance.provider_peer !== peer) continue;
    const unit = state.units.get(acceptance.unit_id)?.unit;
    if (unit && blobsOfUnit(unit).includes(cid)) return true;
  }
  return (state.resultsByOutput.get(cid) ?? []).some((id) => {
    const assignment = state.assignments.get(id);
    return (
      assignment?.acceptance.provider_peer === state.me &&
      assignment.acceptance.requester_peer === peer &&
      (assignment.escrow === 'held' || assignment.escrow === 'paid')
    );
  });
}
