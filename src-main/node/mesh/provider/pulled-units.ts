// The units a provider pulled from requesters beyond those their commitments list (a commitment
// lists a few open units of each job and how many it has open). After each round, a job I can run
// (I offered for or hold one of its units, or was assigned one I pulled) whose listed and pulled
// units are all taken by me gets pulled again, as many as my pipeline with its requester has room
// for, one pull per requester at a time. Pulled units join their job's listed ones in what my
// rounds see, until I am assigned them: a round then looks at the few units still open, not at
// every unit of the last OFFER_TTL_MS (at 50 tiles a second, hundreds).
import { unitsOf, type MessageBody } from '../../../core/protocol/messages.js';
import { OFFER_TTL_MS, unitKey } from '../../../core/scheduler/index.js';
import type { ComputeCommitment, Offer, WorkUnit } from '../../../core/schemas/index.js';
import type { NodeContext } from '../context/node-context.js';
import { holdsUnit } from './open-work.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type PulledUnitsNeeds = Pick<NodeContext, 'background' | 'commitments' | 'now' | 'send' | 'state'>;

/** The most units one pull asks for (the `pull` message's own bound). */
const MAX_PULL = 1000;

export class PulledUnits {
  /** By requester: unit id → the unit, and when it came. Dropped after OFFER_TTL_MS (offered by then, or not wanted). */
  readonly #pulled = new Map<string, Map<string, { unit: WorkUnit; at: number }>>();
  /** Requesters a pull is on its way to. */
  readonly #pulling = new Set<string>();
  /** Jobs whose last pull came back empty, by requester: not pulled again until its next commitment. */
  readonly #drained = new Map<string, Set<string>>();
  /** Jobs I was assigned a pulled unit of, by requester: I can run them, though those units left the view. */
  readonly #assignedJobs = new Map<string, Set<string>>();

  constructor(
    private readonly ctx: PulledUnitsNeeds,
    /** A pulled unit, for what looks units up by key (acceptances, open work). */
    private readonly remember: (requester: string, unit: WorkUnit) => void,
    /** Units came: another round. */
    private readonly roundSoon: () => void,
  ) {}

  /** Its author's commitment came: its jobs may be pulled again. */
  onCommitment(requester: string): void {
    this.#drained.delete(requester);
  }

  /** The commitments I follow, each job's pulled units (fresh ones) after its listed ones. */
  view(nowMs: number): ComputeCommitment[] {
    for (const requester of this.#pulled.keys())
      if (!this.ctx.commitments.has(requester)) this.#pulled.delete(requester); // unfollowed
    for (const [requester, jobs] of this.#assignedJobs) {
      const listed = new Set(this.ctx.commitments.get(requester)?.work_requests.map((request) => request.job_id));
      for (const jobId of jobs) if (!listed.has(jobId)) jobs.delete(jobId); // done, or unfollowed
      if (jobs.size === 0) this.#assignedJobs.delete(requester);
    }
    return [...this.ctx.commitments.values()].map((commitment) => {
      const pulled = this.#pulled.get(commitment.peer_id);
      if (!pulled) return commitment;
      for (const [id, { unit, at }] of pulled) {
        if (nowMs - at >= OFFER_TTL_MS) pulled.delete(id);
        else if (holdsUnit(this.ctx.state, commitment.peer_id, id)) {
          pulled.delete(id);
          const jobs = this.#assignedJobs.get(commitment.peer_id) ?? new Set();
          this.#assignedJobs.set(commitment.peer_id, jobs.add(unit.job_id));
        }
      }
      if (pulled.size === 0) this.#pulled.delete(commitment.peer_id);
      const work_requests = commitment.work_requests.map((request) => {
        const listed = new Set(request.work_units.map((unit) => unit.unit_id));
        const extra: WorkUnit[] = [];
        for (const { unit } of pulled.values())
          if (unit.job_id === request.job_id && !listed.has(unit.unit_id)) extra.push(unit);
        return extra.length === 0 ? request : { ...request, work_units: [...request.work_units, ...extra] };
      });
      return { ...commitment, work_requests };
    });
  }

  /**
   * After a round over `view`: for each requester with room, the first job that wants pulling.
   * `taken` are the unit keys I hold or have offered for (this round's offers in `made`).
   */
  pullMore(
    view: readonly ComputeCommitment[],
    taken: ReadonlySet<string>,
    made: readonly Offer[],
    room: (requester: string) => number,
  ): void {
    const offered = new Set(made.map((offer) => unitKey(offer.requester_peer, offer.unit_id)));
    const mine = (requester: string, unit: WorkUnit) => {
      const key = unitKey(requester, unit.unit_id);
      return taken.has(key) || offered.has(key);
    };
    for (const commitment of view) {
      const requester = commitment.peer_id;
      if (this.#pulling.has(requester)) continue;
      const wants = commitment.work_requests.find(
        (request) =>
          (request.open_units ?? 0) > 0 &&
          !this.#drained.get(requester)?.has(request.job_id) &&
          (request.work_units.some((unit) => mine(requester, unit)) ||
            this.#assignedJobs.get(requester)?.has(request.job_id) === true) &&
          request.work_units.every((unit) => mine(requester, unit)),
      );
      const max = Math.min(MAX_PULL, room(requester) - made.filter((o) => o.requester_peer === requester).length);
      if (wants && max > 0) this.#pull(requester, wants.job_id, max);
    }
  }

  #pull(requester: string, jobId: string, max: number): void {
    this.#pulling.add(requester);
    this.ctx.background(
      `pulling units of ${jobId}`,
      (async () => {
        const reply = await this.ctx.send(requester, 'pull', { job_id: jobId, max }); // never throws
        this.#pulling.delete(requester);
        if (reply?.type !== 'units') return;
        const units = unitsOf((reply.body as MessageBody<'units'>).groups)
          .filter((unit) => unit.job_id === jobId)
          .slice(0, max);
        if (units.length === 0) {
          this.#drained.set(requester, (this.#drained.get(requester) ?? new Set()).add(jobId));
          return;
        }
        let pulled = this.#pulled.get(requester);
        if (!pulled) this.#pulled.set(requester, (pulled = new Map()));
        const at = this.ctx.now();
        for (const unit of units) {
          pulled.set(unit.unit_id, { unit, at });
          this.remember(requester, unit);
        }
        this.roundSoon();
      })(),
    );
  }
}
