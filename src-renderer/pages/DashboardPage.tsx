// The first page: is my machine shared, what is it doing, what have I earned, what is it.
import { useMemo } from 'react';
import { useActions, useMesh } from '../app/store-context.js';
import { Card, Facts, PageHeader, StatTile } from '../components/basics.js';
import { Sparkline, UtilisationChart } from '../components/lazy-charts.js';
import { CopyText } from '../components/CopyText.js';
import { MachineCard, SharingCard } from '../components/dashboard-cards.js';
import { formatAgo, formatCredits } from '../format.js';
import { earningsSeries } from '../ledger/earnings-model.js';

export function DashboardPage() {
  const status = useMesh((s) => s.status)!;
  const samples = useMesh((s) => s.samples);
  const transfers = useMesh((s) => s.transfers);
  const ledger = useMesh((s) => s.ledger);
  const { setSharing } = useActions();
  const series = useMemo(() => earningsSeries(transfers ?? [], 120, ledger ?? undefined), [transfers, ledger]);
  const totals = ledger ?? { earned: 0, spent: 0 };

  // oxlint-disable-next-line react/purity -- the age is shown as of this render (the status poll renders again)
  const nowMs = Date.now();
  return (
    <div className="page" data-testid="page-dashboard">
      <PageHeader
        title="Dashboard"
        // An age, not the date in the locale's words: the page's first such date loads the ICU's date
        // data, 40-60 ms of the first render. Settings shows the date.
        subtitle={`${status.name} · started ${formatAgo(status.started_at, nowMs)}`}
      />
      <SharingCard status={status} onToggle={(on) => void setSharing(on)} />

      <div className="stat-grid">
        <StatTile label="Balance" value={formatCredits(status.balance)} hint="credits" />
        <StatTile
          label="Running for others"
          value={`${status.units_running} / ${status.workers}`}
          hint={status.units_queued > 0 ? `${status.units_queued} queued` : 'units on my workers'}
        />
        <StatTile label="Peers connected" value={status.connections} hint={`${status.peers_known} known`} />
        <StatTile label="My jobs running" value={status.jobs_running} hint="on other machines" />
      </div>

      <div className="grid-2 grid-wide-left">
        <Card title="Live utilisation" subtitle="Mesh work on my workers, and what other programs use">
          {samples.length > 1 ? (
            <UtilisationChart samples={samples} />
          ) : (
            <div className="chart chart-utilisation chart-waiting muted">Measuring…</div>
          )}
        </Card>
        <Card
          title="Earnings"
          actions={
            <a href="#/earnings" className="link">
              Details
            </a>
          }
        >
          <div className="earnings-mini">
            <div>
              <div className="stat-label">Earned</div>
              <div className="figure figure-earned">{formatCredits(totals.earned)}</div>
            </div>
            <div>
              <div className="stat-label">Spent</div>
              <div className="figure figure-spent">{formatCredits(totals.spent)}</div>
            </div>
          </div>
          {series.length > 1 ? (
            <Sparkline points={series} />
          ) : (
            <p className="muted small">
              Your balance over time appears here once peers run work for you or you for them.
            </p>
          )}
        </Card>
      </div>

      <div className="grid-2">
        <MachineCard status={status} />
        <Card title="Identity" subtitle="How other nodes know this one">
          <Facts
            rows={[
              ['Name', status.name],
              ['Peer id', <CopyText key="peer-id" text={status.peer_id} testId="peer-id" />],
              [
                'Listening on',
                status.listen.length > 0 ? (
                  <span key="listen" className="mono small wrap">
                    {status.listen[0]}
                  </span>
                ) : (
                  'not listening'
                ),
              ],
              ['Local discovery', status.mdns ? 'on (mDNS finds peers on this network)' : 'off'],
            ]}
          />
        </Card>
      </div>
    </div>
  );
}
