// A circle's rules (seed 003's `MeshPolicy`): what its members agreed on for the jobs run in it.
// Every field has bounds; a proposal changes some of them (a fragment, `PolicyFragmentSchema`),
// and the result must pass the whole schema again (shares summing to 100, say) or it is not applied.
import * as z from '../schemas/zod.js';
import { Fraction, validate } from '../schemas/index.js';
import { CHECK_RATE_FLOOR } from '../verification/credibility.js';
import {
  DEFAULT_HALF_LIFE_MS,
  effectiveTrust,
  OUTCOME_WEIGHTS,
  reputationScore,
  type Reputation,
} from '../trust/reputation.js';

const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;
const whole = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
const between = (min: number, max: number) => z.number().check(z.minimum(min), z.maximum(max));

const RewardsSchema = z.strictObject({
  /** The worker's share of a verified result's price, in percent. */
  worker_pct: whole(1, 100),
  /** Shared by those who verified the result (core/ledger/shares.ts). */
  verifier_pct: whole(0, 99),
  /** No platform takes a cut in this mesh: this part stays with the requester. */
  platform_pct: whole(0, 99),
});

/** Our beta reputation's parts (core/trust/reputation.ts), as seed 003's α, β, γ and λ. */
const ReputationSchema = z.strictObject({
  /** What one verified result adds to a provider's good outcomes. */
  weight_verified: between(0.1, 10),
  /** What one rejected result (or a penalty) and one late result add to its bad outcomes. */
  weight_rejected: between(0, 100),
  weight_late: between(0, 100),
  /** How fast an outcome fades: the days for its weight to halve. */
  half_life_days: between(0.1, 365),
});

const VerificationSchema = z.strictObject({
  /** Workers per unit a job in the circle asks for when its requester names none. */
  redundancy: whole(1, 5),
  /** The part of the workers that must agree for a result to stand. */
  agreement: between(0.5, 1),
  /** How often a proven provider's result is checked all the same. */
  spot_check_rate: Fraction,
});

const SchedulingSchema = z.strictObject({
  offer_timeout_s: whole(1, 600),
  unit_timeout_s: whole(10, DAY_S),
  /** Added to the priority of members' units at a provider of the circle. */
  member_priority_boost: between(0, 1),
});

const RequirementsSchema = z.strictObject({
  min_cores: whole(0, 1024),
  min_ram_gib: whole(0, 4096),
  /** The least calibrated speed (a slot's performance score for the job's algorithm, 0 to 1) a member offers. */
  min_speed: Fraction,
  /** The least trust a job in the circle needs from its requester in a provider. */
  min_trust: Fraction,
});

const BondingSchema = z.strictObject({
  /** Credit a member must hold (its balance in our mutual-credit ledger) to take work. */
  min_credit: whole(-1e12, 1e12),
});

const VotingSchema = z.strictObject({
  /** The part of the members that must vote (abstaining counts) for a proposal to pass. */
  quorum: between(0.01, 1),
  /** The part of the approvals among approvals and rejections that passes a proposal. */
  threshold: between(0.5, 1),
  /** The longest a proposal stays open. */
  voting_period_s: whole(10, 30 * DAY_S),
  /** Proposals one member may have open at once; more are void (a flood changes nothing). */
  max_open_per_member: whole(1, 20),
});

const SECTIONS = {
  rewards: RewardsSchema,
  reputation: ReputationSchema,
  verification: VerificationSchema,
  scheduling: SchedulingSchema,
  requirements: RequirementsSchema,
  bonding: BondingSchema,
  voting: VotingSchema,
};

export const MeshPolicySchema = z.strictObject(SECTIONS).check(
  z.refine((p) => p.rewards.worker_pct + p.rewards.verifier_pct + p.rewards.platform_pct === 100, {
    message: 'the worker, verifier and platform shares must sum to 100',
    path: ['rewards'],
  }),
);
export type MeshPolicy = z.infer<typeof MeshPolicySchema>;
export type PolicySection = keyof typeof SECTIONS;

/** Only the fields a proposal changes: each section partial, each field checked by its own bounds. */
export const PolicyFragmentSchema = z.partial(
  z.strictObject({
    rewards: z.partial(RewardsSchema),
    reputation: z.partial(ReputationSchema),
    verification: z.partial(VerificationSchema),
    scheduling: z.partial(SchedulingSchema),
    requirements: z.partial(RequirementsSchema),
    bonding: z.partial(BondingSchema),
    voting: z.partial(VotingSchema),
  }),
);
export type PolicyFragment = z.infer<typeof PolicyFragmentSchema>;

/** Today's behaviour, as a policy: what a job outside any circle runs by. */
export const DEFAULT_MESH_POLICY: MeshPolicy = {
  rewards: { worker_pct: 90, verifier_pct: 10, platform_pct: 0 },
  reputation: {
    weight_verified: OUTCOME_WEIGHTS.verified,
    weight_rejected: OUTCOME_WEIGHTS.rejected,
    weight_late: OUTCOME_WEIGHTS.late,
    half_life_days: DEFAULT_HALF_LIFE_MS / DAY_MS,
  },
  verification: { redundancy: 1, agreement: 0.5, spot_check_rate: CHECK_RATE_FLOOR },
  scheduling: { offer_timeout_s: 30, unit_timeout_s: 3600, member_priority_boost: 0 },
  requirements: { min_cores: 0, min_ram_gib: 0, min_speed: 0, min_trust: 0 },
  bonding: { min_credit: -1e12 },
  voting: { quorum: 0.5, threshold: 0.6, voting_period_s: 7 * DAY_S, max_open_per_member: 3 },
};

/** `policy` with `fragment`'s fields, checked whole: an error names what the result breaks. */
export function applyFragment(
  policy: MeshPolicy,
  fragment: PolicyFragment,
): { ok: true; policy: MeshPolicy } | { ok: false; error: string } {
  const merged: Record<string, unknown> = { ...policy };
  for (const [section, fields] of Object.entries(fragment)) {
    if (fields !== undefined) merged[section] = { ...policy[section as PolicySection], ...fields };
  }
  const checked = validate(MeshPolicySchema, merged);
  return checked.ok ? { ok: true, policy: checked.value } : { ok: false, error: checked.error.message };
}

/** The dotted names of the fields a fragment sets (`rewards.worker_pct`), for the history and the UI. */
export function fieldsOf(fragment: PolicyFragment): string[] {
  return Object.entries(fragment).flatMap(([section, fields]) =>
    Object.keys(fields ?? {}).map((field) => `${section}.${field}`),
  );
}

/** Whether a fragment changes how proposals pass: such a change needs the stricter of the old and new rules. */
export function changesVoting(fragment: PolicyFragment): boolean {
  return fragment.voting?.quorum !== undefined || fragment.voting?.threshold !== undefined;
}

/**
 * How much I trust a provider for a job under `policy`: my weight for it times its reputation read
 * with the policy's outcome weights and half-life (the counts fade at the node's own half-life
 * between outcomes, and at the policy's since the last).
 */
export function trustUnder(policy: MeshPolicy, weight: number, reputation: Reputation, nowMs: number): number {
  const r = policy.reputation;
  const weights = { verified: r.weight_verified, rejected: r.weight_rejected, late: r.weight_late };
  return effectiveTrust(weight, reputationScore(reputation, nowMs, r.half_life_days * DAY_MS, weights));
}

/** A settle's worker share under `policy`, in basis points (core/ledger/shares.ts). */
export const workerShareBps = (policy: MeshPolicy): number => policy.rewards.worker_pct * 100;
