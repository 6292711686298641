// Data locality on the requester's side (docs/PROTOCOL.md, step 5; docs/WORKFLOWS.md): who holds
// which of my blobs (core/scheduler/holdings.ts), noted as units are accepted; the share of a
// unit's data an offering provider holds, which its offer's score counts; and units that wait, at
// most LOCALITY_WAIT_MS, for a holder with room (delay scheduling).
import type { Holdings } from '../../../core/scheduler/index.js';
import type { WorkUnit } from '../../../core/schemas/index.js';
import { isStepJob } from '../../../core/workflow/facts.js';
import type { NodeContext } from '../context/node-context.js';

/**
 * How long a unit waits for a provider holding its data before it goes to any other (delay
 * scheduling; Spark's spark.locality.wait is 3 s): a busy holder offers again as its units end.
 */
const LOCALITY_WAIT_MS = 2000;

/**
 * Data locality is for a workflow's steps: a step's units over an earlier step's outputs, or over
 * the files another step read. A render's or a Blender job's units share their frame's scene
 * instead: it crosses once to each provider, and a unit that waited for the one holding it would
 * only serialise the frame's tiles.
 */
const localityFor = (kinds: NodeContext['kinds'], unit: WorkUnit): boolean =>
  isStepJob(unit.job_id) && kinds.of(unit.algorithm_id)?.spec.dataLocality === true;

export class DataLocality {
  /** Units waiting for a provider that holds their data, since when. */
  readonly #waiting = new Map<string, number>();
  /** The round that ends their wait. */
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: Pick<NodeContext, 'blobs' | 'commitments' | 'kinds' | 'now' | 'state'>,
    private readonly holdings: Holdings,
    /** An acceptance round soon: a wait has ended. */
    private readonly roundSoon: () => void,
  ) {}

  /** The share of the unit's data `peer` holds, in [0, 1]. */
  share(peer: string, unit: WorkUnit): number {
    return localityFor(this.ctx.kinds, unit) ? this.holdings.share(peer, unit) : 0;
  }

  /** The provider will hold the unit's input and files once it runs it (it keeps recent inputs). */
  willHold(peer: string, unit: WorkUnit): void {
    this.#waiting.delete(unit.unit_id);
    if (!localityFor(this.ctx.kinds, unit)) return;
    for (const cid of [unit.input_cid, unit.required_dataset]) {
      if (cid === undefined) continue;
      const bytes = this.holdings.bytesOf(cid) ?? this.ctx.blobs.size(cid);
      if (bytes !== undefined) this.holdings.note(peer, cid, bytes);
    }
  }

  /**
   * Whether the unit waits this round: a provider holding its data and not on the unit already
   * (`taken`) offers compute (its commitment has slots: it offers again as its units end), and
   * the unit has waited less than LOCALITY_WAIT_MS.
   */
  awaitLocal(unit: WorkUnit, taken: readonly string[]): boolean {
    if (!localityFor(this.ctx.kinds, unit)) return false;
    const { state, commitments } = this.ctx;
    const holderOffering = this.holdings
      .holders(unit)
      .some(
        (peer) =>
          !taken.includes(peer) &&
          (commitments.get(peer)?.availability_slots.length ?? 0) > 0 &&
          !state.checks.isConvicted(peer),
      );
    const nowMs = this.ctx.now();
    const since = this.#waiting.get(unit.unit_id) ?? nowMs;
    if (!holderOffering || nowMs - since >= LOCALITY_WAIT_MS) {
      this.#waiting.delete(unit.unit_id);
      return false;
    }
    this.#waiting.set(unit.unit_id, since);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      // Units accepted meanwhile (or gone) wait no more.
      for (const [id, at] of this.#waiting) if (this.ctx.now() - at >= LOCALITY_WAIT_MS) this.#waiting.delete(id);
      this.roundSoon();
    }, LOCALITY_WAIT_MS).unref();
    return true;
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
