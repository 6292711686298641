// What a provider lets a requester that gives nothing back have, unless it trusts that requester
// fully (core/scheduler/reciprocity.ts): a trickle, one unit per FREE_RIDER_LIMIT.per_seconds, on
// top of the user's own policies, idle cores or not. Enough to try the mesh; far less than a peer
// that shares its machine gets, so that sharing is what buys service. Counted like a rate-limit
// policy, over the times of its units accepted here.
import type { Policy } from '../schemas/index.js';
import { policyRoom } from './evaluate.js';

export const FREE_RIDER_LIMIT = { kind: 'rate_limit', units: 1, per_seconds: 120 } as const satisfies Policy;

/** The trickle in words, as the refusal and the UI say it. */
export const FREE_RIDER_TRICKLE = `${FREE_RIDER_LIMIT.units} unit per ${FREE_RIDER_LIMIT.per_seconds} s`;

/** How many more units a requester that gives nothing back may have now; `history`: times of its units accepted here. */
export function freeRiderRoom(history: readonly number[], nowMs: number): number {
  return policyRoom([FREE_RIDER_LIMIT], '', history, nowMs);
}

/** Why a requester that gives nothing back may not have one more unit now, or undefined. */
export function freeRiderRefusal(history: readonly number[], nowMs: number): string | undefined {
  if (freeRiderRoom(history, nowMs) > 0) return undefined;
  return `you list no slot for me and have computed nothing: a requester that gives nothing back gets ${FREE_RIDER_TRICKLE} here, unless I trust it fully`;
}
