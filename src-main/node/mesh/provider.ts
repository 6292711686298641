// The provider's half of the round: allocate my slots to the units of peers I follow, offer them,
// take acceptances, return results with receipts, hand back what I cannot finish, and journal how
// each ends. Running what was accepted is the execution queue's (execution.ts).
import { FALSE_REFUND, UNDERPAID } from '../../core/mesh/state.js';
import type { AssignmentRecord } from '../../core/mesh/records.js';
import type { MessageBody } from '../../core/protocol/messages.js';
import { contributionHistory } from '../../core/mesh/contribution.js';
import { allocate, DampingTracker, pipelineOf, unitKey } from '../../core/scheduler/index.js';
import {
  type AvailabilitySlot,
  type ComputeCommitment,
  type ContributionFields,
  type Offer,
  type PriceSchedule,
  type WorkUnit,
} from '../../core/schemas/index.js';
import { cidOfBytes } from '../blobs/cid.js';
import type { Executor } from '../exec/index.js';
import type { GpuService } from '../gpu/gpu-service.js';
import { verifyReceipt } from '../receipts/index.js';
import { judgeAcceptances } from './acceptance-intake.js';
import { Admission, admittedOffers } from './admission.js';
import { iso, type NewEvent, type NodeContext } from './context.js';
import { ExecutionQueue } from './execution.js';
import { HeldResults } from './held-results.js';
import { KeyedQueue } from './keyed-queue.js';
import { longestListed, OpenWork } from './open-work.js';
import { PulledUnits } from './pulled-units.js';
import { ResultOutbox } from './result-outbox.js';
import { entriesForMe, unbackedRefunds, underpaidSettles } from './settlement-intake.js';
import { WatchTimer } from './watch-timer.js';

type ReleaseReason = MessageBody<'release'>['reason'];

/** A result or hand-back that has had no answer is sent again after this long. */
const RETRY_MS = 10_000;
/** How often my assignments are driven to their close (reconcile). */
const RECONCILE_MS = 2000;
/**
 * Rounds at most this often: every unit that ends asks for one, and a round looks at every unit
 * listed and offered for (at 50 tiles a second they took a fifth of the main thread).
 */
const ROUND_GAP_MS = 50;

export interface ProviderOptions {
  price(): PriceSchedule;
  /** The slots my commitment offers now. */
  slots(): AvailabilitySlot[];
  /** Assignments run at once: the executor's workers plus a small queue. */
  concurrency: number;
  /** GPU units, where this node has a GPU ready. */
  gpu?: GpuService;
}

export class Provider {
  #roundTimer: NodeJS.Timeout | undefined;
  #lastRoundAt = -Infinity;
  readonly #reconciling = new WatchTimer(() => this.#watchAssignments(), RECONCILE_MS);
  #stopped = false;
  readonly #execution: ExecutionQueue;
  readonly #outbox: ResultOutbox;
  /** Units each requester asked for, as last seen in its commitment. */
  readonly #unitsSeen = new Map<string, WorkUnit>();
  /** When each held assignment's result or hand-back was last sent. */
  readonly #lastSent = new Map<string, number>();
  /** Results the requester holds, accepted unchecked until their job completes: asked about a batch at a time. */
  readonly #held = new HeldResults(
    RETRY_MS,
    (ids) => Promise.all(ids.map((id) => this.#sendResult(id))).then(() => undefined),
    (id) => this.ctx.state.assignments.get(id)?.escrow === 'held',
    () => this.wake(),
  );
  /** Assignments to hand back, with why, until the requester answers. */
  readonly #toRelease = new Map<string, ReleaseReason>();
  /** My rounds' over-allocation and the damping factor it sets (in memory: 1 again after a restart). */
  readonly #damping = new DampingTracker();
  /** Acceptances being admitted, by requester. */
  readonly #admitting = new KeyedQueue();
  /** My offers and running units, as each round sees them. */
  readonly #open: OpenWork;
  /** Units pulled beyond those the requesters' commitments list. */
  readonly #pulled: PulledUnits;
  /** Assignments whose refund as rejected I refused (applySettlement), reported once each. */
  readonly #falseRefunds = new Set<string>();

  constructor(
    private readonly ctx: NodeContext,
    executor: Executor,
    private readonly options: ProviderOptions,
  ) {
    this.#open = new OpenWork(ctx, (key, unitId) => this.#unitsSeen.get(key) ?? ctx.state.units.get(unitId)?.unit);
    this.#pulled = new PulledUnits(
      ctx,
      (requester, unit) => this.#unitsSeen.set(unitKey(requester, unit.unit_id), unit),
      () => this.roundSoon(),
    );
    this.#outbox = new ResultOutbox(ctx, (requester, settlement) => this.applySettlement(requester, settlement));
    this.#execution = new ExecutionQueue(ctx, executor, options.concurrency, options.gpu, {
      sendResult: (id) => this.#sendResult(id),
      handBack: (requester, id) => this.#release(requester, [id], this.#toRelease.get(id) ?? 'failed'),
      roundSoon: () => this.roundSoon(),
    });
  }

  /** When the requester said it holds my result of `assignmentId` (unchecked, paid at its job's end); undefined if not. */
  deliveredAt(assignmentId: string): number | undefined {
    return this.#held.since(assignmentId);
  }

  get running(): number {
    return this.#execution.running;
  }

  get queued(): number {
    return this.#execution.queued;
  }

  /** Drives my assignments to their close: now, then every RECONCILE_MS. */
  start(): void {
    this.#reconciling.start();
  }

  /** My state changed: assignments are reconciled again while I hold one. */
  wake(): void {
    this.#reconciling.wake();
  }

  /** Reconciles now; true while I hold an assignment as its provider. */
  #watchAssignments(): boolean {
    this.reconcile();
    if (this.#toRelease.size > 0) return true;
    for (const a of this.ctx.state.heldAssignments()) if (a.acceptance.provider_peer === this.ctx.me) return true;
    return false;
  }

  /** No more rounds or units; the running units are stopped and waited for (they run again after a restart). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#roundTimer);
    this.#reconciling.stop();
    await this.#execution.stop();
    this.#outbox.stop();
  }

  /** Queues an assignment of mine that has no result yet. */
  enqueue(assignmentId: string): void {
    this.#execution.enqueue(assignmentId);
  }

  onCommitment(from: string, commitment: ComputeCommitment): void {
    if (commitment.peer_id !== from) return;
    for (const request of commitment.work_requests) {
      if (request.requester_id !== from) continue;
      for (const unit of request.work_units) this.#unitsSeen.set(unitKey(from, unit.unit_id), unit);
    }
    this.#pulled.onCommitment(from);
    this.roundSoon();
  }

  /** A round soon: 10 ms from now, and at least ROUND_GAP_MS after the last (a unit ending asks for one). */
  roundSoon(): void {
    if (this.#stopped || this.#roundTimer) return;
    const wait = Math.max(10, this.#lastRoundAt + ROUND_GAP_MS - performance.now());
    this.#roundTimer = setTimeout(() => {
      this.#roundTimer = undefined;
      this.#lastRoundAt = performance.now();
      this.ctx.background('offer round failed', this.round());
    }, wait);
  }

  /**
   * What my commitment says of me: my contribution history, from my closed assignments, and my
   * damping, from how many of my recent rounds' offers were accepted (resolved up to now).
   */
  contribution(): ContributionFields {
    const { state } = this.ctx;
    this.#damping.resolve(this.ctx.now(), (offerId) => state.assignments.has(offerId));
    return { contribution_history: contributionHistory(state.contribution), ...this.#damping.state };
  }

  /**
   * One allocation round: offers for the units of the peers I follow, by tier, within my slots,
   * their capacity scaled by my damping factor.
   */
  async round(): Promise<void> {
    const { state } = this.ctx;
    if (!state.sharing) return;
    const slots = this.options.slots();
    if (slots.length === 0) return;
    const nowMs = this.ctx.now();
    const followed = this.#pulled.view(nowMs);
    const { unaccepted, skip, reserved, inFlight } = this.#open.at(nowMs, followed);
    const me: ComputeCommitment = {
      peer_id: this.ctx.me,
      availability_slots: slots,
      work_requests: [],
      trust_weights: Object.fromEntries([...state.trust].map(([peer, t]) => [peer, t.weight])),
      ...this.contribution(),
      timestamp: iso(nowMs),
      vector_clock: {},
    };
    const myTrust = Object.fromEntries(
      [...state.trust.keys()].map((peer) => [peer, state.effectiveTrustIn(peer, nowMs)]),
    );
    // Only what each requester may have of mine now (admission.ts), its open offers counted as taken.
    const price = this.options.price();
    const requesterRoom = (peer: string) =>
      pipelineOf(me, undefined, longestListed(this.ctx.commitments.get(peer))) - (inFlight.get(peer) ?? 0);
    const made = admittedOffers(
      followed,
      () => {
        const admission = new Admission(state, nowMs, this.ctx.commitments, this.ctx.quota);
        for (const offer of unaccepted) admission.count(offer.requester_peer, offer.price);
        return admission;
      },
      (requesters) =>
        allocate({
          provider: me,
          requesters,
          round: state.lastRound + 1,
          nowMs,
          price,
          // Who gets my slots first: my effective trust (weight times record), not the weight alone.
          myTrust,
          skip,
          reserved,
          requesterRoom,
        }).offers,
      Math.max(1, price.minimum),
    );
    this.#pulled.pullMore(followed, skip, made, requesterRoom);
    if (made.length === 0) return;
    await this.ctx.record(
      made.map((offer) => ({ type: 'offer.recorded', event_id: `offer/${offer.offer_id}`, offer })),
    );
    this.#open.offered(made);
    this.#damping.offered(
      made.map((offer) => offer.offer_id),
      nowMs,
    );
    const byRequester = new Map<string, Offer[]>();
    for (const offer of made)
      byRequester.set(offer.requester_peer, [...(byRequester.get(offer.requester_peer) ?? []), offer]);
    await Promise.all([...byRequester].map(([peer, offers]) => this.ctx.send(peer, 'offers', { offers })));
  }

  /**
   * A requester took some of my offers: each checked against my offer, then against what the
   * requester may have of mine now (admission.ts), journaled with its escrow, and run; the ones
   * refused go back with the reason.
   */
  onAcceptances(from: string, message: MessageBody<'acceptances'>): Promise<MessageBody<'accepted'>> {
    // One message of a requester at a time: two at once would each count the other's units as not yet taken.
    return this.#admitting.run(from, () => this.#onAcceptances(from, message));
  }

  async #onAcceptances(
    from: string,
    { acceptances, inline = [] }: MessageBody<'acceptances'>,
  ): Promise<MessageBody<'accepted'>> {
    const { accepted, refused, events, wantedInputs, refusedOffers } = judgeAcceptances(
      this.ctx,
      from,
      acceptances,
      (unitId) => this.#unitsSeen.get(unitKey(from, unitId)),
    );
    for (const offerId of refusedOffers) this.#open.refused(offerId); // closed: its unit may be offered again once allowed
    for (const blob of inline) {
      if (!wantedInputs.has(blob.cid)) continue;
      const bytes = new Uint8Array(Buffer.from(blob.base64, 'base64'));
      if (cidOfBytes(bytes) === blob.cid) this.#execution.keepInline(blob.cid, bytes); // a mismatch is ignored: the unit fetches its input instead
    }
    await this.ctx.record(events);
    for (const id of accepted) this.enqueue(id);
    if (refused.length > 0)
      this.ctx.log(
        `refused ${refused.length} of ${acceptances.length} acceptances from ${from}: ${refused[0]!.reason}`,
      );
    return { accepted, refused };
  }

  /**
   * Drives every assignment I hold to its close: queues what is unrun (after a restart too), hands
   * back what is past its deadline or failed, and resends results and hand-backs that got no
   * answer (the requester was unreachable, or still deciding). On start, on a timer, and at once
   * for a requester that has just connected.
   */
  reconcile(connected?: string): void {
    const nowMs = this.ctx.now();
    for (const id of this.#lastSent.keys()) {
      if (this.ctx.state.assignments.get(id)?.escrow === 'held') continue;
      this.#lastSent.delete(id);
      this.#toRelease.delete(id);
      this.#held.forget(id);
    }
    const heldThere: AssignmentRecord[] = [];
    const releases = new Map<string, { peer: string; reason: ReleaseReason; ids: string[] }>(); // by requester and reason
    for (const assignment of this.ctx.state.heldAssignments()) {
      const { assignment_id: id, requester_peer: requester } = assignment.acceptance;
      if (assignment.acceptance.provider_peer !== this.ctx.me || this.#execution.has(id)) continue;
      if (this.#held.has(id)) {
        heldThere.push(assignment);
        continue;
      }
      if (requester !== connected && nowMs - (this.#lastSent.get(id) ?? 0) < RETRY_MS) continue;
      const reason =
        this.#toRelease.get(id) ??
        (!assignment.result && Date.parse(assignment.acceptance.deadline) < nowMs ? 'late' : undefined);
      if (assignment.result) this.ctx.background(`sending the result of ${id}`, this.#sendResult(id));
      else if (reason) {
        const key = `${reason} ${requester}`;
        const batch = releases.get(key) ?? { peer: requester, reason, ids: [] };
        batch.ids.push(id);
        releases.set(key, batch);
      } else this.enqueue(id);
    }
    for (const { peer, reason, ids } of releases.values())
      this.ctx.background(`handing back to ${peer}`, this.#release(peer, ids, reason));
    this.#held.ask(heldThere, nowMs, connected);
  }

  /**
   * Sharing switched off (or paused): everything queued is handed back at once, and every running
   * unit is stopped (its worker replaced) and handed back as it ends, so its job goes on elsewhere.
   */
  async release(reason: 'sharing_off' | 'paused'): Promise<void> {
    // Units still fetching their blobs see sharing is off and hand themselves back too.
    this.wake();
    const { aborted, queued, ended } = this.#execution.stopAll();
    for (const id of aborted) this.#toRelease.set(id, reason); // read as each stopped unit ends
    const byRequester = new Map<string, string[]>();
    for (const id of queued) {
      const requester = this.ctx.state.assignments.get(id)?.acceptance.requester_peer;
      if (requester) byRequester.set(requester, [...(byRequester.get(requester) ?? []), id]);
    }
    await Promise.all([...byRequester].map(([peer, assignments]) => this.#release(peer, assignments, reason)));
    await ended; // each handed back as it stopped
  }

  async #release(peer: string, assignments: string[], reason: ReleaseReason): Promise<void> {
    const nowMs = this.ctx.now();
    for (const id of assignments) {
      this.#toRelease.set(id, reason);
      this.#lastSent.set(id, nowMs);
    }
    const reply = await this.ctx.send(peer, 'release', { assignments, reason });
    if (reply?.type === 'settlement') await this.applySettlement(peer, reply.body as MessageBody<'settlement'>);
  }

  #sendResult(assignmentId: string): Promise<void> {
    const assignment = this.ctx.state.assignments.get(assignmentId);
    if (!assignment?.result) return Promise.resolve();
    this.#lastSent.set(assignmentId, this.ctx.now());
    return this.#outbox.send(assignment.acceptance.requester_peer, assignmentId);
  }

  /**
   * How a requester closed my assignments: each entry checked against my own escrow, then
   * journaled. A refund as rejected of a result I returned needs the requester's own verdict
   * against it (settlement-intake.ts): one without is not journaled (the escrow stays held and
   * owed), a penalty is, and the requester gets no more work from me (admission.ts).
   */
  async applySettlement(from: string, { entries, receipts, held }: MessageBody<'settlement'>): Promise<void> {
    const { state } = this.ctx;
    for (const id of held ?? [])
      if (state.assignments.get(id)?.acceptance.requester_peer === from) this.#held.held(id, this.ctx.now());
    const mine = entriesForMe(state, this.ctx.me, from, entries);
    const unbacked = await unbackedRefunds(state, from, mine, receipts);
    const underpaid = underpaidSettles(state, mine);
    const events: NewEvent[] = mine
      .filter((entry) => !unbacked.has(entry.assignment_id) && !underpaid.has(entry.assignment_id))
      .map((entry) => ({ type: 'ledger.entry', event_id: `ledger/${entry.entry_id}`, entry }));
    for (const signed of receipts) {
      const checked = await verifyReceipt(signed);
      if (checked.ok && checked.receipt.author === from)
        events.push({
          type: 'receipt.stored',
          event_id: `receipt/${checked.cid}`,
          cid: checked.cid,
          receipt: checked.receipt,
          sig: signed.sig,
        });
    }
    for (const id of unbacked)
      events.push({ type: 'peer.penalized', event_id: `false-refund/${id}`, peer_id: from, reason: FALSE_REFUND });
    for (const id of underpaid)
      events.push({ type: 'peer.penalized', event_id: `underpaid/${id}`, peer_id: from, reason: UNDERPAID });
    if (events.length === 0) return;
    await this.ctx.record(events);
    for (const id of unbacked)
      this.#reportFalseRefund(from, id, 'refunded my result as rejected without a verdict against it');
    for (const id of underpaid) this.#reportFalseRefund(from, id, 'paid my result less than its fuel costs');
    for (const entry of entries.filter((e) => e.kind !== 'escrow'))
      if (state.assignments.get(entry.assignment_id)?.escrow !== 'held') this.#execution.drop(entry.assignment_id);
  }

  /** Once per assignment while I run: the log, and the user's event. */
  #reportFalseRefund(requester: string, assignmentId: string, what: string): void {
    if (this.#falseRefunds.has(assignmentId)) return;
    this.#falseRefunds.add(assignmentId);
    const { acceptance } = this.ctx.state.assignments.get(assignmentId)!;
    this.ctx.log(`${requester} ${what} (${assignmentId}): refused; it gets no more work from me`);
    this.ctx.emit('peer.cheated', {
      peer: requester,
      assignment_id: assignmentId,
      job_id: acceptance.job_id,
      unit_id: acceptance.unit_id,
    });
  }
}
