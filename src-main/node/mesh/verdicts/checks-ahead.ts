// Checks begun when a unit is accepted, not when its result comes. The requester's secret draw
// picks a result for a check by its id, and a result's id follows from its assignment's, so the
// pick can be made at acceptance: my run of the unit then goes beside the provider's, and the
// verdict on its result does not wait for a run begun after it came. The verdict judges as it would
// without it, with the provider's record when the result is in hand (a run ahead counts toward
// probation only then: a provider cannot hold back the results picked ahead to pass as proven);
// it uses the run ahead when it checks, and checks with it a result it would not have picked.
import { resultIdOf } from '../../../core/protocol/messages.js';
import type { Acceptance } from '../../../core/schemas/index.js';
import { selectedForCheck } from '../../../core/verification/index.js';
import type { Convictions } from './convictions.js';
import type { NodeContext } from '../context/node-context.js';
import type { GroundTruth, TruthRun } from './ground-truth.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type ChecksAheadNeeds = Pick<NodeContext, 'circles' | 'log' | 'state'>;

/** Runs ahead held at most (under way or waiting for their results); past it, units are checked when their results come. */
const MAX_AHEAD = 256;

export class ChecksAhead {
  /** By unit id: one run a unit, and the provider it was picked for. */
  readonly #runs = new Map<string, { run: Promise<TruthRun | undefined>; provider: string }>();
  /** Runs ahead by provider: the pick counts them as checks to come, or a provider on probation would have every unit of a batch run. */
  readonly #byProvider = new Map<string, number>();

  constructor(
    private readonly ctx: ChecksAheadNeeds,
    private readonly truth: GroundTruth,
    private readonly checks: Convictions,
    private readonly maxAhead = MAX_AHEAD,
  ) {}

  /** Assignments just made: my run begins for each whose result the draw picks. */
  accepted(acceptances: readonly Acceptance[]): void {
    const { state } = this.ctx;
    if (this.#runs.size >= this.maxAhead) this.#dropEnded();
    for (const { unit_id, assignment_id, provider_peer: provider } of acceptances) {
      if (this.#runs.size >= this.maxAhead) return;
      const record = state.units.get(unit_id);
      if (!record || record.verdict || this.#runs.has(unit_id) || state.checks.truths.has(unit_id)) continue;
      if (!this.truth.canRun(record.unit)) continue;
      const known = this.checks.recordOf(provider);
      const ahead = { ...known, passed: known.passed + (this.#byProvider.get(provider) ?? 0) };
      const floor = this.ctx.circles.policyOf(record.unit.circle).verification.spot_check_rate;
      if (!selectedForCheck(ahead, this.truth.draw(resultIdOf(assignment_id)), floor)) continue;
      const run = this.truth.run(record.unit).catch((err: unknown) => {
        this.ctx.log(`checking unit ${unit_id} ahead failed: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      });
      this.#runs.set(unit_id, { run, provider });
      this.#byProvider.set(provider, (this.#byProvider.get(provider) ?? 0) + 1);
    }
  }

  /** My run begun ahead for the unit, if one was (taken once): its verdict needs it now. */
  take(unitId: string): Promise<TruthRun | undefined> | undefined {
    return this.#remove(unitId)?.run;
  }

  /** The unit was decided without my run ahead (a GPU tile's spot-check, say): it is dropped. */
  forget(unitId: string): void {
    this.#remove(unitId);
  }

  /** Runs ahead of units that will have no verdict (their job cancelled or ended), which would hold their places for good. */
  #dropEnded(): void {
    const { state } = this.ctx;
    for (const unitId of this.#runs.keys()) {
      const record = state.units.get(unitId);
      if (!record || record.verdict || !state.myRunningJob(record.unit.job_id)) this.forget(unitId);
    }
  }

  #remove(unitId: string): { run: Promise<TruthRun | undefined>; provider: string } | undefined {
    const ahead = this.#runs.get(unitId);
    if (!ahead) return undefined;
    this.#runs.delete(unitId);
    const left = this.#byProvider.get(ahead.provider)! - 1;
    if (left > 0) this.#byProvider.set(ahead.provider, left);
    else this.#byProvider.delete(ahead.provider);
    return ahead;
  }
}
