// What a conviction undoes in the requester's open jobs (backtracking): every assignment of the
// convicted provider still held is refunded (it is not paid for work it may have faked), and every
// unit whose verdict rested on one of its results accepted unchecked (or on a spot-check of a part:
// judge.ts holds those as unchecked) is reopened, to be decided again with a check. Jobs already
// completed were settled and handed over: they are left as they are.
import { unitIdsOf, type MeshState } from '../state/state.js';

export interface Backtrack {
  /** Held assignments of the convicted provider, to refund as rejected. */
  refunds: string[];
  /** Units whose verdict is withdrawn. */
  reopen: string[];
}

export function backtrack(state: MeshState, convicted: string): Backtrack {
  const refunds: string[] = [];
  const reopen: string[] = [];
  for (const job of state.myRunningJobs()) {
    for (const unitId of unitIdsOf(job)) {
      const unit = state.units.get(unitId);
      let reopened = false;
      for (const assignment of state.assignmentsOf(unitId)) {
        if (assignment.acceptance.provider_peer !== convicted) continue;
        if (assignment.escrow === 'held') refunds.push(assignment.acceptance.assignment_id);
        const resultId = assignment.result?.result_id;
        if (!reopened && unit?.verdict === 'verified' && resultId && unit.unchecked?.includes(resultId)) {
          reopen.push(unitId);
          reopened = true;
        }
      }
    }
  }
  return { refunds, reopen };
}
