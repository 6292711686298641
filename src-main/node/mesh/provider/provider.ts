// The provider's half of the round: take acceptances of my offers, return results with receipts,
// hand back what I cannot finish, and journal how each ends. Making offers is the offer rounds'
// (offer-round.ts); running what was accepted, the execution queue's (execution-queue.ts).
import { FALSE_REFUND, UNDERPAID } from '../../../core/mesh/state/state.js';
import type { AssignmentRecord } from '../../../core/mesh/state/records.js';
import type { MessageBody } from '../../../core/protocol/messages.js';
import type { ComputeCommitment, ContributionFields, Offer, WorkResult } from '../../../core/schemas/index.js';
import { cidOfBytes } from '../../blobs/cid.js';
import type { Executor } from '../../exec/index.js';
import type { GpuService } from '../../gpu/gpu-service.js';
import { verifyCheckedReceipt } from '../../receipts/index.js';
import { judgeAcceptances } from './acceptance-intake.js';
import type { NewEvent, NodeContext } from '../context/node-context.js';
import { ExecutionQueue } from './execution-queue.js';
import { HeldResults } from './held-results.js';
import { KeyedQueue } from '../basics/keyed-queue.js';
import { OfferRounds, type OfferRoundOptions } from './offer-round.js';
import { ProgressReports } from './progress-reports.js';
import { ResultOutbox } from './result-outbox.js';
import { entriesForMe, refundedHeld, unbackedRefunds, underpaidSettles } from '../settlement/settlement-intake.js';
import { circleOf } from '../settlement/pricing.js';
import { WatchTimer } from '../basics/watch-timer.js';

/** What this piece needs of the node: its own uses and those of the pieces it builds (checked where it is built). */
export type ProviderNeeds = Pick<
  NodeContext,
  'background' | 'circles' | 'emit' | 'events' | 'log' | 'me' | 'now' | 'record' | 'send' | 'state'
> &
  ConstructorParameters<typeof OfferRounds>[0] &
  ConstructorParameters<typeof ResultOutbox>[0] &
  ConstructorParameters<typeof ExecutionQueue>[0] &
  Parameters<typeof judgeAcceptances>[0];

type ReleaseReason = MessageBody<'release'>['reason'];

/** A result or hand-back that has had no answer is sent again after this long. */
const RETRY_MS = 10_000;
/** How often my assignments are driven to their close (reconcile). */
const RECONCILE_MS = 2000;
export interface ProviderOptions extends OfferRoundOptions {
  /** Assignments run at once: the executor's workers plus a small queue. */
  concurrency: number;
  /** GPU units, where this node has a GPU ready. */
  gpu?: GpuService;
}

export class Provider {
  readonly #reconciling = new WatchTimer(() => this.#watchAssignments(), RECONCILE_MS);
  readonly #execution: ExecutionQueue;
  readonly #outbox: ResultOutbox;
  readonly #progress: ProgressReports;
  /** When each result or hand-back was last sent, until it is answered (held there, or closed). */
  readonly #lastSent = new Map<string, number>();
  /**
   * When reconcile last walked the results still unanswered and asked about held ones, and whether
   * the next must; whether it has walked every held assignment since I started.
   */
  #walkedAllAt = -Infinity;
  #walkAll = false;
  #walkedHeld = false;
  /** Results the requester holds, accepted unchecked until their job completes: asked about a batch at a time. */
  readonly #held = new HeldResults(
    RETRY_MS,
    (ids) => Promise.all(ids.map((id) => this.#sendResult(id))).then(() => undefined),
    (id) => this.ctx.state.assignments.get(id)?.escrow === 'held',
    () => {
      // The requester paid the last batch asked about: ask the next at once, not at the next
      // reconcile (a batch every RECONCILE_MS would take minutes to pay 21,000 held results).
      this.#walkAll = true;
      this.reconcile();
    },
  );
  /** Assignments to hand back, with why, until the requester answers. */
  readonly #toRelease = new Map<string, ReleaseReason>();
  /** Acceptances being admitted, by requester. */
  readonly #admitting = new KeyedQueue();
  /** My offers: made by rounds, closed here when I refuse their acceptance. */
  readonly #rounds: OfferRounds;
  /** Assignments whose refund as rejected I refused (applySettlement), reported once each. */
  readonly #falseRefunds = new Set<string>();

  constructor(
    private readonly ctx: ProviderNeeds,
    executor: Executor,
    options: ProviderOptions,
  ) {
    this.#rounds = new OfferRounds(ctx, { ...options, holds: (cid) => this.#execution.holdsInput(cid) });
    this.#outbox = new ResultOutbox(
      ctx,
      (requester, settlement) => this.applySettlement(requester, settlement),
      () => this.#execution.running + this.#execution.queued > 0,
    );
    this.#progress = new ProgressReports(ctx);
    this.#execution = new ExecutionQueue(ctx, executor, options.concurrency, options.gpu, {
      sendResult: (id, fresh) => this.#sendResult(id, fresh),
      handBack: (requester, id) => this.#release(requester, [id], this.#toRelease.get(id) ?? 'failed'),
      roundSoon: () => this.roundSoon(),
      progress: (requester, id, progress) =>
        progress ? this.#progress.report(requester, id, progress) : this.#progress.ended(requester, id),
    });
    ctx.events.on('wake', () => this.wake());
    ctx.events.on('peer.connected', (peer) => this.reconcile(peer));
    ctx.events.on('on-battery', () => ctx.background('handing units back on battery', this.release('paused')));
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
    return this.ctx.state.heldAs('provider').size > 0;
  }

  /** No more rounds or units; the running units are stopped and waited for (they run again after a restart). */
  async stop(): Promise<void> {
    this.#rounds.stop();
    this.#reconciling.stop();
    await this.#execution.stop();
    this.#progress.stop();
    await this.#outbox.stop();
  }

  /** Queues an assignment of mine that has no result yet. */
  enqueue(assignmentId: string): void {
    this.#execution.enqueue(assignmentId);
  }

  onCommitment(from: string, commitment: ComputeCommitment): void {
    this.#rounds.onCommitment(from, commitment);
  }

  roundSoon(): void {
    this.#rounds.soon();
  }

  /** How many units requesters' commitments and pulls left me remembering, in all and of the one with most. */
  unitsSeen(): { total: number; mostOfOnePeer: number } {
    return this.#rounds.unitsSeen();
  }

  contribution(): ContributionFields {
    return this.#rounds.contribution();
  }

  /** The number my next offer round will carry: offer ids are `<me>#<round>.<n>`. */
  nextRound(): number {
    return this.#rounds.nextRound();
  }

  /** My offers of the last 2 × OFFER_TTL_MS, oldest first: those an acceptance may still name (kept in memory only). */
  recentOffers(): Offer[] {
    return this.#rounds.recentOffers();
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
    const {
      accepted,
      acceptances: taken,
      refused,
      events,
      wantedInputs,
      refusedOffers,
    } = judgeAcceptances(
      this.ctx,
      from,
      acceptances,
      (unitId) => this.#rounds.unitOf(from, unitId),
      (offerId) => this.#rounds.offer(offerId),
    );
    for (const offerId of refusedOffers) this.#rounds.refused(offerId); // closed: its unit may be offered again once allowed
    for (const blob of inline) {
      if (!wantedInputs.delete(blob.cid)) continue; // not wanted, or a copy already taken
      const bytes = new Uint8Array(Buffer.from(blob.base64, 'base64'));
      if (cidOfBytes(bytes) === blob.cid) this.#execution.keepInline(blob.cid, bytes); // a mismatch is ignored: the unit fetches its input instead
    }
    await this.ctx.record(events);
    this.#rounds.taken(from, taken);
    for (const id of accepted) this.enqueue(id);
    if (refused.length > 0)
      this.ctx.log(
        `refused ${refused.length} of ${refused.length + accepted.length} acceptances from ${from}: ${refused[0]!.reason}`,
      );
    return { refused };
  }

  /**
   * Drives every assignment I hold to its close: queues what is unrun (after a restart too), hands
   * back what is past its deadline or failed, and resends results and hand-backs that got no
   * answer (the requester was unreachable, or still deciding). On start, on a timer, and at once
   * for a requester that has just connected.
   */
  reconcile(connected?: string): void {
    const nowMs = this.ctx.now();
    const inFlight = this.ctx.state.inFlightAs('provider').values();
    let walked: Iterable<AssignmentRecord> = inFlight;
    // Results are sent again, and held ones asked about, only RETRY_MS after the last time, so the
    // results are looked at only when that may be due, and then only those still unanswered: a big
    // job's results are all held until it completes, and at 100,000 a walk of them all holds the
    // main thread ~70 ms. The first walk after a start takes them all: none was sent in this run.
    const everything = connected !== undefined || this.#walkAll || nowMs - this.#walkedAllAt >= RETRY_MS;
    if (everything) {
      this.#walkAll = false;
      this.#walkedAllAt = nowMs;
      walked = this.#walkedHeld ? [...inFlight, ...this.#unanswered()] : this.ctx.state.heldAs('provider').values();
      this.#walkedHeld = true;
    }
    const releases = new Map<string, { peer: string; reason: ReleaseReason; ids: string[] }>(); // by requester and reason
    for (const assignment of walked) {
      const { assignment_id: id, requester_peer: requester } = assignment.acceptance;
      if (this.#execution.has(id) || this.#held.has(id)) continue;
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
    if (everything) this.#held.ask(nowMs, connected);
  }

  /** Results I sent that have had no answer yet; what was sent and has closed is forgotten here. */
  #unanswered(): AssignmentRecord[] {
    const unanswered: AssignmentRecord[] = [];
    for (const id of this.#lastSent.keys()) {
      const assignment = this.ctx.state.assignments.get(id);
      if (assignment?.escrow !== 'held') this.#forget(id);
      else if (assignment.result) unanswered.push(assignment); // a hand-back's assignment is in flight, walked anyway
    }
    return unanswered;
  }

  /** Its escrow closed: nothing of it is sent or asked about again. */
  #forget(assignmentId: string): void {
    this.#lastSent.delete(assignmentId);
    this.#toRelease.delete(assignmentId);
    this.#held.forget(assignmentId);
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
    const requesterOf = (id: string) => this.ctx.state.assignments.get(id)?.acceptance.requester_peer;
    const byRequester = Map.groupBy(
      queued.filter((id) => requesterOf(id) !== undefined),
      (id) => requesterOf(id)!,
    );
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

  /** Sends my result of the assignment: `fresh`, just computed, or the one journaled. */
  #sendResult(assignmentId: string, fresh?: WorkResult): Promise<void> {
    const assignment = this.ctx.state.assignments.get(assignmentId);
    if (!assignment || !(fresh ?? assignment.result)) return Promise.resolve();
    this.#lastSent.set(assignmentId, this.ctx.now());
    return this.#outbox.send(assignment.acceptance.requester_peer, assignmentId, fresh);
  }

  /**
   * How a requester closed my assignments: each entry checked against my own escrow, then
   * journaled. A refund as rejected of a result I returned needs the requester's own verdict
   * against it, and a result it said it holds cannot be refunded as cancelled or late
   * (settlement-intake.ts): such a refund is not journaled (the escrow stays held and owed), a
   * penalty is, and the requester gets no more work from me (admission.ts).
   */
  async applySettlement(from: string, { entries, receipts, held }: MessageBody<'settlement'>): Promise<void> {
    const { state } = this.ctx;
    for (const id of held ?? [])
      if (state.assignments.get(id)?.acceptance.requester_peer === from) {
        this.#held.held(id, from, this.ctx.now());
        this.#lastSent.delete(id); // answered: asked about from now on (HeldResults)
      }
    const mine = entriesForMe(state, this.ctx.me, from, entries, (a) =>
      this.ctx.circles.workerSharesSince(circleOf(state, a), Date.parse(a.acceptance.timestamp)),
    );
    const unbacked = await unbackedRefunds(state, from, mine, receipts);
    const heldRefunded = refundedHeld(mine, (id) => this.#held.since(id));
    const underpaid = underpaidSettles(state, mine);
    const refused = new Set([...unbacked, ...heldRefunded, ...underpaid]);
    const events: NewEvent[] = mine
      .filter((entry) => !refused.has(entry.assignment_id))
      .map((entry) => ({ type: 'ledger.entry', event_id: `ledger/${entry.entry_id}`, entry }));
    for (const signed of receipts) {
      const checked = await verifyCheckedReceipt(signed);
      if (checked.ok && checked.receipt.author === from)
        events.push({
          type: 'receipt.stored',
          event_id: `receipt/${checked.cid}`,
          cid: checked.cid,
          receipt: checked.receipt,
          sig: signed.sig,
        });
    }
    for (const id of new Set([...unbacked, ...heldRefunded]))
      events.push({ type: 'peer.penalized', event_id: `false-refund/${id}`, peer_id: from, reason: FALSE_REFUND });
    for (const id of underpaid)
      events.push({ type: 'peer.penalized', event_id: `underpaid/${id}`, peer_id: from, reason: UNDERPAID });
    if (events.length === 0) return;
    await this.ctx.record(events);
    for (const id of unbacked)
      this.#reportFalseRefund(from, id, 'refunded my result as rejected without a verdict against it');
    for (const id of heldRefunded)
      this.#reportFalseRefund(from, id, 'refunded my result that it said it holds as cancelled or late');
    for (const id of underpaid) this.#reportFalseRefund(from, id, 'paid my result less than its fuel costs');
    for (const entry of entries.filter((e) => e.kind !== 'escrow'))
      if (state.assignments.get(entry.assignment_id)?.escrow !== 'held') {
        this.#execution.drop(entry.assignment_id);
        this.#forget(entry.assignment_id);
      }
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
