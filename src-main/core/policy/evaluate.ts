// Whether this node accepts one more unit from a requester, under its policies: every policy must
// allow; an empty list allows everyone. The provider asks at each acceptance (the guarantee) and
// before it offers (so that it does not offer what it would refuse).
import { MAX_RATE_WINDOW_SECONDS, type Policy } from '../schemas/index.js';

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back any policy counts: a rate limit's longest window (a quota counts one UTC day). */
const HISTORY_MS = MAX_RATE_WINDOW_SECONDS * 1000;

/**
 * Drops from `history` (acceptance times, oldest first) those no policy could count at `nowMs`,
 * in bulk: once the oldest eighth (64 at least) are all past counting, so that an acceptance
 * costs one look, not a shift of the list. A provider kept every time of a requester's units
 * forever, and its policies filtered all of them each round.
 */
export function forgetUncounted(history: number[], nowMs: number): void {
  const before = nowMs - HISTORY_MS;
  const bulk = Math.max(64, history.length >> 3);
  if (history.length <= bulk || history[bulk - 1]! >= before) return;
  let old = 0;
  while (old < history.length && history[old]! < before) old++;
  history.splice(0, old);
}

const ALLOWED: PolicyDecision = { allowed: true };

/**
 * `history`: times (ms) of the units this requester already had accepted here. `nowMs` is the
 * time of the decision. The first policy that refuses gives the reason.
 */
export function evaluatePolicies(
  policies: readonly Policy[],
  requester: string,
  history: readonly number[],
  nowMs: number,
): PolicyDecision {
  if (!Number.isFinite(nowMs)) return { allowed: false, reason: 'the current time is not a valid number' };
  for (const policy of policies) {
    const decision = evaluatePolicy(policy, requester, history, nowMs);
    if (!decision.allowed) return decision;
  }
  return ALLOWED;
}

// oxlint-disable-next-line typescript/consistent-return -- the switch covers every kind (TypeScript checks it): no path ends without a return
function evaluatePolicy(policy: Policy, requester: string, history: readonly number[], nowMs: number): PolicyDecision {
  switch (policy.kind) {
    case 'allow_all':
      return ALLOWED;
    case 'permit_list':
      return policy.peers.includes(requester)
        ? ALLOWED
        : { allowed: false, reason: `${requester} is not on the permit list` };
    case 'quota': {
      const today = utcDay(nowMs);
      const usedToday = history.filter((t) => utcDay(t) === today).length;
      if (usedToday < policy.units_per_day) return ALLOWED;
      return {
        allowed: false,
        reason: `daily quota reached: ${usedToday} of ${policy.units_per_day} units today (UTC)`,
      };
    }
    case 'rate_limit': {
      // Sliding window: the units accepted in the last `per_seconds`, up to now.
      const windowStart = nowMs - policy.per_seconds * 1000;
      const inWindow = history.filter((t) => t > windowStart).length;
      if (inWindow < policy.units) return ALLOWED;
      return {
        allowed: false,
        reason: `rate limit reached: ${inWindow} of ${policy.units} units in ${policy.per_seconds} s`,
      };
    }
  }
}

/**
 * How many more units `requester` may have accepted at `nowMs` under the policies, all at once:
 * the same answer as asking evaluatePolicies again after each unit, with that unit's time `nowMs`
 * added to `history`. Infinity when nothing limits it, 0 when the next one is refused.
 */
export function policyRoom(
  policies: readonly Policy[],
  requester: string,
  history: readonly number[],
  nowMs: number,
): number {
  if (!Number.isFinite(nowMs)) return 0;
  let room = Infinity;
  for (const policy of policies) room = Math.min(room, roomUnder(policy, requester, history, nowMs));
  return room;
}

// oxlint-disable-next-line typescript/consistent-return -- the switch covers every kind (TypeScript checks it): no path ends without a return
function roomUnder(policy: Policy, requester: string, history: readonly number[], nowMs: number): number {
  switch (policy.kind) {
    case 'allow_all':
      return Infinity;
    case 'permit_list':
      return policy.peers.includes(requester) ? Infinity : 0;
    case 'quota': {
      const today = utcDay(nowMs);
      return Math.max(0, policy.units_per_day - history.filter((t) => utcDay(t) === today).length);
    }
    case 'rate_limit': {
      const windowStart = nowMs - policy.per_seconds * 1000;
      return Math.max(0, policy.units - history.filter((t) => t > windowStart).length);
    }
  }
}

/** The UTC calendar day a time falls in, as a day number since the epoch. */
function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
