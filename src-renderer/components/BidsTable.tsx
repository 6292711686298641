// Bids waiting for my acceptance (jobs with manual accept), by provider: accepting takes all of a
// provider's current bids for the job.
import type { BidView } from '../../src-main/core/api/contract.js';
import { formatCredits, formatDuration, shortPeerId } from '../format.js';
import { Badge, EmptyState } from './basics.js';

export function BidsTable({
  bids,
  names,
  onAccept,
}: {
  bids: readonly BidView[];
  names: ReadonlyMap<string, string>;
  onAccept: (peerId: string) => void;
}) {
  if (bids.length === 0) {
    return (
      <EmptyState icon="peers" title="No bids waiting">
        Peers that trust you bid for open tiles within a few seconds of each round; their bids appear here to accept.
      </EmptyState>
    );
  }
  const byProvider = new Map<string, BidView[]>();
  for (const bid of bids) byProvider.set(bid.provider, [...(byProvider.get(bid.provider) ?? []), bid]);
  return (
    <div className="bids">
      {[...byProvider].map(([provider, offers]) => {
        const total = offers.reduce((sum, b) => sum + b.price, 0);
        const first = offers[0]!;
        return (
          <div className="bid-group" key={provider}>
            <div className="bid-group-header">
              <div>
                <div className="peer-name">{names.get(provider) ?? shortPeerId(provider)}</div>
                <div className="muted small">
                  {offers.length} {offers.length === 1 ? 'bid' : 'bids'} · {formatCredits(total)} credits · reputation{' '}
                  {first.reputation.toFixed(2)} ·{' '}
                  <Badge tone={first.tier === 1 ? 'ok' : 'accent'}>tier {first.tier}</Badge>
                </div>
              </div>
              <button
                type="button"
                className="button button-primary"
                onClick={() => onAccept(provider)}
                data-testid={`accept-bids-${provider}`}
              >
                Accept {offers.length === 1 ? 'bid' : `all ${offers.length}`}
              </button>
            </div>
            <div className="bid-rows">
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th>Unit</th>
                    <th className="num">Price</th>
                    <th className="num">Estimated time</th>
                    <th>Expected done</th>
                  </tr>
                </thead>
                <tbody>
                  {offers.map((bid) => (
                    <tr key={bid.offer_id} data-testid={`bid-${bid.offer_id}`}>
                      <td className="mono small">{bid.unit_id.split('/').at(-1)}</td>
                      <td className="num mono">{formatCredits(bid.price)}</td>
                      <td className="num">{formatDuration(bid.estimated_seconds)}</td>
                      <td>{new Date(bid.expected_end).toLocaleTimeString()}</td>
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
