// Checks begun when a unit is accepted, not when its result comes. The requester's secret draw
// picks a result for a check by its id, and a result's id follows from its assignment's, so the
// pick can be made at acceptance: my run of the unit then goes beside the provider's, and a job's
// last results do not wait for their checks at its end. The pick reads the provider's record at
// acceptance, whose rate is never below the one at the result (a record only gains passed checks
// until a failed one convicts), so every result the verdict would pick is run ahead; a run ahead
// whose result the verdict would not pick checks that result all the same. The run is used when
// the verdict awaits no more results (a unit that asks two providers waits for both, as before).
import { resultIdOf } from '../../core/protocol/messages.js';
import type { Acceptance } from '../../core/schemas/index.js';
import { selectedForCheck } from '../../core/verification/index.js';
import type { Convictions } from './convictions.js';
import type { NodeContext } from './context.js';
import type { GroundTruth, TruthRun } from './ground-truth.js';

/** Runs ahead held at most (under way or waiting for their results); past it, units are checked when their results come. */
const MAX_AHEAD = 256;

export interface RunAhead {
  run: Promise<TruthRun | undefined>;
  /** Ends the check's count as under way for its provider (Convictions.begin). */
  done(): void;
}

export class ChecksAhead {
  /** By unit id: one run a unit, for the provider it was first accepted from. */
  readonly #runs = new Map<string, RunAhead>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly truth: GroundTruth,
    private readonly checks: Convictions,
  ) {}

  /** Assignments just made: my run begins for each whose result the draw picks. */
  accepted(acceptances: readonly Acceptance[]): void {
    const { state } = this.ctx;
    for (const { unit_id, assignment_id, provider_peer } of acceptances) {
      if (this.#runs.size >= MAX_AHEAD) return;
      const record = state.units.get(unit_id);
      if (!record || record.verdict || this.#runs.has(unit_id) || state.checks.truths.has(unit_id)) continue;
      if (!this.truth.canRun(record.unit)) continue;
      if (!selectedForCheck(this.checks.recordOf(provider_peer), this.truth.draw(resultIdOf(assignment_id)))) continue;
      // Counted as under way from now until its result is checked, as a check begun at the result is.
      const done = this.checks.begin([provider_peer]);
      const run = this.truth.run(record.unit).catch((err: unknown) => {
        this.ctx.log(`checking unit ${unit_id} ahead failed: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      });
      this.#runs.set(unit_id, { run, done });
    }
  }

  /** My run begun ahead for the unit, if one was: taken once, its `done()` called once its check is journaled. */
  take(unitId: string): RunAhead | undefined {
    const ahead = this.#runs.get(unitId);
    this.#runs.delete(unitId);
    return ahead;
  }

  /** The unit has its verdict without my run ahead (its result came from a GPU, say): the run is dropped. */
  forget(unitId: string): void {
    const ahead = this.#runs.get(unitId);
    if (!ahead) return;
    this.#runs.delete(unitId);
    // Its count as under way ends with the run (which never rejects: accepted() catches it).
    this.ctx.background(
      'a check begun ahead, dropped',
      ahead.run.then(() => ahead.done()),
    );
  }
}
