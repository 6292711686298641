// Which of my steps must survive a power cut, not only a crash of the process. Every commit is
// durable against a crash (WAL); with synchronous=NORMAL the last ones can still vanish when the
// machine loses power. That is harmless for what a peer re-sends until I answer (its offers, its
// results, its settlements, which it pulls again by resending the result) and for what a peer of
// mine would re-send to me. It is not for what a peer has already acted on and I could not make
// again the same way (docs/ARCHITECTURE.md, Durability): those steps commit with FULL.
import type { MeshState } from '../../../core/mesh/state/state.js';
import { ledgerEntriesOf, type NodeEvent } from '../../../core/schemas/index.js';

/**
 * True for a step that holds: a receipt I signed (peers hold it; signed again after a loss, my
 * chain would fork), my offer rounds reserved (peers hold offers under those ids: made again, an id
 * would name two offers), an acceptance of mine (the provider runs the unit and holds its escrow), or
 * a settle, refund or reward I made as a requester (the provider takes it as final).
 */
export function mustSurvivePowerCut(events: readonly NodeEvent[], me: string, state: MeshState): boolean {
  return events.some((event) => {
    if (event.type === 'receipt.stored') return event.receipt.author === me;
    if (event.type === 'rounds.reserved') return true;
    if (event.type === 'offer.accepted') return event.acceptance.requester_peer === me;
    if (event.type === 'offers.accepted')
      return event.accepted.some(({ acceptance }) => acceptance.requester_peer === me);
    return ledgerEntriesOf(event).some(
      (entry) =>
        entry.kind !== 'escrow' && state.assignments.get(entry.assignment_id)?.acceptance.requester_peer === me,
    );
  });
}
