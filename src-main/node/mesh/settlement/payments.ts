// The requester's payments for its verdicts: agreeing results settled at their price, with the
// verifier shares of those that verified them; results accepted unchecked held until their job
// completes (a later conviction can still refund them), each holding only its price from then on,
// then paid a thousand units a step; and the settlement messages that tell each provider how its
// assignments closed.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { chunks } from '../../../core/chunks.js';
import { verifierRewards, type PaidResult } from '../../../core/ledger/index.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import type { MessageBody } from '../../../core/protocol/messages.js';
import type { Closing } from '../../journal/ledger-reads.js';
import type { NewEvent, NodeContext } from '../context/node-context.js';
import { KeyedQueue } from '../basics/keyed-queue.js';
import { Backoff } from '../basics/backoff.js';
import { ReceiptRoom } from './outgoing-receipts.js';
import { heldOf } from '../../../core/mesh/state/records.js';
import { releaseEvent, rewardEvent, settleEvent } from './ledger-events.js';
import { isProvisional, priceOf, splitOf } from './pricing.js';
import { MAX_SETTLEMENT_RECEIPT_BYTES, settlementsFor } from './settlement-messages.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type PaymentsNeeds = Pick<NodeContext, 'background' | 'circles' | 'now' | 'record' | 'send' | 'signal' | 'state'>;

/** Units whose held results one step pays at a job's completion: one transaction each, a few tens of ms. */
const HELD_PAID_PER_STEP = 1000;

/** Held assignments looked at on one turn of the event loop when a job completes: a few ms. */
const HELD_WALKED_PER_TURN = 5000;

/** Assignments one settlement message closes: two entries each stay within its caps (receipts split it further). */
const SETTLEMENT_CHUNK = 300;

/** Settlements to one provider awaiting its reply at once: enough to keep the connection busy. */
const SETTLEMENTS_IN_FLIGHT = 4;

/** Sends of a settlement its provider did not take, the pause between them doubling from the first. */
const SETTLEMENT_TRIES = 5;
const FIRST_RETRY_MS = 1000;

/** How `provider`'s assignments of mine that my state no longer holds closed (LedgerReads.closings). */
export type ClosedEarlier = (provider: string, assignmentIds: readonly string[]) => Closing[];

export class Payments {
  /** Jobs whose held results are being paid: the verdicts that close last each see the job complete. */
  readonly #settling = new KeyedQueue();
  /** Assignments to tell each provider about at the end of this turn. */
  readonly #toTell = new Map<string, string[]>();

  constructor(
    private readonly ctx: PaymentsNeeds,
    /** How assignments no longer in my state (a compacted job's) closed, from the journal's ledger. */
    private readonly closedEarlier: ClosedEarlier = () => [],
  ) {}

  /** Resolves once the payments of held results under way have ended. */
  async stop(): Promise<void> {
    await this.#settling.settled();
  }

  /**
   * The job is complete: the results accepted unchecked are paid now. Returns the providers told
   * (each gets one settlement for all of its assignments in the job). One at a time per job: the
   * next finds them paid, where running together each would pay (and tell) them all again.
   */
  settleHeld(jobId: string): Promise<string[]> {
    return this.#settling.run(jobId, () => this.#settleHeldNow(jobId));
  }

  async #settleHeldNow(jobId: string): Promise<string[]> {
    const { state } = this.ctx;
    const job = state.jobs.get(jobId);
    if (!job?.completedAt) return [];
    // The job's held escrows, by unit (not every unit of the job: a million-unit job has few held).
    // Not active once its provider is convicted: the conviction refunds it.
    const payable = (assignment: AssignmentRecord): boolean =>
      isProvisional(state, assignment) && !state.checks.isConvicted(assignment.acceptance.provider_peer);
    const byUnit = new Map<string, AssignmentRecord[]>();
    let walked = 0;
    for (const assignment of state.heldAs('requester').values()) {
      // A turn of the event loop every so many: in one, a 100,000-unit job's held results take ~400 ms.
      if (++walked % HELD_WALKED_PER_TURN === 0) await nextTurn();
      const { acceptance } = assignment;
      if (acceptance.job_id !== jobId || !payable(assignment)) continue;
      const held = byUnit.get(acceptance.unit_id);
      if (held) held.push(assignment);
      else byUnit.set(acceptance.unit_id, [assignment]);
    }
    const units = [...byUnit];
    if (units.length === 0) return [];
    // A step, and its transaction, a thousand units at a time: the main thread turns between them
    // (a 100,000-unit job's ~92,000 in one step hold it for seconds). What changed meanwhile (a
    // conviction) is asked again; a crash between steps leaves the rest held, for resume().
    for (const step of chunks(units, HELD_PAID_PER_STEP))
      await this.ctx.record(step.flatMap(([unitId, held]) => this.pay(unitId, held.filter(payable))));
    return this.tellAll([...byUnit.values()].flat());
  }

  /**
   * Settles agreeing results of one unit, and pays their verifier shares: replicas that agreed
   * verified each other, and my own run, if I made one, verified them all.
   */
  pay(unitId: string, agreeing: readonly AssignmentRecord[], agreeingResults?: readonly string[]): NewEvent[] {
    const now = this.ctx.now();
    const paid: PaidResult[] = agreeing.map((assignment) => ({
      assignment_id: assignment.acceptance.assignment_id,
      worker: assignment.acceptance.provider_peer,
      amount: priceOf(this.ctx.state, assignment, agreeingResults),
    }));
    if (agreeing[0] === undefined) return [];
    const split = splitOf(this.ctx, agreeing[0]); // one unit: one job, one circle
    return [
      ...agreeing.map((assignment, i) => settleEvent(assignment, paid[i]!.amount, now, split.worker_bps)),
      ...verifierRewards(paid, this.ctx.state.checks.truths.has(unitId), split).map((r) => rewardEvent(r, now)),
    ];
  }

  /**
   * Results accepted unchecked, `agreeing` with their unit's verdict: each keeps held until its job
   * completes only what it will be paid then (billed by fuel, its fuel's price, under the offer's
   * cap), the rest of its escrow released to the job (core/schemas/ledger.ts, `release`).
   */
  hold(held: readonly AssignmentRecord[], agreeing: readonly string[]): NewEvent[] {
    return held.flatMap((assignment) => {
      const price = priceOf(this.ctx.state, assignment, agreeing);
      return price < heldOf(assignment) ? [releaseEvent(assignment, price, this.ctx.now())] : [];
    });
  }

  /**
   * The settlement that answers a provider's message about these assignments; what does not fit
   * in it (receipts past its room) follows in messages of its own. `compacted`: assignments it
   * named that my state no longer has, answered from the journal (a message names at most
   * MAX_RESULTS_PER_MESSAGE, two entries each: within the settlement's cap with the others').
   */
  reply(
    provider: string,
    assignmentIds: readonly string[],
    compacted: readonly string[] = [],
  ): MessageBody<'settlement'> {
    const [reply, ...rest] = settlementsFor(this.ctx.state, assignmentIds);
    for (const settlement of rest) this.ctx.background('sending a settlement', this.#deliver(provider, settlement));
    if (compacted.length === 0) return reply!;
    // The verdicts behind refunds as rejected share the message's room for receipts: one that finds
    // none is left out, with its entry, and answered when its provider asks again.
    const room = new ReceiptRoom(MAX_SETTLEMENT_RECEIPT_BYTES - JSON.stringify(reply!.receipts).length);
    const entries = [...reply!.entries];
    for (const closing of this.closedEarlier(provider, compacted))
      if (!closing.rejectedBy || room.take(closing.rejectedBy)) entries.push(...closing.entries);
    return { ...reply!, entries, receipts: [...reply!.receipts, ...room.list()] };
  }

  /**
   * Tells each provider how these assignments closed: one settlement a provider (in chunks), not
   * one an assignment (a cancel or a restart past the deadlines closes them by the hundred).
   * Returns the providers told.
   */
  tellAll(assignments: Iterable<AssignmentRecord>): string[] {
    const byProvider = new Map<string, string[]>();
    for (const { acceptance } of assignments) {
      const ids = byProvider.get(acceptance.provider_peer);
      if (ids) ids.push(acceptance.assignment_id);
      else byProvider.set(acceptance.provider_peer, [acceptance.assignment_id]);
    }
    for (const [provider, ids] of byProvider) this.tell(provider, ids);
    return [...byProvider.keys()];
  }

  /**
   * Tells the provider at the end of this turn, with whatever else it is told in it: the units of
   * a `results` message are decided together, and with redundancy 2 each told the other provider
   * on it in a settlement of its own (a message and a journal step of the provider's a unit).
   */
  tell(provider: string, assignmentIds: readonly string[]): void {
    const pending = this.#toTell.get(provider);
    if (pending) {
      pending.push(...assignmentIds);
      return;
    }
    const ids = [...assignmentIds];
    this.#toTell.set(provider, ids);
    const told = nextTurn().then(() => {
      this.#toTell.delete(provider);
      return this.#tell(provider, ids);
    });
    this.ctx.background(`telling ${provider} of its settlements`, told);
  }

  /**
   * A job's held results are paid all at once when it completes: in messages the schema admits,
   * each sealed on a turn of its own (a 100,000-unit job's 334, sealed in one, hold the main
   * thread for two seconds), and a few at a time: sent all at once, those the provider cannot
   * take within the send's 10 s are lost (refused `busy`, or timed out in the queue), and the
   * provider is left asking for them a batch at a time. The first is sent
   * before this returns.
   */
  async #tell(provider: string, assignmentIds: readonly string[]): Promise<void> {
    const sending = new Set<Promise<unknown>>();
    for (let i = 0; i < assignmentIds.length; i += SETTLEMENT_CHUNK) {
      if (i > 0) await nextTurn();
      for (const settlement of settlementsFor(this.ctx.state, assignmentIds.slice(i, i + SETTLEMENT_CHUNK))) {
        while (sending.size >= SETTLEMENTS_IN_FLIGHT) await Promise.race(sending);
        if (this.ctx.signal.aborted) return; // stopping: a provider not told asks again (held-results.ts)
        const sent = this.#deliver(provider, settlement).finally(() => sending.delete(sent));
        sending.add(sent);
      }
    }
    await Promise.all(sending);
  }

  /**
   * Sends a settlement until its provider takes it, a few tries apart. A job's completion pushes
   * its held results' settlements at once, and a provider refuses what passes its limit on one
   * peer's requests (`rate_limited`): not sent again, they would leave a 300,000-unit job's provider
   * holding 21,000, asking 128 at a time. Taking one twice is harmless: each entry is journaled once, by its id.
   */
  async #deliver(provider: string, settlement: MessageBody<'settlement'>): Promise<void> {
    const pause = new Backoff(FIRST_RETRY_MS);
    for (let tries = 1; ; tries++, pause.double()) {
      const reply = await this.ctx.send(provider, 'settlement', settlement);
      if (reply?.type === 'ack' || tries === SETTLEMENT_TRIES || this.ctx.signal.aborted) return;
      await sleep(pause.ms, undefined, { signal: this.ctx.signal }).catch(() => undefined); // stopping: asked again (held-results.ts)
    }
  }
}
