// The requester's results and verdicts: each result checked against its assignment and receipt and
// journaled; the unit judged (core/verification), checked against my own run when the judgement
// asks (a provider on probation, a random share, every dissent), a contradicted result convicting
// its provider; then settled (or held until the job completes: payments.ts) or refunded, with a
// verification receipt, and its providers told. A result being taken and a deadline refund
// (deadline-refunds.ts) claim their assignments (assignment-claims.ts): never both close one.
import type { Vote } from '../../../core/consensus/index.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import type { MessageBody } from '../../../core/protocol/messages.js';
import { framesOfJob } from '../../../core/kinds/frames.js';
import { MAX_REDUNDANCY, type Acceptance } from '../../../core/schemas/index.js';
import { judgeUnit, type Judgement, type UnitEvidence } from '../../../core/verification/index.js';
import type { Executor } from '../../exec/index.js';
import { resultsRecorded, type NodeContext } from '../context/node-context.js';
import { GroundTruth } from './ground-truth.js';
import { AssignmentClaims } from './assignment-claims.js';
import { Completions } from './completions.js';
import { closeLate } from './late-results.js';
import { refundLate } from './deadline-refunds.js';
import { takeResults, type ResultIntake, type TakenResult } from './result-intake.js';
import { KeyedQueue } from '../basics/keyed-queue.js';
import { Payments, type ClosedEarlier } from '../settlement/payments.js';
import { PreChecks } from './pre-checks.js';
import { agreedFailure } from '../units/unit-run.js';
import { unitsAt } from '../../../core/mesh/rules/packs.js';
import { emitUnits, emitVerdict, UnitsThisTurn, userUnits } from '../context/unit-events.js';
import { againstTruth, Convictions } from './convictions.js';
import { ChecksAhead } from './checks-ahead.js';
import { VerdictReceipts } from './verdict-receipts.js';
import { VerifiedOutputs } from './verified-outputs.js';
import { DecideLater } from './decide-later.js';
import { votesOf } from './votes.js';
import { verdictEvents } from './verdict-events.js';

/** What this piece needs of the node: its own uses and those of the pieces it builds (checked where it is built). */
type VerdictsNeeds = Pick<
  NodeContext,
  'background' | 'commitmentChanged' | 'emit' | 'log' | 'me' | 'now' | 'record' | 'state'
> &
  ConstructorParameters<typeof Payments>[0] &
  ConstructorParameters<typeof VerdictReceipts>[0] &
  ConstructorParameters<typeof PreChecks>[0] &
  ConstructorParameters<typeof GroundTruth>[0] &
  ConstructorParameters<typeof VerifiedOutputs>[0] &
  ConstructorParameters<typeof Convictions>[0] &
  ConstructorParameters<typeof ChecksAhead>[0] &
  ConstructorParameters<typeof DecideLater>[0] &
  Parameters<typeof takeResults>[0] &
  Parameters<typeof refundLate>[0] &
  Parameters<typeof closeLate>[0];

export class Verdicts {
  /** Assignments a result intake, a deadline refund or a cancel (whileHolding) is changing. */
  readonly #claims = new AssignmentClaims();
  /** Extra replicas an undecided unit asks for after results disagreed (recomputed from votes on restart). */
  readonly #extra = new Map<string, number>();
  /** Units being decided: a second result arriving meanwhile waits for the first decision. */
  readonly #deciding = new KeyedQueue();
  /** What my verdicts pay, hold or refund, and the settlements that tell the providers. */
  readonly #payments: Payments;
  /** Checks of results that hashes cannot settle: GPU tiles, Blender frames (pre-checks.ts). */
  readonly #pre: PreChecks;
  readonly #truth: GroundTruth;
  readonly #outputs: VerifiedOutputs;
  /** Packs whose verified output was no pack of their units: checked at their next decision. */
  readonly #misshapen = new Set<string>();
  /** My checks of results against my own runs, and the convictions they make. */
  readonly #checks: Convictions;
  readonly #ahead: ChecksAhead;
  /** Units decided again later (an output still to fetch, a failed journal step). */
  readonly #later: DecideLater;
  /** My verdicts, signed and journaled with what they pay, a turn's at a time. */
  readonly #receipts: VerdictReceipts;
  /** The verdicts of a turn, told to the UI together. */
  readonly #verified: UnitsThisTurn;
  readonly #completions = new Completions();

  constructor(
    private readonly ctx: VerdictsNeeds,
    executor: Executor,
    /** The provider's pipeline has room again: accept more offers. */
    private readonly acceptSoon: () => void,
    /** Called once a unit of mine has its verdict (render jobs fetch and assemble their tiles). */
    private readonly onVerdict?: (unitId: string) => Promise<void>,
    closedEarlier?: ClosedEarlier,
  ) {
    this.#payments = new Payments(ctx, closedEarlier);
    this.#receipts = new VerdictReceipts(ctx);
    this.#verified = new UnitsThisTurn((type, data) => ctx.emit(type, data), {
      one: 'unit.verified',
      many: 'units.verified',
    });
    this.#truth = new GroundTruth(ctx, executor);
    this.#outputs = new VerifiedOutputs(ctx);
    this.#checks = new Convictions(ctx, {
      tell: (provider, ids) => this.#payments.tell(provider, ids),
      decide: (unitId) => this.decide(unitId),
      acceptSoon: () => this.acceptSoon(),
      proven: (provider) => this.#decideWaitingOn(provider),
    });
    this.#ahead = new ChecksAhead(ctx, this.#truth, this.#checks);
    this.#pre = new PreChecks(ctx, executor, this.#checks);
    this.#later = new DecideLater(ctx, (unitId) => this.decide(unitId));
  }

  /** Extra replicas an undecided unit asks for, beside its redundancy, after its results disagreed. */
  extraReplicas(unitId: string): number {
    return this.#extra.get(unitId) ?? 0;
  }

  /** Runs `work` (a cancel's step) holding the assignments `of()` names: no result intake or deadline refund closes one meanwhile. */
  whileHolding<T>(of: () => readonly string[], work: () => Promise<T>): Promise<T> {
    return this.#claims.whileHolding(of, work);
  }

  /** Assignments just made (escrow held): checks of the results the draw picks begin now (checks-ahead.ts), and Blender frames' crops. */
  accepted(acceptances: readonly Acceptance[]): void {
    this.#ahead.accepted(acceptances);
    this.#pre.accepted(acceptances);
  }

  /**
   * The job's units that asked for another provider's result before a verdict (results that
   * disagreed, or a provider on probation that I cannot check) and still have none: the job view says so.
   */
  awaitingAgreement(jobId: string): number {
    const job = this.ctx.state.jobs.get(jobId);
    let waiting = 0;
    for (const unitId of this.#extra.keys()) {
      const record = this.ctx.state.units.get(unitId);
      if (job && record?.unit.job_id === jobId && !record.verdict) waiting += unitsAt(job, record.index); // a pack's units
    }
    return waiting;
  }

  /**
   * The provider just passed probation: units waiting for a proven provider to agree with its
   * results (a shader tile that only it can run) are decided again, as they now can be; no new
   * result would come to decide them.
   */
  #decideWaitingOn(provider: string): void {
    for (const unitId of this.#extra.keys()) {
      const theirs = this.ctx.state
        .activeAssignments(unitId)
        .some((a) => a.result && a.acceptance.provider_peer === provider);
      if (theirs) this.ctx.background(`deciding ${unitId} again`, this.decide(unitId));
    }
  }

  /** Tells each provider how these assignments closed, in one settlement a provider (a cancel's). */
  tellProviders(assignments: Iterable<AssignmentRecord>): void {
    this.#payments.tellAll(assignments);
  }

  /** No more decisions start; resolves when those under way have ended. */
  async stop(): Promise<void> {
    this.#later.stop();
    await this.#deciding.settled();
    await this.#payments.stop();
  }

  /**
   * A provider's `results` message: each result checked against its assignment and the receipt
   * that covers it (result-intake.ts), the receipts and the results journaled (one event for the
   * results), then each unit's consensus.
   * One settlement for all.
   */
  async onResults(from: string, message: MessageBody<'results'>): Promise<MessageBody<'settlement'>> {
    // Claimed before the receipts are checked, until the results are journaled: a deadline refund
    // meanwhile leaves them alone; one already under way keeps its assignment (taken as sent again).
    // Only the sender's own assignments: another peer naming them cannot hold them back.
    const claimed = this.#claims.claim(
      message.results.flatMap(({ assignment_id: id }) =>
        this.ctx.state.assignments.get(id)?.acceptance.provider_peer === from ? [id] : [],
      ),
    );
    let intake: ResultIntake;
    try {
      intake = await takeResults(this.ctx, from, message, (id) => claimed.has(id));
      if (intake.taken.length > 0) {
        await this.ctx.record([...intake.receipts, ...resultsRecorded(intake.taken.map(({ item }) => item.result))]);
      }
    } finally {
      this.#claims.release(claimed);
    }
    const { taken, again } = intake;
    // Sent again (after my restart, say): an inline output may be what its unit still waits for.
    for (const { assignment_id, output_cid, output_base64 } of again)
      if (output_cid && this.ctx.state.assignments.get(assignment_id)?.result?.output_cid === output_cid)
        this.#outputs.offer(output_cid, output_base64);
    emitUnits(
      (type, data) => this.ctx.emit(type, data),
      { one: 'unit.finished', many: 'units.finished', peerKey: 'provider' },
      taken.map(({ acceptance: { job_id, unit_id } }) => ({
        job_id,
        ...userUnits(this.ctx.state, unit_id),
        peer: from,
      })),
    );
    await Promise.all(taken.map(({ item, acceptance }) => this.#onResult(from, item, acceptance)));
    const ids = [...again, ...taken.map(({ acceptance }) => acceptance)].map(({ assignment_id }) => assignment_id);
    return this.#payments.reply(from, ids, intake.unknown);
  }

  /** A result that answers my assignment, journaled with its receipt: consensus. */
  async #onResult(from: string, { result, output_base64 }: TakenResult, acceptance: Acceptance): Promise<void> {
    this.#outputs.offer(result.output_cid, output_base64);
    await this.decide(acceptance.unit_id, from);
    this.acceptSoon(); // the provider's pipeline has room again
  }

  /** Refunds my assignments past their deadline with no result in (deadline-refunds.ts). */
  refundLate(): Promise<void> {
    return refundLate(this.ctx, this.#claims, {
      tell: (late) => this.#payments.tellAll(late),
      acceptSoon: () => this.acceptSoon(),
    });
  }

  /** After a restart: completed jobs whose unchecked results were not paid yet are paid now. */
  async resume(): Promise<void> {
    for (const job of this.ctx.state.jobs.values())
      if (job.job.requester === this.ctx.me && job.completedAt && !job.cancelled)
        await this.#payments.settleHeld(job.job.job_id);
  }

  /** Consensus over a unit's results; settles, refunds, or asks for more replicas. One decision per unit at a time. */
  decide(unitId: string, replyingTo?: string): Promise<void> {
    return this.#deciding.run(unitId, () =>
      this.#decide(unitId, replyingTo).catch((err) => this.#later.notJournaled(unitId, err)),
    );
  }

  async #decide(unitId: string, replyingTo?: string): Promise<void> {
    const { state } = this.ctx;
    const record = state.units.get(unitId);
    if (!record) return;
    if (record.verdict)
      return closeLate(
        this.ctx,
        this.#checks,
        unitId,
        (late) => this.#payments.tellAll(late),
        (unit, peers) => (this.#truth.canRun(unit) ? this.#checks.underWay(peers, this.#truth.run(unit)) : undefined),
      );
    const unit = record.unit;
    const active = state.activeAssignments(unitId);
    // GPU tiles and Blender frames are checked first, as hashes cannot settle them (pre-checks.ts).
    const pre = await this.#pre.run(unit, active);
    if (!pre) return this.#later.unit(unitId);
    // Once I have run the unit, a result that comes later is checked against that run too.
    const knownTruth = state.checks.truths.get(unitId);
    if (knownTruth) await this.#checks.record(unit, knownTruth, againstTruth(active, knownTruth));
    const votes = votesOf(active, pre.unfetchable);
    const redundancy = unit.verification_redundancy;
    const { verification } = this.ctx.circles.policyOf(unit.circle); // read as it decides: a change applies at once
    const evidence: UnitEvidence = {
      redundancy,
      votes,
      // Assignments still to be made count as asked for: a reopened unit waits for its new workers.
      requested: Math.max(active.length, redundancy),
      maxReplicas: Math.min(MAX_REDUNDANCY, redundancy * 2 + 1),
      record: (peer) => this.#checks.recordOf(peer),
      draw: (resultId) => this.#truth.draw(resultId),
      checked: state.checks.outcomes,
      truth: state.checks.truths.get(unitId),
      canCheck: this.#truth.canRun(unit),
      checkFloor: verification.spot_check_rate,
      agreement: verification.agreement,
      suspect:
        (record.reopened ?? 0) > 0 ||
        this.#misshapen.has(unitId) ||
        state.assignmentsOf(unitId).some((a) => a.result && state.checks.isConvicted(a.acceptance.provider_peer)),
      ...(pre.comparator ? { comparator: pre.comparator } : {}),
      ...(pre.vouches ? { vouches: pre.vouches } : {}),
    };
    let judgement = judgeUnit(evidence);
    // My run begun when the unit was accepted (checks-ahead.ts) checks its CPU results once no more are awaited.
    const cpuResults = active.some((a) => a.result && a.result.device !== 'gpu');
    const ahead = judgement.status !== 'pending' && cpuResults ? this.#ahead.take(unitId) : undefined;
    if (judgement.status === 'check' || ahead) {
      const ran = await this.#checks.underWay(
        votes.map((v) => v.peer),
        ahead ?? this.#truth.run(unit),
      );
      if (ran) {
        await this.#checks.record(unit, ran.cid, againstTruth(active, ran.cid), ran.fuel);
        judgement = judgeUnit({ ...evidence, checked: state.checks.outcomes, truth: ran.cid });
      } else if (judgement.status === 'check') return this.#later.unit(unitId);
    }
    switch (judgement.status) {
      case 'pending':
      case 'check':
        return;
      case 'replicas':
        this.#extra.set(unitId, this.extraReplicas(unitId) + judgement.extra);
        this.ctx.commitmentChanged();
        return;
      case 'verified': {
        // Verified only with its output in my store: the providers may be gone by the time it is asked for.
        const kept = await this.#outputs.ensure(unitId, judgement.hash, active);
        if (kept === 'retry') this.#later.unit(unitId);
        if (kept === 'unavailable') this.acceptSoon();
        if (kept !== 'kept') return;
        const pack = this.#outputs.packOutcome(unit, judgement.hash);
        if (pack === 'misshapen') {
          // No honest run makes it: the results that carry it are checked against my own run, which
          // convicts them; decided again at once, or later if I could not check it (no module here).
          this.ctx.log(`the pack output ${judgement.hash} of ${unitId} is no pack of its units: checking it`);
          if (this.#misshapen.has(unitId)) return this.#later.unit(unitId);
          this.#misshapen.add(unitId);
          return this.#decide(unitId, replyingTo);
        }
        await this.#close(unitId, judgement, votes, replyingTo, pack);
        return;
      }
      case 'failed':
        await this.#close(unitId, judgement, votes, replyingTo);
    }
  }

  /** Journals the verdict, pays or holds or refunds each assignment (verdict-events.ts), signs the verdict (with those reached beside it). */
  async #close(
    unitId: string,
    judgement: Extract<Judgement, { status: 'verified' | 'failed' }>,
    votes: readonly Vote[],
    replyingTo?: string,
    failedUnits = 0,
  ): Promise<void> {
    const { state } = this.ctx;
    this.#misshapen.delete(unitId); // decided, whichever way
    const record = state.units.get(unitId)!;
    const active = state.activeAssignments(unitId);
    const { hash, agreeing, events, paid, held } = verdictEvents(
      state,
      () => this.ctx.now(),
      unitId,
      record,
      judgement,
      votes,
      active,
      failedUnits,
    );
    events.push(...this.#payments.pay(unitId, paid, agreeing), ...this.#payments.hold(held, agreeing));
    await this.#receipts.sign(
      {
        unit_id: unitId,
        job_id: record.unit.job_id,
        verdict: hash ? 'verified' : 'rejected',
        consensus_hash: hash,
        agreeing,
        dissenting: votes.filter((v) => !agreeing.includes(v.result_id)).map((v) => v.result_id),
      },
      events,
    );
    const results = active.flatMap((assignment) => (assignment.result ? [assignment.result] : []));
    this.#pre.forget(unitId, results);
    this.#ahead.forget(unitId);
    this.#outputs.forget(results.map((r) => r.output_cid));
    this.#extra.delete(unitId); // decided: a reopened unit asks again, as after a restart
    const job = state.jobs.get(record.unit.job_id)!;
    const failure = hash ? agreedFailure(hash) : 'no_agreement';
    emitVerdict((type, data) => this.ctx.emit(type, data), this.#verified, userUnits(state, unitId), {
      jobId: job.job.job_id,
      hash,
      failure,
      failedUnits,
    });
    const told = new Set(replyingTo ? [replyingTo] : []);
    if (job.completedAt) {
      this.#verified.flush(); // the job's last verdicts before its completion
      // A job with frames to make (a render job's, a tiled or composited Blender job's), once they are. Told
      // before its held results are paid, which are the providers' business: a 100,000-unit job's take 1.5 s.
      if (framesOfJob(job.job) === 0 && this.#completions.first(job.job.job_id, job.completedAt))
        this.ctx.emit('job.completed', { job_id: job.job.job_id });
      for (const provider of await this.#payments.settleHeld(job.job.job_id)) told.add(provider);
    }
    if (this.onVerdict) this.ctx.background(`after the verdict on ${unitId}`, this.onVerdict(unitId));
    // Tell the other providers on the unit how their assignment closed (the replying one hears in its reply).
    for (const assignment of active) {
      if (told.has(assignment.acceptance.provider_peer)) continue;
      this.#payments.tell(assignment.acceptance.provider_peer, [assignment.acceptance.assignment_id]);
    }
  }
}
