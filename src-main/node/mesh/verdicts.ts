// The requester's results and verdicts: each result checked against its assignment and receipt
// and journaled, then consensus over the unit's results (tiles verified by comparator after their
// spot-checks, tile-check.ts), settled or refunded, with a verification receipt, and the other
// providers on the unit told how their assignment closed.
import { decideConsensus, type Vote } from '../../core/consensus/index.js';
import type { MessageBody } from '../../core/protocol/messages.js';
import { MAX_REDUNDANCY } from '../../core/schemas/index.js';
import type { Executor } from '../exec/index.js';
import { verifyReceipt } from '../receipts/index.js';
import { iso, type NewEvent, type NodeContext } from './context.js';
import { KeyedQueue } from './keyed-queue.js';
import { refundEvent, settleEvent, settlementFor } from './settlement.js';
import { TileChecker } from './tile-check.js';

/** A unit whose outputs are not all fetched yet is decided again after this long. */
const DECIDE_AGAIN_MS = 5_000;

export class Verdicts {
  /** Extra replicas a unit asks for after results disagreed (recomputed from votes on restart). */
  readonly extra = new Map<string, number>();
  /** Units being decided: a second result arriving meanwhile waits for the first decision. */
  readonly #deciding = new KeyedQueue();
  readonly #tiles: TileChecker;
  readonly #later = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(
    private readonly ctx: NodeContext,
    executor: Executor,
    /** The provider's pipeline has room again: accept more offers. */
    private readonly acceptSoon: () => void,
    /** Called once a unit of mine has its verdict (render jobs fetch and assemble their tiles). */
    private readonly onVerdict?: (unitId: string) => Promise<void>,
  ) {
    this.#tiles = new TileChecker(ctx, executor);
  }

  /** No more decisions start; resolves when those under way have ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#later) clearTimeout(timer);
    this.#later.clear();
    await this.#deciding.settled();
  }

  /** A provider's result: checked against its assignment and receipt, journaled, then consensus. */
  async onResult(from: string, { result, receipt }: MessageBody<'result'>): Promise<MessageBody<'settlement'>> {
    const { state } = this.ctx;
    const assignment = state.assignments.get(result.assignment_id);
    const acceptance = assignment?.acceptance;
    if (
      !assignment ||
      !acceptance ||
      acceptance.requester_peer !== this.ctx.me ||
      acceptance.provider_peer !== from ||
      result.computed_by_peer !== from ||
      result.work_unit_id !== acceptance.unit_id
    ) {
      return { entries: [], receipts: [] };
    }
    if (assignment.escrow !== 'held' || assignment.result) return settlementFor(state, [acceptance.assignment_id]);
    const checked = await verifyReceipt(receipt);
    const r = receipt.receipt;
    if (
      !checked.ok ||
      r.kind !== 'execution' ||
      r.author !== from ||
      r.assignment_id !== acceptance.assignment_id ||
      r.output_cid !== result.output_cid ||
      r.verification_hash !== result.verification_hash
    ) {
      this.ctx.log(`result for ${acceptance.assignment_id} from ${from} has no matching receipt`);
      return { entries: [], receipts: [] };
    }
    await this.ctx.record([
      { type: 'result.recorded', event_id: `result/${result.result_id}`, result },
      { type: 'receipt.stored', event_id: `receipt/${checked.cid}`, cid: checked.cid, receipt: r, sig: receipt.sig },
    ]);
    this.ctx.emit('unit.finished', { job_id: acceptance.job_id, unit_id: acceptance.unit_id, provider: from });
    await this.decide(acceptance.unit_id, from);
    this.acceptSoon(); // the provider's pipeline has room again
    return settlementFor(state, [acceptance.assignment_id]);
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
    const votes: Vote[] = active.flatMap((assignment) =>
      assignment.result
        ? [
            {
              result_id: assignment.result.result_id,
              peer: assignment.acceptance.provider_peer,
              hash: assignment.result.verification_hash,
            },
          ]
        : [],
    );
    // Tiles that may come from a GPU agree within a tolerance, after their spot-checks (tile-check.ts).
    const byComparator = record.unit.verification?.kind === 'comparator' && votes.length > 0;
    const check = byComparator ? await this.#tiles.prepare(record.unit, active) : undefined;
    if (byComparator && !check) {
      this.#decideLater(unitId);
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
      this.extra.set(unitId, (this.extra.get(unitId) ?? 0) + decision.extraReplicas);
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
    for (const assignment of active) {
      if (assignment.escrow !== 'held') continue;
      events.push(
        assignment.result && agreeing.includes(assignment.result.result_id)
          ? settleEvent(assignment, this.ctx.now())
          : refundEvent(
              this.ctx.now(),
              assignment.acceptance.assignment_id,
              hash ? (assignment.result ? 'rejected' : 'cancelled') : 'failed',
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
      active.flatMap((assignment) => (assignment.result ? [assignment.result] : [])),
    );
    const job = state.jobs.get(record.unit.job_id)!;
    this.ctx.emit(hash ? 'unit.verified' : 'unit.failed', { job_id: job.job.job_id, unit_id: unitId, hash });
    if (decision.status === 'verified')
      for (const peer of decision.dissenting)
        this.ctx.emit('peer.caught_lying', { peer, job_id: job.job.job_id, unit_id: unitId });
    if (job.completedAt && !job.job.render) this.ctx.emit('job.completed', { job_id: job.job.job_id }); // a render job's, once its frames are assembled
    if (this.onVerdict) this.ctx.background(`after the verdict on ${unitId}`, this.onVerdict(unitId));
    // Tell the other providers on the unit how their assignment closed (the replying one hears in its reply).
    for (const assignment of active) {
      if (assignment.acceptance.provider_peer === replyingTo) continue;
      this.ctx.background(
        'sending a settlement',
        this.ctx.send(
          assignment.acceptance.provider_peer,
          'settlement',
          settlementFor(state, [assignment.acceptance.assignment_id]),
        ),
      );
    }
  }

  #decideLater(unitId: string): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#later.delete(timer);
      this.ctx.background(`deciding ${unitId}`, this.decide(unitId));
    }, DECIDE_AGAIN_MS);
    timer.unref();
    this.#later.add(timer);
  }
}
