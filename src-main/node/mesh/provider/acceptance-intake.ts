// A requester's acceptances of my offers, judged one by one (provider side): each must name an
// open offer of mine to that requester, for a unit it asked me for whose id is not another's here,
// find sharing on, pass their kind's gate (its runtime's refusal: Blender's trust gate, node/kinds/blender) and admission (policies,
// credit). Each Acceptance is rebuilt from my offer
// (its unit, job and price), the requester and me, with the role, deadline and time the requester
// gave it. What passes becomes the events to journal; the rest goes back with its reason. The
// provider records, runs and answers.
import type { AcceptedOffers, MessageBody } from '../../../core/protocol/messages.js';
import type { Acceptance, Offer, WorkUnit } from '../../../core/schemas/index.js';
import { Admission } from './admission.js';
import type { NewEvent, NodeContext } from '../context/node-context.js';
import { acceptanceEvents, type Accepted } from '../settlement/ledger-events.js';

export interface AcceptanceIntake {
  accepted: string[];
  /** The acceptances taken: new ones as rebuilt, and those taken before (re-delivered) as journaled. */
  acceptances: Acceptance[];
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
  ctx: Pick<NodeContext, 'state' | 'me' | 'now' | 'commitments' | 'quota' | 'kinds'>,
  from: string,
  groups: readonly AcceptedOffers[],
  unitSeen: (unitId: string) => WorkUnit | undefined,
  /** My offer of that id, while an acceptance of it may come. */
  myOffer: (offerId: string) => Offer | undefined,
): AcceptanceIntake {
  const { state } = ctx;
  const admission = new Admission(state, ctx.now(), ctx.commitments, ctx.quota);
  const refusedOffers: string[] = [];
  const wantedInputs = new Set<string>();
  const accepted: string[] = [];
  const acceptances: Acceptance[] = [];
  const refused: MessageBody<'accepted'>['refused'] = [];
  const taken: Accepted[] = [];
  const named = new Set<string>();
  for (const { offer_ids, role, deadline, timestamp } of groups)
    for (const offerId of offer_ids) {
      if (named.has(offerId)) continue; // named twice in one message: judged once
      named.add(offerId);
      const before = state.assignments.get(offerId)?.acceptance;
      if (before?.requester_peer === from) {
        accepted.push(offerId); // re-delivered: already mine
        acceptances.push(before);
        continue;
      }
      const offer = before ? undefined : myOffer(offerId);
      const unit = offer && (unitSeen(offer.unit_id) ?? state.units.get(offer.unit_id)?.unit);
      if (!offer || !unit || offer.requester_peer !== from || unit.job_id !== offer.job_id) {
        refused.push({ assignment_id: offerId, reason: 'no open offer of mine matches this acceptance' });
        continue;
      }
      if (unitIdTaken(ctx, from, offer.unit_id)) {
        refused.push({ assignment_id: offerId, reason: `unit id ${offer.unit_id} is another requester's` });
        continue;
      }
      if (!state.sharing) {
        refused.push({ assignment_id: offerId, reason: 'sharing is off' });
        continue;
      }
      const reason = ctx.kinds.refusal(state, from, unit) ?? admission.admit(from, offer.price);
      if (reason !== undefined) {
        refused.push({ assignment_id: offerId, reason });
        refusedOffers.push(offerId);
        continue;
      }
      const acceptance: Acceptance = {
        assignment_id: offerId,
        offer_id: offerId,
        unit_id: offer.unit_id,
        job_id: offer.job_id,
        requester_peer: from,
        provider_peer: ctx.me,
        price: offer.price,
        role,
        deadline,
        timestamp,
      };
      accepted.push(offerId);
      acceptances.push(acceptance);
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
  return {
    accepted,
    acceptances,
    refused,
    events: acceptanceEvents(taken, 'with slot'),
    wantedInputs,
    refusedOffers,
  };
}
