// Reciprocity: whether a requester gives back, as its commitment shows me. A peer lists its slots
// only to the peers it trusts, so a requester whose commitment lists a slot offers its machine to
// me, and one that has completed units has computed for the mesh; a requester with neither gives
// nothing back (a free-rider). Within a tier, providers place the units of those that give back
// first (allocate.ts), and admit a free-rider's only at a trickle (core/policy/free-rider.ts, asked
// by node/mesh/provider/admission.ts), idle cores or not: sharing is what buys service. A requester I trust
// fully (my own laptop, my household) is served as it asks, giving back or not. Both are the
// requester's own claims, believed as far as my trust in it goes (the credit limit already rests on
// that trust); a slot listed and never offered on is seen only by a peer with work for it.
import type { ComputeCommitment } from '../schemas/index.js';

/** The trust weight of a peer I trust fully: the most a weight can be. */
const FULL_TRUST = 1;

export function givesBack(theirs: ComputeCommitment): boolean {
  return theirs.availability_slots.length > 0 || theirs.contribution_history.total_work_units_completed > 0;
}

/** Whether my trust weight in a peer is full trust: my own machines, my household. */
export function trustedFully(myTrust: number): boolean {
  return myTrust >= FULL_TRUST;
}

/** Whether a requester is held to a free-rider's trickle on my machine: it gives nothing back, and I trust it less than fully. */
export function heldToTrickle(givesBackToMe: boolean, myTrust: number): boolean {
  return !givesBackToMe && !trustedFully(myTrust);
}
