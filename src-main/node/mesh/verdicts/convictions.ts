// The requester's checks of providers' results against its own runs (docs/PROTOCOL.md, step 6):
// each journaled as `unit.checked`; a contradicted result convicts its provider at once, and what
// the conviction undoes in my open jobs is undone (core/mesh/rules/backtrack.ts).
import { backtrack } from '../../../core/mesh/rules/backtrack.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import type { WorkUnit } from '../../../core/schemas/index.js';
import { isProven, type CheckRecord } from '../../../core/verification/index.js';
import type { NewEvent, NodeContext } from '../context/node-context.js';
import { refundEvent } from '../settlement/ledger-events.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type ConvictionsNeeds = Pick<
  NodeContext,
  'background' | 'commitmentChanged' | 'emit' | 'log' | 'now' | 'record' | 'state'
>;

/** GPU tiles are checked by their spot-checks; every other result must be my run's output, byte for byte. */
export function againstTruth(active: readonly AssignmentRecord[], truth: string): Array<[string, boolean]> {
  return active.flatMap(({ result }) =>
    result && result.device !== 'gpu' ? [[result.result_id, result.output_cid === truth] as [string, boolean]] : [],
  );
}

export class Convictions {
  /** Checks under way of each provider's results. */
  readonly #checking = new Map<string, number>();

  constructor(
    private readonly ctx: ConvictionsNeeds,
    private readonly hooks: {
      /** Tells a provider how these assignments of its closed. */
      tell(provider: string, assignmentIds: readonly string[]): void;
      /** Decides a unit again. */
      decide(unitId: string): Promise<void>;
      /** Accepts offers again (units went back to the market). */
      acceptSoon(): void;
      /** A provider passed probation with this check: results waiting for a proven provider's word may now have it. */
      proven(provider: string): void;
    },
  ) {}

  /** `run`, a check of these providers' results, counted as under way until it ends. */
  async underWay<T>(peers: readonly string[], run: Promise<T>): Promise<T> {
    for (const peer of peers) this.#checking.set(peer, (this.#checking.get(peer) ?? 0) + 1);
    try {
      return await run;
    } finally {
      for (const peer of peers) this.#checking.set(peer, this.#checking.get(peer)! - 1);
    }
  }

  /**
   * A provider's record of checks, its checks under way counted as passed: results that arrive
   * together (a batch) would otherwise all be checked while the first checks of a provider on
   * probation run. Safe: what is accepted unchecked is held, and a failed check undoes it.
   */
  recordOf(peer: string): CheckRecord {
    const record = this.ctx.state.checks.record(peer);
    const underWay = this.#checking.get(peer) ?? 0;
    return underWay > 0 ? { ...record, passed: record.passed + underWay } : record;
  }

  /**
   * Journals checks of a unit's results against the ground truth (`truth`: my output's CID, or
   * null for GPU spot-checks); a contradicted result convicts its provider at once, and what the
   * conviction undoes in my open jobs is undone (core/mesh/rules/backtrack.ts).
   */
  async record(
    unit: WorkUnit,
    truth: string | null,
    outcomes: ReadonlyArray<[string, boolean]>,
    truthFuel?: number,
  ): Promise<void> {
    const { state } = this.ctx;
    const fresh = outcomes.filter(([id]) => !state.checks.outcomes.has(id));
    if (fresh.length === 0 && (truth === null || state.checks.truths.get(unit.unit_id) === truth)) return;
    const contradicted = fresh.filter(([, ok]) => !ok).map(([id]) => id);
    const matched = new Set(fresh.filter(([, ok]) => ok).map(([id]) => id));
    const onProbation = new Set(
      state
        .activeAssignments(unit.unit_id)
        .filter((a) => a.result && matched.has(a.result.result_id))
        .map((a) => a.acceptance.provider_peer)
        .filter((peer) => !isProven(state.checks.record(peer))),
    );
    await this.ctx.record([
      {
        type: 'unit.checked',
        // Unique per check: one that only records the truth leaves the outcome count as it was.
        event_id: `check/${unit.unit_id}/${state.checks.outcomes.size}/${fresh[0]?.[0] ?? 'truth'}`,
        unit_id: unit.unit_id,
        truth,
        ...(truthFuel !== undefined ? { truth_fuel: truthFuel } : {}),
        matched: fresh.filter(([, ok]) => ok).map(([id]) => id),
        contradicted,
      },
    ]);
    for (const peer of onProbation) if (isProven(state.checks.record(peer))) this.hooks.proven(peer);
    // Only the convictions this check made: another unit's check may have convicted while this one was journaled.
    for (const [peer, conviction] of state.checks.convictions) {
      if (!contradicted.includes(conviction.resultId)) continue;
      this.ctx.log(`${peer} convicted: its result ${conviction.resultId} contradicts my own run of ${unit.unit_id}`);
      this.ctx.emit('peer.caught_lying', { peer, job_id: unit.job_id, unit_id: unit.unit_id });
      await this.#backtrack(peer);
    }
  }

  /** Refunds the convicted provider's held assignments and reopens the units that relied on it. */
  async #backtrack(peer: string): Promise<void> {
    const { state } = this.ctx;
    const { refunds, reopen } = backtrack(state, peer);
    await this.ctx.record([
      ...refunds.map((id) => refundEvent(this.ctx.now(), id, 'rejected')),
      ...reopen.map((unitId): NewEvent => ({
        type: 'unit.reopened',
        event_id: `reopen/${unitId}/${(state.units.get(unitId)?.reopened ?? 0) + 1}`,
        unit_id: unitId,
        convicted: peer,
      })),
    ]);
    if (refunds.length > 0) this.hooks.tell(peer, refunds);
    if (reopen.length > 0) this.ctx.log(`${reopen.length} units that relied on ${peer} are decided again`);
    const touched = new Set([...reopen, ...refunds.map((id) => state.assignments.get(id)!.acceptance.unit_id)]);
    for (const unitId of touched) this.ctx.background(`deciding ${unitId} again`, this.hooks.decide(unitId));
    this.ctx.commitmentChanged();
    this.hooks.acceptSoon();
  }
}
