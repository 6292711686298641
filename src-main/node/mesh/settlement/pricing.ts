// What a requester pays for an assignment, and when: a verified result's price (its escrow, or,
// billed by fuel, what its fuel costs at the offer's rate), the terms that price is reckoned on,
// and whether a result accepted unchecked is still held until its job completes.
import type { AssignmentRecord, MeshState } from '../../../core/mesh/state/state.js';
import { heldOf } from '../../../core/mesh/state/records.js';
import { settlePrice } from '../../../core/ledger/index.js';
import type { RewardSplit } from '../../../core/ledger/index.js';
import { workerShareBps } from '../../../core/circles/index.js';
import type { NodeContext } from '../context/node-context.js';

/** How a settle of `assignment` is split now: by its job's circle's active policy (the defaults outside any). */
export function splitOf(ctx: Pick<NodeContext, 'state' | 'circles'>, assignment: AssignmentRecord): RewardSplit {
  const policy = ctx.circles.policyOf(circleOf(ctx.state, assignment));
  return { worker_bps: workerShareBps(policy), platform_bps: policy.rewards.platform_pct * 100 };
}

/** The circle `assignment`'s job runs in, if any. */
export function circleOf(state: MeshState, assignment: AssignmentRecord): string | undefined {
  return state.units.get(assignment.acceptance.unit_id)?.unit.circle;
}

/** A result accepted unchecked, its escrow still held: it is paid when its job completes. */
export function isProvisional(state: MeshState, assignment: AssignmentRecord): boolean {
  const result = assignment.result;
  if (assignment.escrow !== 'held' || !result) return false;
  // Its progress, not its record, which a batched job's unit makes when asked for.
  return !!state.units.progressOf(assignment.acceptance.unit_id)?.unchecked?.includes(result.result_id);
}

/**
 * What a verified result of mine (requester) is paid: its escrow, or, billed by fuel, the fuel of
 * the results `agreeing` with it (by default, its unit's verdict's) and of my own run of the unit
 * (core/ledger/metered.ts).
 */
export function priceOf(state: MeshState, assignment: AssignmentRecord, agreeing?: readonly string[]): number {
  // Not billed by fuel: its escrow (settlePrice), without making its unit's record to ask.
  if (!assignment.fuelPrice) return assignment.acceptance.price;
  const unitId = assignment.acceptance.unit_id;
  const agreed = agreeing ?? state.units.get(unitId)?.agreeing ?? [];
  const others = state
    .assignmentsOf(unitId)
    .flatMap(({ result }) => (result && agreed.includes(result.result_id) ? [result] : []));
  return settlePrice(termsOf(state, assignment), assignment.result ?? {}, others, state.checks.truthFuel.get(unitId));
}

/**
 * What an assignment was offered on, for settlePrice: its escrow (what it holds now: a release of
 * mine lowers it, and no settle pays more), and its fuel rate and its unit's estimate if billed by fuel.
 */
export function termsOf(state: MeshState, assignment: AssignmentRecord): Parameters<typeof settlePrice>[0] {
  const { acceptance, fuelPrice } = assignment;
  const estimatedFuel = state.units.get(acceptance.unit_id)?.unit.estimated_fuel;
  return {
    escrow: heldOf(assignment),
    ...(fuelPrice ? { rate: fuelPrice } : {}),
    ...(estimatedFuel !== undefined ? { estimatedFuel } : {}),
  };
}
