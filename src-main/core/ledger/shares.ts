// Seed 003's split: the worker is paid 90 % of its escrow when its result is verified; the other
// 10 % goes to those who verified that result, in equal parts: each other provider whose own result
// agreed with it (a replica), and the requester when it re-ran the unit itself (its part stays with
// it, as the ledger cannot pay the requester from its own escrow).
import { BPS } from '../schemas/index.js';

/** The worker's share of a settled escrow, in basis points. */
export const WORKER_SHARE_BPS = 9_000;

/** A settle's worker part of `amount` at `workerShareBps`; BigInt keeps `amount * bps` exact beyond 2^53. */
export function workerPart(amount: number, workerShareBps: number): number {
  return Number((BigInt(amount) * BigInt(workerShareBps)) / BigInt(BPS));
}

/** An assignment the verdict on its unit pays: its id, its worker, its escrow. */
export interface PaidResult {
  assignment_id: string;
  worker: string;
  amount: number;
}

export interface Reward {
  /** The verifier's own assignment, which the reward is paid on. */
  assignment_id: string;
  /** The assignments whose results it confirmed. */
  verified: string[];
  amount: number;
}

/**
 * The rewards for one unit's verdict: `paid` are the agreeing results it pays (at most one per
 * worker), `requesterChecked` whether the requester's own run confirmed them. Rounding down
 * leaves the remainders with the requester.
 */
export function verifierRewards(paid: readonly PaidResult[], requesterChecked: boolean): Reward[] {
  const rewards = new Map<string, Reward>();
  for (const verifiedOne of paid) {
    const verifiers = paid.filter((other) => other.worker !== verifiedOne.worker);
    if (verifiers.length === 0) continue;
    const share = verifiedOne.amount - workerPart(verifiedOne.amount, WORKER_SHARE_BPS);
    const each = Math.floor(share / (verifiers.length + (requesterChecked ? 1 : 0)));
    if (each === 0) continue;
    for (const verifier of verifiers) {
      const reward = rewards.get(verifier.assignment_id) ?? {
        assignment_id: verifier.assignment_id,
        verified: [],
        amount: 0,
      };
      reward.verified.push(verifiedOne.assignment_id);
      reward.amount += each;
      rewards.set(verifier.assignment_id, reward);
    }
  }
  return [...rewards.values()];
}
