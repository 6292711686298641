// The charts, fetched with recharts (most of the UI's code) only when a page first draws one; the
// page is usable meanwhile, with an empty frame of the chart's size in its place.
import { lazy, Suspense, type ComponentProps, type ReactNode } from 'react';

const charts = () => import('./charts.js');
const LazyUtilisation = lazy(() => charts().then((m) => ({ default: m.UtilisationChart })));
const LazySparkline = lazy(() => charts().then((m) => ({ default: m.Sparkline })));
const LazyEarnings = lazy(() => charts().then((m) => ({ default: m.EarningsChart })));
const LazyPeerEarnings = lazy(() => charts().then((m) => ({ default: m.PeerEarningsChart })));

function Frame({ className, children }: { className: string; children: ReactNode }) {
  return <Suspense fallback={<div className={`chart ${className}`} aria-busy="true" />}>{children}</Suspense>;
}

export const UtilisationChart = (props: ComponentProps<typeof LazyUtilisation>) => (
  <Frame className="chart-utilisation">
    <LazyUtilisation {...props} />
  </Frame>
);
export const Sparkline = (props: ComponentProps<typeof LazySparkline>) => (
  <Frame className="chart-sparkline">
    <LazySparkline {...props} />
  </Frame>
);
export const EarningsChart = (props: ComponentProps<typeof LazyEarnings>) => (
  <Frame className="chart-earnings">
    <LazyEarnings {...props} />
  </Frame>
);
export const PeerEarningsChart = (props: ComponentProps<typeof LazyPeerEarnings>) => (
  <Frame className="">
    <LazyPeerEarnings {...props} />
  </Frame>
);
