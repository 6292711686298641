// A unit of mine is verified only once its output is in my own store, hash-checked: a provider
// that goes away after the verdict then costs me nothing. Small outputs come inline with their
// results and wait here, in memory, for the verdict (only what passed is stored); larger ones are
// fetched from the agreeing providers before the verdict is journaled.
import { DEFAULT_LIMITS } from '../../exec/index.js';
import { describeError } from '../../../core/errors.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import { cidOfBytes } from '../../blobs/cid.js';
import { BytesByCid } from '../basics/bytes-by-cid.js';
import { blobFromHolders, type NodeContext } from '../context/node-context.js';
import { refundEvent } from '../settlement/ledger-events.js';
import { settlementFor } from '../settlement/settlement-messages.js';
import { agreedFailure, failedInPack } from '../units/unit-run.js';
import { unpackOutput } from '../units/pack-outputs.js';
import type { WorkUnit } from '../../../core/schemas/index.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type VerifiedOutputsNeeds = Pick<
  NodeContext,
  'background' | 'blobs' | 'commitmentChanged' | 'fetchBlob' | 'log' | 'now' | 'record' | 'send' | 'signal' | 'state'
>;

/** Inline outputs held in memory until their verdicts, in all. */
const MAX_WAITING_BYTES = 32 << 20;
/** Tries to have a verified output before its results are taken for unable to deliver it. */
const ATTEMPTS = 3;

export type Kept = 'kept' | 'retry' | 'unavailable';

export class VerifiedOutputs {
  /** Inline outputs by CID (checked against it); past the cap the oldest go (fetched instead). */
  readonly #waiting = new BytesByCid(MAX_WAITING_BYTES);
  /** Failed tries to have each unit's output. */
  readonly #misses = new Map<string, number>();
  constructor(private readonly ctx: VerifiedOutputsNeeds) {}

  /**
   * An output that came inline with a result: kept until the verdict when it hashes to the result's
   * output CID (not looked for in my store first: a disk lookup per result, for what is rarely there).
   */
  offer(outputCid: string, base64: string | undefined): void {
    if (base64 === undefined || this.#waiting.has(outputCid)) return;
    const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
    if (cidOfBytes(bytes) !== outputCid) return; // not what the result promised: fetched by CID instead
    this.#waiting.put(outputCid, bytes);
  }

  /**
   * Before a unit is verified as `hash`: its output put in my store (an agreed failure has none to
   * keep). `retry`: decide again later. `unavailable`: no provider with it could send it after
   * all tries, so their results are refunded as failed (the unit goes to other workers).
   */
  async ensure(unitId: string, hash: string, active: readonly AssignmentRecord[]): Promise<Kept> {
    if (agreedFailure(hash)) return 'kept';
    const holding = active.filter((a) => a.escrow === 'held' && a.result?.output_cid === hash);
    // No more than the agreeing results declared, as `jobs.output` fetches (and no executor makes more).
    const declared = Math.max(0, ...holding.map((a) => a.result!.output_bytes));
    const kept = await this.keep(
      unitId,
      hash,
      holding.map((a) => a.acceptance.provider_peer),
      Math.min(declared, DEFAULT_LIMITS.maxOutputBytes),
    );
    if (kept !== 'unavailable') return kept;
    this.ctx.log(`the output of ${unitId} could not be had from any provider of it: its results are refunded`);
    await this.ctx.record(holding.map((a) => refundEvent(this.ctx.now(), a.acceptance.assignment_id, 'failed')));
    for (const a of holding)
      this.ctx.background(
        'sending a settlement',
        this.ctx.send(
          a.acceptance.provider_peer,
          'settlement',
          settlementFor(this.ctx.state, [a.acceptance.assignment_id]),
        ),
      );
    this.ctx.commitmentChanged();
    return kept;
  }

  /**
   * Has the verified output `cid` of the unit put in my store: from what came inline, else from
   * the providers whose results carry it. `retry` while a try is left, then `unavailable`.
   */
  private async keep(unitId: string, cid: string, holders: readonly string[], cap: number): Promise<Kept> {
    const inline = this.#waiting.get(cid);
    let stored = false;
    try {
      if (inline) {
        await this.ctx.blobs.putVerified(cid, inline);
        stored = true;
      }
    } catch (err) {
      this.ctx.log(`keeping the output ${cid}: ${describeError(err)}`);
    }
    if (stored || this.ctx.blobs.has(cid) || (await blobFromHolders(this.ctx, cid, holders, cap))) {
      this.#misses.delete(unitId);
      this.#waiting.delete(cid);
      return 'kept';
    }
    const misses = (this.#misses.get(unitId) ?? 0) + 1;
    if (misses < ATTEMPTS) {
      this.#misses.set(unitId, misses);
      return 'retry';
    }
    this.#misses.delete(unitId);
    return 'unavailable';
  }

  /**
   * Of a verified pack, from its output in my store (ensure put it there): its units whose outputs
   * are deterministic failures, or `misshapen` when the output is not one entry a unit of its input
   * (as its runner splits it: unpackInput). A unit that is no pack, or a pack failed whole (its
   * output a failure), has none failed apart.
   */
  packOutcome(unit: WorkUnit, hash: string): number | 'misshapen' {
    const chunkBytes = unit.pack_chunk_bytes;
    if (chunkBytes === undefined || agreedFailure(hash)) return 0;
    // Decoded here, not kept: a pack is decided once (the API's reads keep their own, PackOutputs).
    const bytes = this.ctx.blobs.get(hash);
    const outputs = bytes && unpackOutput(bytes);
    const inputBytes = unit.input_cid === undefined ? 0 : this.ctx.blobs.size(unit.input_cid);
    const units = inputBytes === undefined ? undefined : Math.max(1, Math.ceil(inputBytes / chunkBytes));
    if (!outputs || (units !== undefined && outputs.length !== units)) return 'misshapen';
    return failedInPack(outputs);
  }

  /** The unit was decided without this output (rejected, failed): what waited for it goes. */
  forget(cids: readonly string[]): void {
    for (const cid of cids) this.#waiting.delete(cid);
  }
}
