// Reciprocity: whether a requester gives back, as its commitment shows me. A peer lists its slots
// only to the peers it trusts, so a requester whose commitment lists a slot offers its machine to
// me, and one that has completed units has computed for the mesh; a requester with neither gives
// nothing back (a free-rider). Within a tier, providers place the units of those that give back
// first (allocate.ts), and, while someone who gives back waits for their cores, admit a
// free-rider's only at a trickle (core/policy/free-rider.ts, asked by node/mesh/admission.ts): idle
// cores are anyone's, contended ones go to those who share. Both are the requester's own claims, believed as far as my trust in
// it goes (the credit limit already rests on that trust); a slot listed and never offered on is
// seen only by a peer with work for it.
import type { ComputeCommitment } from '../schemas/index.js';

export function givesBack(theirs: ComputeCommitment): boolean {
  return theirs.availability_slots.length > 0 || theirs.contribution_history.total_work_units_completed > 0;
}

/** Whether a requester that gives back, and that I trust, has units waiting: only then is a free-rider held to its trickle. */
export function contributorWaiting(
  commitments: Iterable<ComputeCommitment>,
  trusted: (peer: string) => boolean,
): boolean {
  for (const theirs of commitments)
    if (theirs.work_requests.length > 0 && givesBack(theirs) && trusted(theirs.peer_id)) return true;
  return false;
}
