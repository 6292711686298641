// Acceptances delivered to their providers (requester side): with the small inputs they need
// inline, and what a provider refused (its policies, my credit with it) or never heard (it is
// unreachable) refunded at once, so its units are offered again; what a provider has not answered
// since I started is sent again when it connects.
import { chunks } from '../../../core/chunks.js';
import { acceptedOffersOf, MAX_INLINE_BYTES_PER_MESSAGE, type MessageBody } from '../../../core/protocol/messages.js';
import type { Acceptance } from '../../../core/schemas/index.js';
import type { NewEvent, NodeContext } from '../context/node-context.js';
import { InlineBudget } from '../context/inline-blobs.js';
import { refundEvent } from '../settlement/ledger-events.js';
import { userUnits } from '../context/unit-events.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type AcceptanceDeliveryNeeds = Pick<
  NodeContext,
  'background' | 'blobs' | 'commitmentChanged' | 'emit' | 'log' | 'now' | 'record' | 'send' | 'state'
>;

/**
 * Acceptances journaled in one step here, and sent in one message, at most: a round of tiny units
 * takes a provider's whole pipeline (up to 3,000), and a step of 1,000 holds the main thread of each
 * side 60–110 ms (CPU profiles of `mesh_tiny`); a step of this many, about a quarter of that.
 */
export const ACCEPTANCES_PER_STEP = 250;

export class AcceptanceDelivery {
  /** When an acceptance last failed to reach each provider, or was refused by it: its offers from before then are ignored. */
  readonly #unreachableSince = new Map<string, number>();
  /** Acceptances a provider has answered since I started: the others are sent again when it connects. */
  readonly #answered = new Set<string>();

  constructor(
    private readonly ctx: AcceptanceDeliveryNeeds,
    /** Units were refunded: an acceptance round soon, for their offers from others. */
    private readonly acceptSoon: () => void,
  ) {}

  /** When an acceptance of mine last failed to reach `provider` or was refused by it (0: never). */
  unreachableSince(provider: string): number {
    return this.#unreachableSince.get(provider) ?? 0;
  }

  /**
   * A provider connected: my acceptances it holds no answer to from me since I started (journaled
   * just before a crash, say) are sent again. One it had journaled is answered as accepted.
   */
  resend(provider: string): void {
    const { state } = this.ctx;
    for (const id of this.#answered) if (state.assignments.get(id)?.escrow !== 'held') this.#answered.delete(id);
    const owed: Acceptance[] = [];
    for (const { acceptance } of state.inFlightAs('requester').values())
      if (acceptance.provider_peer === provider && !this.#answered.has(acceptance.assignment_id)) owed.push(acceptance);
    for (const step of chunks(owed, ACCEPTANCES_PER_STEP))
      this.ctx.background(`sending acceptances again to ${provider}`, this.deliver(provider, step));
  }

  async deliver(provider: string, acceptances: Acceptance[]): Promise<void> {
    const reply = await this.ctx.send(provider, 'acceptances', {
      acceptances: acceptedOffersOf(acceptances),
      inline: this.#smallInputs(acceptances),
    });
    if (reply?.type === 'accepted') for (const { assignment_id } of acceptances) this.#answered.add(assignment_id);
    // Unreachable: take them back now rather than at their deadline. Had it journaled them after
    // all, its result gets this refund in reply, so nobody is paid twice. Refused (its policies,
    // my credit with it): take them back, and say why. Either way its other offers wait until
    // they lapse, so they do not draw the units straight back.
    const refused: Map<string, string | undefined> =
      reply?.type === 'accepted'
        ? new Map((reply.body as MessageBody<'accepted'>).refused.map((r) => [r.assignment_id, r.reason]))
        : new Map(acceptances.map((acceptance) => [acceptance.assignment_id, undefined]));
    if (refused.size > 0) this.#unreachableSince.set(provider, this.ctx.now());
    const events: NewEvent[] = [];
    const reasons = new Set<string>();
    for (const acceptance of acceptances) {
      const id = acceptance.assignment_id;
      if (!refused.has(id)) continue;
      const reason = refused.get(id);
      if (reason !== undefined) {
        events.push({ type: 'acceptance.refused', event_id: `refused/${id}`, assignment_id: id, reason });
        reasons.add(reason);
      }
      events.push(refundEvent(this.ctx.now(), id, 'failed'));
    }
    if (events.length === 0) return;
    await this.ctx.record(events);
    for (const acceptance of acceptances) {
      const reason = refused.get(acceptance.assignment_id);
      if (reason !== undefined)
        this.ctx.emit('unit.refused', {
          job_id: acceptance.job_id,
          ...userUnits(this.ctx.state, acceptance.unit_id),
          provider,
          reason,
        });
    }
    for (const reason of reasons) this.ctx.log(`${provider} refused units: ${reason}`);
    this.ctx.commitmentChanged();
    this.acceptSoon();
  }

  /**
   * The inputs of these units small enough to travel with their acceptances, each once: a render
   * job's tiles of a frame share its scene, which would otherwise go (and be checked) once per tile.
   */
  #smallInputs(acceptances: Acceptance[]): { cid: string; base64: string }[] {
    const budget = new InlineBudget(this.ctx.blobs, MAX_INLINE_BYTES_PER_MESSAGE);
    const inline = new Set<string>();
    return acceptances.flatMap(({ unit_id }) => {
      const cid = this.ctx.state.units.get(unit_id)?.unit.input_cid;
      if (cid === undefined || inline.has(cid)) return [];
      inline.add(cid);
      const base64 = budget.take(cid);
      return base64 === undefined ? [] : [{ cid, base64 }];
    });
  }
}
