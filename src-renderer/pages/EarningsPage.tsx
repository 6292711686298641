// What I earned running others' work and spent on mine, over time and per peer, and my prices.
import { useMemo } from 'react';
import { useActions, useMesh } from '../app/store-context.js';
import { Card, EmptyState, Loading, PageHeader, StatTile } from '../components/basics.js';
import { EarningsChart, PeerEarningsChart } from '../components/lazy-charts.js';
import { PriceForm } from '../components/PriceForm.js';
import { formatCredits, shortPeerId } from '../format.js';
import { earningsByPeer, earningsSeries } from '../ledger/earnings-model.js';

export function EarningsPage() {
  const status = useMesh((s) => s.status)!;
  const transfers = useMesh((s) => s.transfers);
  const ledger = useMesh((s) => s.ledger);
  const peers = useMesh((s) => s.peers);
  const { setPrices } = useActions();
  const totals = ledger ?? { earned: 0, spent: 0 };
  const series = useMemo(() => earningsSeries(transfers ?? [], 400, ledger ?? undefined), [transfers, ledger]);
  const byPeer = useMemo(() => earningsByPeer(ledger?.peers ?? []), [ledger]);
  const names = useMemo(() => new Map((peers ?? []).filter((p) => p.name).map((p) => [p.peer_id, p.name!])), [peers]);

  return (
    <div className="page" data-testid="page-earnings">
      <PageHeader
        title="Earnings"
        subtitle="Credits you earn when peers' work runs on your machine, and spend when yours runs on theirs."
      />
      <div className="stat-grid">
        <StatTile label="Earned" value={formatCredits(totals.earned)} hint="credits" testId="earned-total" />
        <StatTile label="Spent" value={formatCredits(totals.spent)} hint="credits" testId="spent-total" />
        <StatTile label="Balance" value={formatCredits(ledger?.balance ?? status.balance)} hint="credits" />
        <StatTile label="Held for running jobs" value={formatCredits(ledger?.held ?? 0)} hint="credits in escrow" />
      </div>

      <Card title="Over time" subtitle="Running totals">
        {transfers === null ? (
          <Loading what="transfers" />
        ) : transfers.length === 0 ? (
          <EmptyState icon="earnings" title="Nothing earned or spent yet">
            Turn sharing on and trust a few peers: you earn when their jobs run here. Rendering on their machines spends
            credits.
          </EmptyState>
        ) : (
          <EarningsChart points={series} />
        )}
      </Card>

      <div className="grid-2">
        <Card title="By peer">
          {byPeer.length === 0 ? (
            <p className="muted">No transfers with any peer yet.</p>
          ) : (
            <>
              <PeerEarningsChart peers={byPeer} names={names} />
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th>Peer</th>
                    <th className="num">Earned</th>
                    <th className="num">Spent</th>
                  </tr>
                </thead>
                <tbody>
                  {byPeer.map((p) => (
                    <tr key={p.peer_id}>
                      <td title={p.peer_id}>
                        {names.get(p.peer_id) ?? <span className="mono">{shortPeerId(p.peer_id)}</span>}
                      </td>
                      <td className="num mono">{formatCredits(p.earned)}</td>
                      <td className="num mono">{formatCredits(p.spent)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </Card>
        <Card title="Your prices" subtitle="What peers pay when your machine runs their work">
          <PriceForm price={status.price} onSave={setPrices} />
        </Card>
      </div>
    </div>
  );
}
