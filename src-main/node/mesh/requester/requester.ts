// The requester's half of the round: publish what still wants workers, hand back what missed its
// deadline or was released, cancel. Submits are job-submits.ts; offers and their acceptance are
// offer-acceptance.ts; results, consensus and settlement are verdicts.ts.
import { unitIdsOf, type JobRecord } from '../../../core/mesh/state/state.js';
import { isRunning } from '../../../core/mesh/state/records.js';
import { parseUnitId, unitIdOf } from '../../../core/mesh/state/unit-table.js';
import { packOf, unitsPerPackOf } from '../../../core/mesh/rules/packs.js';
import type { OfferView } from '../../../core/api/contract.js';
import { MAX_INLINE_BLOB_BYTES, type MessageBody } from '../../../core/protocol/messages.js';
import type { Offer, PriceSchedule, WorkRequest, WorkUnit } from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import type { Executor } from '../../exec/index.js';
import { failureMessageHere } from '../verdicts/ground-truth.js';
import { Acceptor } from './offer-acceptance.js';
import type { NodeContext } from '../context/node-context.js';
import { OpenUnits } from './open-units.js';
import { JobBudgets } from '../jobs/job-budgets.js';
import { JobSubmits } from '../jobs/job-submits.js';
import { JobQuotes } from '../jobs/job-quotes.js';
import { DEFAULT_PRICE } from '../../../core/scheduler/pricing.js';
import { Holdings } from '../../../core/scheduler/holdings.js';
import { roundByJob } from '../jobs/job-rounds.js';
import { JobWaits } from '../jobs/job-waits.js';
import { offerViews } from '../views/job-view.js';
import { userUnits } from '../context/unit-events.js';
import { refundEvent, settleEvent } from '../settlement/ledger-events.js';
import { priceOf, splitOf } from '../settlement/pricing.js';
import { settlementsFor } from '../settlement/settlement-messages.js';
import { Verdicts } from '../verdicts/verdicts.js';
import type { ClosedEarlier } from '../settlement/payments.js';
import { WatchTimer } from '../basics/watch-timer.js';
import { WorkRequests } from './work-requests.js';

/** What this piece needs of the node: its own uses and those of the pieces it builds (checked where it is built). */
export type RequesterNeeds = Pick<
  NodeContext,
  'background' | 'circles' | 'commitmentChanged' | 'emit' | 'events' | 'me' | 'now' | 'record' | 'send' | 'state'
> &
  ConstructorParameters<typeof JobBudgets>[0] &
  ConstructorParameters<typeof JobWaits>[0] &
  ConstructorParameters<typeof Acceptor>[0] &
  ConstructorParameters<typeof Verdicts>[0] &
  ConstructorParameters<typeof OpenUnits>[0] &
  ConstructorParameters<typeof WorkRequests>[0] &
  ConstructorParameters<typeof JobSubmits>[0] &
  Parameters<typeof failureMessageHere>[0];

/** How often assignments past their deadline are looked for. */
const DEADLINE_CHECK_MS = 250;

export class Requester {
  readonly #acceptor: Acceptor;
  readonly #verdicts: Verdicts;
  /** Which providers hold which of my blobs (data locality). */
  readonly #holdings = new Holdings(MAX_INLINE_BLOB_BYTES);
  readonly #open: OpenUnits;
  readonly #deadlines = new WatchTimer(() => this.#watchDeadlines(), DEADLINE_CHECK_MS);
  readonly #requests: WorkRequests;
  /** Jobs submitted: split, estimated and journaled; my jobs' own deadlines. */
  readonly submits: JobSubmits;
  /** Why a running job of mine is not moving, for its view. */
  readonly #waits: JobWaits;
  /** My jobs' budgets: a job short of budget paused, and set anew by its user. */
  readonly budgets: JobBudgets;
  /** Jobs quoted before they are submitted: what they would cost, hold and need. */
  readonly quotes: JobQuotes;

  constructor(
    private readonly ctx: RequesterNeeds,
    private readonly executor: Executor,
    options: {
      graceSeconds: number;
      providerPipeline: number;
      /** Units go to providers that hold their data already (default: yes). */
      dataLocality?: boolean;
      /** Called once a unit of mine has its verdict (render jobs fetch and assemble their tiles). */
      onVerdict?: (unitId: string) => Promise<void>;
      /** How assignments of a compacted job closed (the journal's ledger): for a provider that asks again. */
      closedEarlier?: ClosedEarlier;
      /** The peers connected now (a job's waiting counts only those: job-waits.ts). */
      connectedPeers?: () => string[];
      /** My own prices, as I would offer them: a quote with no offer in hand uses them (job-quotes.ts); else the journal's, or the defaults. */
      price?: () => PriceSchedule;
    },
  ) {
    // A job short of budget pauses (its units offered to nobody) until its budget is set anew.
    const budgets = (this.budgets = new JobBudgets(
      ctx,
      () => {
        ctx.commitmentChanged();
        this.acceptSoon();
      },
      (unitId) => this.#verdicts.extraReplicas(unitId) > 0,
    ));
    const waits = (this.#waits = new JobWaits(ctx, options.connectedPeers));
    this.#acceptor = new Acceptor(
      ctx,
      {
        openUnit: (id) => this.#openUnit(id),
        wanted: (unit) => this.#open.wanted(unit),
        undecided: () => this.#undecided(),
        rounded: (round) => {
          const jobs = roundByJob(round);
          budgets.round(jobs);
          waits.round(jobs);
        },
        accepted: (acceptances) => this.#verdicts.accepted(acceptances),
      },
      { ...options, holdings: this.#holdings },
    );
    this.#verdicts = new Verdicts(ctx, executor, () => this.acceptSoon(), options.onVerdict, options.closedEarlier);
    this.#open = new OpenUnits(ctx, (unitId) => this.#verdicts.extraReplicas(unitId));
    this.#requests = new WorkRequests(ctx, this.#open, {
      runningJobs: (strangersOnly) => this.#runningJobs(strangersOnly),
      hasOfferFrom: (provider, unitId) => this.#acceptor.hasOfferFrom(provider, unitId),
    });
    this.submits = new JobSubmits(ctx, executor, (jobId, reason) => this.cancel(jobId, reason));
    this.quotes = new JobQuotes(ctx, executor, {
      own: options.price ?? (() => ctx.state.price ?? DEFAULT_PRICE),
      inHand: () => this.#acceptor.fuelRates(),
    });
    ctx.events.on('wake', () => this.wake());
    // A provider connected: what I accepted and it may never have heard of goes again.
    ctx.events.on('peer.connected', (provider) => this.#acceptor.resend(provider));
  }

  /** Checks deadlines from now on, finishes a submit a crash cut short, and decides what a restart left undecided. */
  async start(): Promise<void> {
    this.#deadlines.start();
    await this.submits.finish();
    await this.resume();
    this.submits.watchDeadlines();
  }

  /** My state changed: deadlines are watched again if an assignment of mine is open. */
  wake(): void {
    this.#deadlines.wake();
  }

  /** Checks deadlines now; true while an assignment of mine still waits for its result. */
  #watchDeadlines(): boolean {
    this.ctx.background('checking deadlines', this.checkDeadlines());
    return this.ctx.state.inFlightAs('requester').size > 0;
  }

  /** Stops the deadline checks and acceptance rounds; resolves when the round and decisions under way have ended. */
  async stop(): Promise<void> {
    this.#deadlines.stop();
    await this.submits.stop();
    await this.#acceptor.stop();
    await this.#verdicts.stop();
  }

  onOffers(from: string, offers: Offer[]): Promise<void> {
    return this.#acceptor.onOffers(from, offers);
  }

  acceptSoon(): void {
    this.#acceptor.acceptSoon();
  }

  offers(jobId: string): OfferView[] {
    return offerViews(this.ctx.state, jobId, this.#acceptor.heldOffers(jobId), this.ctx.now());
  }

  /** The live offers for a job's units, as their providers sent them. */
  heldOffers(jobId: string): Offer[] {
    return this.#acceptor.heldOffers(jobId);
  }

  /** Manual mode: takes every open offer of one provider on the job, with the same checks as policy. */
  acceptFrom(
    jobId: string,
    provider: string,
  ): Promise<{ accepted: number; refused: { offer_id: string; reason: string }[] }> {
    return this.#acceptor.acceptFrom(jobId, provider);
  }

  /** A provider's results: each checked and decided as its own unit's, answered in one settlement. */
  async onResults(from: string, message: MessageBody<'results'>): Promise<MessageBody<'settlement'>> {
    const settlement = await this.#verdicts.onResults(from, message);
    // What its provider computed, it holds (in its store, until collected): a later unit reading it goes there.
    for (const { assignment_id } of message.results) {
      const assignment = this.ctx.state.assignments.get(assignment_id);
      const result = assignment?.acceptance.provider_peer === from ? assignment.result : undefined;
      if (result) this.#holdings.note(from, result.output_cid, result.output_bytes);
    }
    return settlement;
  }

  /** Unit `index` of my job, failed, run here for its message (failureMessageHere): a pack's unit alone. */
  async failureHere(job: JobRecord, index: number, failure: string): Promise<string | undefined> {
    const { pack, place } = packOf(index, unitsPerPackOf(job.job));
    const unit = this.ctx.state.units.get(unitIdOf(job.job.job_id, pack))?.unit;
    return unit && failureMessageHere(this.ctx, this.executor, unit, failure, place);
  }

  decide(unitId: string): Promise<void> {
    return this.#verdicts.decide(unitId);
  }

  /** Whether any job of mine has a unit that wants workers now. */
  hasOpenUnits(): boolean {
    for (const record of this.#runningJobs()) if (this.#open.of(record, 1).length > 0) return true;
    return false;
  }

  /** My running jobs that take offers, not paused short of budget (for strangers: those open to them). */
  *#runningJobs(strangersOnly = false): Iterable<JobRecord> {
    for (const record of this.ctx.state.myRunningJobs())
      if (!record.paused && (!strangersOnly || record.job.open_to_strangers === true)) yield record;
  }

  /** Units of my running jobs without a verdict. */
  #undecided(): number {
    let count = 0;
    for (const { created, decided } of this.ctx.state.myRunningJobs()) count += Math.max(0, created - decided);
    return count;
  }

  /** A unit of a running job of mine, while it wants workers (a paused job's wants none). */
  #openUnit(unitId: string): WorkUnit | undefined {
    // The job by the unit's id (my jobs name their units so): its record is made once, below.
    const at = parseUnitId(unitId);
    const job = at && this.ctx.state.myRunningJob(at.jobId);
    if (!job || job.paused) return undefined;
    const unit = this.#open.stillWanted(unitId);
    return unit?.job_id === job.job.job_id ? unit : undefined;
  }

  /** My work requests for a commitment (work-requests.ts). */
  workRequests(audience: 'trusted' | 'strangers'): WorkRequest[] {
    return this.#requests.list(audience);
  }

  /** A provider pulling more units of a job (work-requests.ts). */
  onPull(from: string, pull: MessageBody<'pull'>): MessageBody<'units'> {
    return this.#requests.onPull(from, pull);
  }

  /** A provider's progress on units of mine (its renders' samples): shown, for its own assignments still running. */
  onProgress(from: string, { units }: MessageBody<'progress'>): void {
    for (const { assignment_id, sample, of } of units) {
      const assignment = this.ctx.state.assignments.get(assignment_id);
      if (!assignment || !isRunning(assignment)) continue;
      const { provider_peer, requester_peer, job_id, unit_id } = assignment.acceptance;
      if (provider_peer !== from || requester_peer !== this.ctx.me) continue;
      this.ctx.emit('unit.progress', { job_id, unit_id, provider: from, sample, of });
    }
  }

  /** A provider handing units back: refunded, and offered again. */
  async onRelease(from: string, { assignments }: MessageBody<'release'>): Promise<MessageBody<'settlement'>> {
    // Only the sender's own assignments are answered: another provider's settlements are not its business.
    const its = assignments.filter((id) => {
      const acceptance = this.ctx.state.assignments.get(id)?.acceptance;
      return acceptance?.provider_peer === from && acceptance.requester_peer === this.ctx.me;
    });
    const mine = its.filter((id) => {
      const assignment = this.ctx.state.assignments.get(id)!;
      return isRunning(assignment);
    });
    await this.ctx.record(mine.map((id) => refundEvent(this.ctx.now(), id, 'failed')));
    for (const id of mine)
      this.ctx.emit('unit.reoffered', {
        ...userUnits(this.ctx.state, this.ctx.state.assignments.get(id)!.acceptance.unit_id),
        reason: 'released',
      });
    this.ctx.commitmentChanged();
    this.acceptSoon();
    // The reply carries what fits; the receipts of the rest follow in settlements of their own.
    const [reply, ...rest] = settlementsFor(this.ctx.state, its);
    for (const settlement of rest) this.#send(from, settlement);
    return reply!;
  }

  /** What a job's view knows only from my requester's round: units awaiting agreement (verdicts.ts), and why it waits (job-waits.ts). */
  liveOf(record: JobRecord): { awaitingAgreement: number; waiting?: string } {
    const waiting = this.budgets.why(record) ?? this.#waits.why(record);
    return {
      awaitingAgreement: this.#verdicts.awaitingAgreement(record.job.job_id),
      ...(waiting !== undefined ? { waiting } : {}),
    };
  }

  /** Refunds assignments past their deadline, so their units are offered again (verdicts.ts). */
  checkDeadlines(): Promise<void> {
    return this.#verdicts.refundLate();
  }

  /** Cancels a job of mine; `reason`: why, when the node cancels it, not its user. */
  async cancel(jobId: string, reason?: string): Promise<void> {
    const job = this.ctx.state.jobs.get(jobId);
    if (!job || job.job.requester !== this.ctx.me) throw new ApiError('not_found', `no job ${jobId} of mine`);
    if (!this.ctx.state.isMyRunningJob(job)) return;
    const heldOf = () =>
      [...unitIdsOf(job)]
        .flatMap((id) => this.ctx.state.assignmentsOf(id))
        .filter((assignment) => assignment.escrow === 'held');
    // A result being taken is waited for (verdicts.ts): journaled, it is paid below, not refunded.
    const closed = await this.#verdicts.whileHolding(
      () => heldOf().flatMap((a) => (a.result ? [] : [a.acceptance.assignment_id])),
      async () => {
        if (!this.ctx.state.isMyRunningJob(job)) return undefined;
        const held = heldOf();
        // A result already delivered is paid, checked or not: its provider did what was asked in time,
        // and could not tell a refund of it from a requester keeping a result it never paid for. Only
        // units without a result are refunded.
        await this.ctx.record([
          { type: 'job.cancelled', job_id: jobId, ...(reason !== undefined ? { reason } : {}) },
          ...held.map((assignment) =>
            assignment.result
              ? settleEvent(
                  assignment,
                  priceOf(this.ctx.state, assignment),
                  this.ctx.now(),
                  splitOf(this.ctx, assignment).worker_bps,
                )
              : refundEvent(this.ctx.now(), assignment.acceptance.assignment_id, 'cancelled'),
          ),
        ]);
        return held;
      },
    );
    if (!closed) return;
    this.#verdicts.tellProviders(closed);
    this.ctx.emit('job.cancelled', { job_id: jobId, ...(reason !== undefined ? { reason } : {}) });
    this.ctx.commitmentChanged();
  }

  /**
   * After a restart: units whose results are all in but undecided are decided, one after another,
   * in the background (a verdict may wait to fetch its output from a provider not yet back).
   */
  async resume(): Promise<void> {
    // Only units with a result can be decided: the others wait for offers (a job may have a million).
    const undecided = new Set<string>();
    for (const { acceptance, result } of this.ctx.state.assignments.values())
      if (result && acceptance.requester_peer === this.ctx.me && !this.ctx.state.units.get(acceptance.unit_id)?.verdict)
        undecided.add(acceptance.unit_id);
    this.ctx.background(
      'deciding what the restart left undecided',
      (async () => {
        for (const id of undecided) await this.decide(id);
      })(),
    );
    await this.#verdicts.resume();
  }

  #send(provider: string, settlement: MessageBody<'settlement'>): void {
    this.ctx.background('sending a settlement', this.ctx.send(provider, 'settlement', settlement));
  }
}
