// The requester's half of the round: split a job into units, take offers (by policy or by hand),
// collect results, decide consensus, settle, and re-offer what missed its deadline.
import { describeError } from '../../core/errors.js';
import type { BidView, SubmitJob, SubmitRender } from '../../core/api/contract.js';
import { decideConsensus, type Vote } from '../../core/consensus/index.js';
import { MAX_INLINE_BLOB_BYTES, MAX_INLINE_BYTES_PER_MESSAGE, type MessageBody } from '../../core/protocol/messages.js';
import {
  acceptByPolicy,
  acceptOffer,
  DEFAULT_ACCEPTANCE_POLICY,
  OFFER_TTL_MS,
  type AcceptanceContext,
} from '../../core/scheduler/index.js';
import {
  MAX_REDUNDANCY,
  type Acceptance,
  type Job,
  type Offer,
  type WorkRequest,
  type WorkUnit,
} from '../../core/schemas/index.js';
import { ApiError } from '../api/errors.js';
import { verifyReceipt } from '../receipts/index.js';
import type { Executor } from '../exec/index.js';
import { splitJob } from './jobs.js';
import { splitRenderJob } from './render-jobs.js';
import { iso, type NewEvent, type NodeContext } from './context.js';
import { refundEvent, settleEvent, settlementFor } from './settlement.js';
import { KeyedQueue } from './keyed-queue.js';
import { TileChecker } from './tile-check.js';

/** Units one commitment publishes; the rest follow as these complete. */
const MAX_PUBLISHED_UNITS = 1000;

export class Requester {
  /** Extra replicas a unit asks for after results disagreed (recomputed from votes on restart). */
  readonly #extra = new Map<string, number>();
  #acceptTimer: NodeJS.Timeout | undefined;
  /** The accept round in progress: rounds never overlap, or both would count the same pipeline room. */
  #accepting: Promise<void> | undefined;
  #acceptAgain = false;
  /** When an acceptance last failed to reach each provider: its offers from before then are ignored. */
  readonly #unreachableSince = new Map<string, number>();
  /** Units being decided: a second result arriving meanwhile waits for the first decision. */
  readonly #deciding = new KeyedQueue();
  readonly #tiles: TileChecker;

  constructor(
    private readonly ctx: NodeContext,
    private readonly executor: Executor,
    private readonly options: {
      graceSeconds: number;
      providerPipeline: number;
      /** Called once a unit of mine has its verdict (render jobs fetch and assemble their tiles). */
      onVerdict?: (unitId: string) => Promise<void>;
    },
  ) {
    this.#tiles = new TileChecker(ctx, executor);
  }

  async submit(spec: SubmitJob): Promise<{ job_id: string; units: number }> {
    return this.#journal(await splitJob(this.ctx, spec));
  }

  /** A render job: split and estimated here (the pre-pass runs on my executor), then journaled. */
  async submitRender(spec: SubmitRender): Promise<{ job_id: string; units: number; frames: number }> {
    const submitted = await this.#journal(await splitRenderJob(this.ctx, this.executor, spec));
    return { ...submitted, frames: spec.last_frame - spec.first_frame + 1 };
  }

  async #journal({ job, units }: { job: Job; units: WorkUnit[] }): Promise<{ job_id: string; units: number }> {
    const ok = await this.ctx.record([
      { type: 'job.submitted', job },
      ...units.map((unit): NewEvent => ({ type: 'unit.created', unit })),
    ]);
    if (ok.includes(false)) throw new ApiError('internal', 'the job could not be journaled');
    this.ctx.emit('job.submitted', { job_id: job.job_id, units: units.length });
    this.ctx.commitmentChanged();
    return { job_id: job.job_id, units: units.length };
  }

  /** Units still wanting workers, in priority order: what my commitment asks the mesh for. */
  openUnits(limit = Infinity): WorkUnit[] {
    const open: WorkUnit[] = [];
    for (const record of this.ctx.state.jobs.values()) {
      if (record.cancelled || record.completedAt || record.job.requester !== this.ctx.me) continue;
      for (const id of record.unitIds) {
        const unit = this.ctx.state.units.get(id)!;
        if (unit.verdict || this.ctx.state.activeAssignments(id).length >= this.#wanted(unit.unit)) continue;
        open.push(unit.unit);
        if (open.length >= limit) return open;
      }
    }
    return open.sort((a, b) => b.priority - a.priority);
  }

  workRequests(): WorkRequest[] {
    const byJob = new Map<string, WorkUnit[]>();
    for (const unit of this.openUnits(MAX_PUBLISHED_UNITS)) {
      const list = byJob.get(unit.job_id);
      if (list) list.push(unit);
      else byJob.set(unit.job_id, [unit]);
    }
    return [...byJob].map(([jobId, units]) => {
      const job = this.ctx.state.jobs.get(jobId)!.job;
      return {
        request_id: jobId,
        requester_id: this.ctx.me,
        job_id: jobId,
        work_units: units,
        timestamp: iso(this.ctx.now()),
        ...(job.deadline !== undefined ? { deadline: job.deadline } : {}),
      };
    });
  }

  async onOffers(from: string, offers: Offer[]): Promise<void> {
    const { state } = this.ctx;
    const fresh = offers.filter((o) => {
      const unit = state.units.get(o.unit_id);
      return (
        o.provider_peer === from &&
        o.requester_peer === this.ctx.me &&
        unit?.requester === this.ctx.me &&
        !unit.verdict &&
        unit.unit.job_id === o.job_id
      );
    });
    if (fresh.length === 0) return;
    await this.ctx.record(
      fresh.map((offer) => ({ type: 'offer.recorded', event_id: `offer/${offer.offer_id}`, offer })),
    );
    for (const offer of fresh)
      this.ctx.emit('bid.received', {
        job_id: offer.job_id,
        unit_id: offer.unit_id,
        provider: from,
        price: offer.price,
      });
    this.acceptSoon();
  }

  acceptSoon(): void {
    if (this.#accepting) {
      this.#acceptAgain = true;
      return;
    }
    this.#acceptTimer ??= setTimeout(() => {
      this.#acceptTimer = undefined;
      this.#accepting = this.acceptRound()
        .catch((err) => this.ctx.log(`accepting offers failed: ${describeError(err)}`))
        .finally(() => {
          this.#accepting = undefined;
          if (this.#acceptAgain) {
            this.#acceptAgain = false;
            this.acceptSoon();
          }
        });
    }, 5);
  }

  /** Accepts offers by policy for jobs not in manual mode, keeping each provider's pipeline short. */
  async acceptRound(): Promise<void> {
    const units = this.openUnits()
      .filter((u) => !this.ctx.state.jobs.get(u.job_id)!.job.manual_accept)
      .map((u) => this.#asWanted(u));
    const inFlight = this.#inFlightByProvider();
    const offers = units.flatMap((u) => this.#liveOffers(u.unit_id));
    // A provider gets at most `providerPipeline` units in flight; the rest wait for its results or go to others.
    const ctx = {
      ...this.#acceptanceContext(),
      providerRoom: (peer: string) => this.options.providerPipeline - (inFlight.get(peer) ?? 0),
    };
    const { acceptances } = acceptByPolicy(ctx, units, offers);
    await this.#commit(acceptances);
  }

  bids(jobId: string): BidView[] {
    const { state } = this.ctx;
    const job = state.jobs.get(jobId);
    if (!job) throw new ApiError('not_found', `no job ${jobId}`);
    const now = this.ctx.now();
    return job.unitIds.flatMap((id) =>
      this.#liveOffers(id).map((o) => ({
        offer_id: o.offer_id,
        unit_id: o.unit_id,
        provider: o.provider_peer,
        price: o.price,
        estimated_seconds: o.estimated_seconds,
        reputation: state.reputationOf(o.provider_peer, now),
        trust: state.myTrustIn(o.provider_peer),
        tier: o.tier,
        expected_end: o.expected_end,
      })),
    );
  }

  /** Manual mode: takes every open offer of one provider on the job, with the same checks as policy. */
  async acceptFrom(
    jobId: string,
    provider: string,
  ): Promise<{ accepted: number; refused: { offer_id: string; reason: string }[] }> {
    const job = this.ctx.state.jobs.get(jobId);
    if (!job) throw new ApiError('not_found', `no job ${jobId}`);
    const ctx = this.#acceptanceContext();
    const acceptances: Acceptance[] = [];
    const refused: { offer_id: string; reason: string }[] = [];
    for (const id of job.unitIds) {
      for (const offer of this.#liveOffers(id)) {
        if (offer.provider_peer !== provider) continue;
        const unit = this.ctx.state.units.get(id)?.unit;
        const outcome = acceptOffer(ctx, offer, unit && this.#asWanted(unit));
        if (outcome.ok) acceptances.push(outcome.acceptance);
        else refused.push({ offer_id: offer.offer_id, reason: outcome.refusal.message });
      }
    }
    if (acceptances.length === 0 && refused.length === 0)
      throw new ApiError('not_found', `${provider} has no open bid on job ${jobId}`);
    await this.#commit(acceptances);
    return { accepted: acceptances.length, refused };
  }

  /** The inputs of these units small enough to travel with their acceptances. */
  #smallInputs(acceptances: Acceptance[]): { cid: string; base64: string }[] {
    const inline: { cid: string; base64: string }[] = [];
    let total = 0;
    for (const a of acceptances) {
      const cid = this.ctx.state.units.get(a.unit_id)?.unit.input_cid;
      const size = cid === undefined ? undefined : this.ctx.blobs.size(cid);
      if (size === undefined || size > MAX_INLINE_BLOB_BYTES || total + size > MAX_INLINE_BYTES_PER_MESSAGE) continue;
      const bytes = this.ctx.blobs.get(cid!);
      if (!bytes) continue;
      total += size;
      inline.push({ cid: cid!, base64: Buffer.from(bytes).toString('base64') });
    }
    return inline;
  }

  /** Offers for a unit that have not lapsed (OFFER_TTL_MS after they reached me). */
  #liveOffers(unitId: string): Offer[] {
    const { state } = this.ctx;
    const since = this.ctx.now() - OFFER_TTL_MS;
    return [...(state.offersByUnit.get(unitId)?.values() ?? [])].filter((o) => {
      const receivedAt = state.offerReceivedAt.get(o.offer_id) ?? 0;
      return receivedAt > since && receivedAt > (this.#unreachableSince.get(o.provider_peer) ?? 0);
    });
  }

  /** A unit whose results disagreed wants more workers than its redundancy: acceptance counts against that. */
  #asWanted(unit: WorkUnit): WorkUnit {
    return { ...unit, verification_redundancy: Math.min(MAX_REDUNDANCY, this.#wanted(unit)) };
  }

  /** Journals the acceptances and their escrows, then tells each provider. */
  async #commit(acceptances: Acceptance[]): Promise<void> {
    if (acceptances.length === 0) return;
    const events: NewEvent[] = [];
    for (const a of acceptances) {
      const job = this.ctx.state.jobs.get(a.job_id)!.job;
      events.push({ type: 'offer.accepted', event_id: `accept/${a.acceptance_id}`, acceptance: a });
      events.push({
        type: 'ledger.entry',
        event_id: `ledger/escrow/${a.acceptance_id}`,
        entry: {
          kind: 'escrow',
          entry_id: `escrow/${a.acceptance_id}`,
          assignment_id: a.acceptance_id,
          job_id: a.job_id,
          unit_id: a.unit_id,
          requester: this.ctx.me,
          worker: a.provider_peer,
          amount: a.price,
          job_budget: job.budget,
          at: a.timestamp,
        },
      });
    }
    await this.ctx.record(events);
    const byProvider = new Map<string, Acceptance[]>();
    for (const a of acceptances) {
      if (this.ctx.state.assignments.get(a.acceptance_id)?.escrow !== 'held') continue; // refused by the ledger
      this.ctx.emit('unit.accepted', { job_id: a.job_id, unit_id: a.unit_id, provider: a.provider_peer });
      byProvider.set(a.provider_peer, [...(byProvider.get(a.provider_peer) ?? []), a]);
    }
    this.ctx.commitmentChanged();
    await Promise.all([...byProvider].map(([provider, list]) => this.#deliver(provider, list)));
  }

  async #deliver(provider: string, acceptances: Acceptance[]): Promise<void> {
    const reply = await this.ctx.send(provider, 'acceptances', { acceptances, inline: this.#smallInputs(acceptances) });
    // Unreachable: take them back now rather than at their deadline. Had it journaled them after
    // all, its result gets this refund in reply, so nobody is paid twice.
    // Its other offers wait until they lapse, so they do not draw the units straight back.
    if (reply?.type !== 'accepted') this.#unreachableSince.set(provider, this.ctx.now());
    const refused =
      reply?.type === 'accepted'
        ? new Set((reply.body as MessageBody<'accepted'>).refused)
        : new Set(acceptances.map((a) => a.acceptance_id));
    const refunds = acceptances
      .filter((a) => refused.has(a.acceptance_id))
      .map((a) => refundEvent(this.ctx.now(), a.acceptance_id, 'failed'));
    if (refunds.length > 0) {
      await this.ctx.record(refunds);
      this.ctx.commitmentChanged();
      this.acceptSoon();
    }
  }

  /** A provider's result: checked against its assignment and receipt, journaled, then consensus. */
  async onResult(from: string, { result, receipt }: MessageBody<'result'>): Promise<MessageBody<'settlement'>> {
    const { state } = this.ctx;
    const assignment = state.assignments.get(result.assignment_id);
    const a = assignment?.acceptance;
    if (
      !assignment ||
      !a ||
      a.requester_peer !== this.ctx.me ||
      a.provider_peer !== from ||
      result.computed_by_peer !== from ||
      result.work_unit_id !== a.unit_id
    ) {
      return { entries: [], receipts: [] };
    }
    if (assignment.escrow !== 'held' || assignment.result) return settlementFor(state, [a.acceptance_id]);
    const checked = await verifyReceipt(receipt);
    const r = receipt.receipt;
    if (
      !checked.ok ||
      r.kind !== 'execution' ||
      r.author !== from ||
      r.assignment_id !== a.acceptance_id ||
      r.output_cid !== result.output_cid ||
      r.verification_hash !== result.verification_hash
    ) {
      this.ctx.log(`result for ${a.acceptance_id} from ${from} has no matching receipt`);
      return { entries: [], receipts: [] };
    }
    await this.ctx.record([
      { type: 'result.recorded', event_id: `result/${result.result_id}`, result },
      { type: 'receipt.stored', event_id: `receipt/${checked.cid}`, cid: checked.cid, receipt: r, sig: receipt.sig },
    ]);
    this.ctx.emit('unit.finished', { job_id: a.job_id, unit_id: a.unit_id, provider: from });
    await this.decide(a.unit_id, from);
    this.acceptSoon(); // the provider's pipeline has room again
    return settlementFor(state, [a.acceptance_id]);
  }

  /** Consensus over a unit's results; settles, refunds, or asks for more replicas. One decision per unit at a time. */
  decide(unitId: string, replyingTo?: string): Promise<void> {
    return this.#deciding.run(unitId, () => this.#decide(unitId, replyingTo));
  }

  async #decide(unitId: string, replyingTo?: string): Promise<void> {
    const { state } = this.ctx;
    const record = state.units.get(unitId);
    if (!record || record.verdict) return;
    const active = state.activeAssignments(unitId);
    const votes: Vote[] = active.flatMap((x) =>
      x.result
        ? [{ result_id: x.result.result_id, peer: x.acceptance.provider_peer, hash: x.result.verification_hash }]
        : [],
    );
    // Tiles that may come from a GPU agree within a tolerance, after their spot-checks (tile-check.ts).
    const byComparator = record.unit.verification?.kind === 'comparator' && votes.length > 0;
    const check = byComparator ? await this.#tiles.prepare(record.unit, active) : undefined;
    if (byComparator && !check) {
      setTimeout(
        () => void this.decide(unitId).catch((err) => this.ctx.log(`deciding ${unitId}: ${describeError(err)}`)),
        5_000,
      ).unref();
      return;
    }
    const redundancy = record.unit.verification_redundancy;
    const decision = decideConsensus({
      redundancy,
      votes,
      maxReplicas: Math.min(MAX_REDUNDANCY, redundancy * 2 + 1),
      requested: active.length,
      ...check,
    });
    if (decision.status === 'pending') return;
    if (decision.status === 'conflict') {
      this.#extra.set(unitId, (this.#extra.get(unitId) ?? 0) + decision.extraReplicas);
      this.ctx.commitmentChanged();
      return;
    }
    const hash = decision.status === 'verified' ? decision.hash : null;
    const agreeing = decision.status === 'verified' ? decision.results : [];
    const events: NewEvent[] = [
      {
        type: 'unit.verified',
        event_id: `verdict/${unitId}`,
        unit_id: unitId,
        verdict: hash ? 'verified' : 'rejected',
        consensus_hash: hash,
        ...(check ? { agreeing_results: agreeing } : {}),
      },
    ];
    for (const x of active) {
      if (x.escrow !== 'held') continue;
      events.push(
        x.result && agreeing.includes(x.result.result_id)
          ? settleEvent(x, this.ctx.now())
          : refundEvent(
              this.ctx.now(),
              x.acceptance.acceptance_id,
              hash ? (x.result ? 'rejected' : 'cancelled') : 'failed',
            ),
      );
    }
    const verification = await this.ctx.receipts.next({
      kind: 'verification',
      timestamp: iso(this.ctx.now()),
      unit_id: unitId,
      job_id: record.unit.job_id,
      verdict: hash ? 'verified' : 'rejected',
      consensus_hash: hash,
      agreeing,
      dissenting: votes.filter((v) => !agreeing.includes(v.result_id)).map((v) => v.result_id),
    });
    events.push({
      type: 'receipt.stored',
      event_id: `receipt/${verification.cid}`,
      cid: verification.cid,
      receipt: verification.receipt,
      sig: verification.signed.sig,
    });
    await this.ctx.record(events);
    this.#tiles.forget(
      unitId,
      active.flatMap((x) => (x.result ? [x.result] : [])),
    );
    const job = state.jobs.get(record.unit.job_id)!;
    this.ctx.emit(hash ? 'unit.verified' : 'unit.failed', { job_id: job.job.job_id, unit_id: unitId, hash });
    if (decision.status === 'verified')
      for (const peer of decision.dissenting)
        this.ctx.emit('peer.caught_lying', { peer, job_id: job.job.job_id, unit_id: unitId });
    if (job.completedAt && !job.job.render) this.ctx.emit('job.completed', { job_id: job.job.job_id }); // a render job's, once its frames are assembled
    void this.options
      .onVerdict?.(unitId)
      .catch((err) => this.ctx.log(`after the verdict on ${unitId}: ${describeError(err)}`));
    // Tell the other providers on the unit how their assignment closed (the replying one hears in its reply).
    for (const x of active) {
      if (x.acceptance.provider_peer === replyingTo) continue;
      void this.ctx.send(x.acceptance.provider_peer, 'settlement', settlementFor(state, [x.acceptance.acceptance_id]));
    }
  }

  /** A provider handing units back: refunded, and offered again. */
  async onRelease(from: string, { assignments }: MessageBody<'release'>): Promise<MessageBody<'settlement'>> {
    const mine = assignments.filter((id) => {
      const x = this.ctx.state.assignments.get(id);
      return (
        x?.acceptance.provider_peer === from &&
        x.acceptance.requester_peer === this.ctx.me &&
        x.escrow === 'held' &&
        !x.result
      );
    });
    await this.ctx.record(mine.map((id) => refundEvent(this.ctx.now(), id, 'failed')));
    for (const id of mine)
      this.ctx.emit('unit.reoffered', {
        unit_id: this.ctx.state.assignments.get(id)!.acceptance.unit_id,
        reason: 'released',
      });
    this.ctx.commitmentChanged();
    this.acceptSoon();
    return settlementFor(this.ctx.state, assignments);
  }

  /** Refunds assignments past their deadline, so their units are offered again. */
  async checkDeadlines(): Promise<void> {
    const now = this.ctx.now();
    const late = [...this.ctx.state.assignments.values()].filter(
      (x) =>
        x.acceptance.requester_peer === this.ctx.me &&
        x.escrow === 'held' &&
        !x.result &&
        Date.parse(x.acceptance.deadline) < now,
    );
    if (late.length === 0) return;
    await this.ctx.record(late.map((x) => refundEvent(this.ctx.now(), x.acceptance.acceptance_id, 'late')));
    for (const x of late) {
      this.ctx.emit('unit.reoffered', {
        unit_id: x.acceptance.unit_id,
        provider: x.acceptance.provider_peer,
        reason: 'late',
      });
      void this.ctx.send(
        x.acceptance.provider_peer,
        'settlement',
        settlementFor(this.ctx.state, [x.acceptance.acceptance_id]),
      );
    }
    this.ctx.commitmentChanged();
    this.acceptSoon();
  }

  async cancel(jobId: string): Promise<void> {
    const job = this.ctx.state.jobs.get(jobId);
    if (!job || job.job.requester !== this.ctx.me) throw new ApiError('not_found', `no job ${jobId} of mine`);
    if (job.cancelled || job.completedAt) return;
    const held = job.unitIds.flatMap((id) => this.ctx.state.assignmentsOf(id)).filter((x) => x.escrow === 'held');
    await this.ctx.record([
      { type: 'job.cancelled', job_id: jobId },
      ...held.map((x) => refundEvent(this.ctx.now(), x.acceptance.acceptance_id, 'cancelled')),
    ]);
    for (const x of held)
      void this.ctx.send(
        x.acceptance.provider_peer,
        'settlement',
        settlementFor(this.ctx.state, [x.acceptance.acceptance_id]),
      );
    this.ctx.emit('job.cancelled', { job_id: jobId });
    this.ctx.commitmentChanged();
  }

  /** After a restart: units whose results are all in but undecided are decided now. */
  async resume(): Promise<void> {
    for (const [id, unit] of this.ctx.state.units)
      if (unit.requester === this.ctx.me && !unit.verdict) await this.decide(id);
  }

  #wanted(unit: WorkUnit): number {
    return unit.verification_redundancy + (this.#extra.get(unit.unit_id) ?? 0);
  }

  #inFlightByProvider(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const x of this.ctx.state.assignments.values()) {
      if (x.acceptance.requester_peer !== this.ctx.me || x.escrow !== 'held' || x.result) continue;
      counts.set(x.acceptance.provider_peer, (counts.get(x.acceptance.provider_peer) ?? 0) + 1);
    }
    return counts;
  }

  #acceptanceContext(): AcceptanceContext {
    const { state } = this.ctx;
    const nowMs = this.ctx.now();
    const committed = new Map<string, number>();
    for (const x of state.assignments.values()) {
      if (x.acceptance.requester_peer === this.ctx.me && (x.escrow === 'held' || x.escrow === 'paid')) {
        committed.set(x.acceptance.job_id, (committed.get(x.acceptance.job_id) ?? 0) + x.acceptance.price);
      }
    }
    return {
      me: this.ctx.me,
      nowMs,
      policy: { ...DEFAULT_ACCEPTANCE_POLICY, graceSeconds: this.options.graceSeconds },
      trustIn: (peer) => state.myTrustIn(peer),
      reputationOf: (peer) => state.reputationOf(peer, nowMs),
      acceptedProviders: (unitId) => state.activeAssignments(unitId).map((x) => x.acceptance.provider_peer),
      budgetLeft: (jobId) => (state.jobs.get(jobId)?.job.budget ?? 0) - (committed.get(jobId) ?? 0),
    };
  }
}
