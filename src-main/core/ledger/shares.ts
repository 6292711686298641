// Seed 003's split: the worker is paid 90 % of its escrow when its result is verified; the other
// 10 % goes to those who verified that result, in equal parts: each other provider whose own result
// agreed with it (a replica), and the requester when it re-ran the unit itself (its part stays with
// it, as the ledger cannot pay the requester from its own escrow).
import { BPS } from '../schemas/index.js';

/** The worker's share of a settled escrow, in basis points, outside any circle (a circle's policy sets its own). */
export const WORKER_SHARE_BPS = 9_000;
/** The least worker share a circle's policy may set (1 %): a reward is checked against what it leaves. */
export const MIN_WORKER_SHARE_BPS = 100;

/** A settle's worker part of `amount` at `workerShareBps`; BigInt keeps `amount * bps` exact beyond 2^53. */
export function workerPart(amount: number, workerShareBps: number): number {
  return Number((BigInt(amount) * BigInt(workerShareBps)) / BigInt(BPS));
}

/** How a verified result's price is split, in basis points: the worker's, and the platform's (kept by the requester); verifiers share the rest. */
export interface RewardSplit {
  worker_bps: number;
  platform_bps: number;
}
const DEFAULT_SPLIT: RewardSplit = { worker_bps: WORKER_SHARE_BPS, platform_bps: 0 };

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
 * worker), `requesterChecked` whether the requester's own run confirmed them, `split` the shares
 * of their job's circle (the platform's stays with the requester: no platform takes a cut here).
 * Rounding down leaves the remainders with the requester.
 */
export function verifierRewards(
  paid: readonly PaidResult[],
  requesterChecked: boolean,
  split: RewardSplit = DEFAULT_SPLIT,
): Reward[] {
  const rewards = new Map<string, Reward>();
  for (const verifiedOne of paid) {
    const verifiers = paid.filter((other) => other.worker !== verifiedOne.worker);
    if (verifiers.length === 0) continue;
    const { amount } = verifiedOne;
    const share = amount - workerPart(amount, split.worker_bps) - workerPart(amount, split.platform_bps);
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
