// Offers waiting for my acceptance (jobs with manual accept), by provider: accepting takes all of a
// provider's current offers for the job.
import type { OfferView } from '../../src-main/core/api/contract.js';
import { formatCredits, formatDuration, shortPeerId } from '../format.js';
import { Badge, EmptyState } from './basics.js';

/** The units an offer is for: one unit's index, or a pack's first and last. */
function unitsOf({ unit_id, units }: OfferView): string {
  const first = Number(unit_id.split('/').at(-1));
  return units === 1 ? String(first) : `${first}–${first + units - 1}`;
}

export function OffersTable({
  offers,
  names,
  onAccept,
}: {
  offers: readonly OfferView[];
  names: ReadonlyMap<string, string>;
  onAccept: (peerId: string) => void;
}) {
  if (offers.length === 0) {
    return (
      <EmptyState icon="peers" title="No offers waiting">
        Peers that trust you offer to run open tiles within a few seconds of each round; their offers appear here to
        accept.
      </EmptyState>
    );
  }
  const byProvider = new Map<string, OfferView[]>();
  for (const offer of offers) byProvider.set(offer.provider, [...(byProvider.get(offer.provider) ?? []), offer]);
  return (
    <div className="offers">
      {[...byProvider].map(([provider, theirs]) => {
        const total = theirs.reduce((sum, o) => sum + o.price, 0);
        const first = theirs[0]!;
        return (
          <div className="offer-group" key={provider}>
            <div className="offer-group-header">
              <div>
                <div className="peer-name">{names.get(provider) ?? shortPeerId(provider)}</div>
                <div className="muted small">
                  {theirs.length} {theirs.length === 1 ? 'offer' : 'offers'} · {formatCredits(total)} credits ·
                  reputation {first.reputation.toFixed(2)} ·{' '}
                  <Badge tone={first.tier === 1 ? 'ok' : 'accent'}>tier {first.tier}</Badge>
                </div>
              </div>
              <button
                type="button"
                className="button button-primary"
                onClick={() => onAccept(provider)}
                data-testid={`accept-offers-${provider}`}
              >
                Accept {theirs.length === 1 ? 'offer' : `all ${theirs.length}`}
              </button>
            </div>
            <div className="offer-rows">
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th>Units</th>
                    <th className="num">Price</th>
                    <th className="num">Estimated time</th>
                    <th>Expected done</th>
                  </tr>
                </thead>
                <tbody>
                  {theirs.map((offer) => (
                    <tr key={offer.offer_id} data-testid={`offer-${offer.offer_id}`}>
                      <td className="mono small">{unitsOf(offer)}</td>
                      <td className="num mono">{formatCredits(offer.price)}</td>
                      <td className="num">{formatDuration(offer.estimated_seconds)}</td>
                      <td>{new Date(offer.expected_end).toLocaleTimeString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
    </div>
  );
}
