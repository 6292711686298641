// A requester's acceptances of my offers, judged one by one (provider side): each must match an
// open offer of mine and a unit the requester asked for, name a unit id that is not another's
// here, find sharing on, and pass admission (policies, credit). What passes becomes the events to
// journal; the rest goes back with its reason. The provider records, runs and answers.
import type { MessageBody } from '../../core/protocol/messages.js';
import type { Acceptance, Offer, WorkUnit } from '../../core/schemas/index.js';
import { Admission } from './admission.js';
import type { NewEvent, NodeContext } from './context.js';
import { acceptanceEvents, type Accepted } from './settlement.js';

export interface AcceptanceIntake {
  accepted: string[];
  refused: MessageBody<'accepted'>['refused'];
  events: NewEvent[];
  /** Input CIDs of the accepted units (an inline copy of these is kept). */
  wantedInputs: Set<string>;
  /** My offers whose acceptance admission refused. */
  refusedOffers: string[];
}

/**
 * Whether a unit id the requester chose is already another's here (one of my own jobs', or
 * assigned to me by another requester): its unit would run in place of the requester's.
 */
function unitIdTaken(ctx: Pick<NodeContext, 'state' | 'me'>, requester: string, unitId: string): boolean {
  if (ctx.state.units.get(unitId)?.requester === ctx.me) return true;
  return ctx.state.assignmentsOf(unitId).some((a) => a.acceptance.requester_peer !== requester);
}

export function judgeAcceptances(
  ctx: Pick<NodeContext, 'state' | 'me' | 'now' | 'commitments' | 'quota'>,
  from: string,
  acceptances: readonly Acceptance[],
  unitSeen: (unitId: string) => WorkUnit | undefined,
  /** My offer of that id, while an acceptance of it may come. */
  myOffer: (offerId: string) => Offer | undefined,
): AcceptanceIntake {
  const { state } = ctx;
  const admission = new Admission(state, ctx.now(), ctx.commitments, ctx.quota);
  const refusedOffers: string[] = [];
  const wantedInputs = new Set<string>();
  const accepted: string[] = [];
  const refused: MessageBody<'accepted'>['refused'] = [];
  const taken: Accepted[] = [];
  for (const acceptance of acceptances) {
    const offer = myOffer(acceptance.offer_id);
    const unit = unitSeen(acceptance.unit_id) ?? state.units.get(acceptance.unit_id)?.unit;
    const valid =
      offer &&
      unit &&
      acceptance.requester_peer === from &&
      acceptance.provider_peer === ctx.me &&
      acceptance.assignment_id === acceptance.offer_id &&
      offer.unit_id === acceptance.unit_id &&
      offer.job_id === acceptance.job_id &&
      offer.price === acceptance.price &&
      unit.job_id === acceptance.job_id;
    if (state.assignments.has(acceptance.assignment_id)) {
      accepted.push(acceptance.assignment_id); // re-delivered: already mine
      continue;
    }
    if (valid && unitIdTaken(ctx, from, acceptance.unit_id)) {
      refused.push({
        assignment_id: acceptance.assignment_id,
        reason: `unit id ${acceptance.unit_id} is another requester's`,
      });
      continue;
    }
    if (!valid || !state.sharing) {
      const reason = valid ? 'sharing is off' : 'no open offer of mine matches this acceptance';
      refused.push({ assignment_id: acceptance.assignment_id, reason });
      continue;
    }
    const reason = admission.admit(from, acceptance.price);
    if (reason !== undefined) {
      refused.push({ assignment_id: acceptance.assignment_id, reason });
      refusedOffers.push(acceptance.offer_id);
      continue;
    }
    accepted.push(acceptance.assignment_id);
    if (unit.input_cid) wantedInputs.add(unit.input_cid);
    // The requester polices its own job budget; the provider records the hold it was promised.
    // The offer is not journaled: the acceptance keeps its terms and the slot it took, and the unit, if new here.
    taken.push({
      acceptance,
      parties: { requester: from, worker: ctx.me },
      jobBudget: Number.MAX_SAFE_INTEGER,
      offer,
      ...(state.units.has(unit.unit_id) ? {} : { unit }),
    });
  }
  return { accepted, refused, events: acceptanceEvents(taken, 'with slot'), wantedInputs, refusedOffers };
}
