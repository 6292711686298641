// The charts (recharts): live utilisation, the balance sparkline, earned and spent over time, and
// per peer. Animations are off: the data changes every few seconds and should just be there.
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatCredits, shortPeerId } from '../format.js';
import type { EarningsPoint, PeerEarnings } from '../ledger/earnings-model.js';
import type { UtilisationSample } from '../store/types.js';
import { timeAxis } from '../time-axis.js';

const CHART_COLORS = {
  accent: '#5b5bd6',
  accentSoft: '#5b5bd633',
  earned: '#12a594',
  spent: '#e5484d',
  other: '#f5a524',
  grid: '#8b8d9833',
  axis: '#8b8d98',
};

const timeOfDay = (t: number) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const credits = (millicredits: number) => formatCredits(millicredits);
const axisProps = { stroke: CHART_COLORS.axis, fontSize: 11, tickLine: false, axisLine: false } as const;

export function UtilisationChart({ samples }: { samples: readonly UtilisationSample[] }) {
  const data = samples.map((s) => ({
    t: s.t,
    mesh: Math.round(s.mesh),
    other: s.other === null ? null : Math.round(s.other),
  }));
  const axis = timeAxis(samples[0]?.t ?? 0, samples.at(-1)?.t ?? 0);
  return (
    <div className="chart chart-utilisation">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid stroke={CHART_COLORS.grid} vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            ticks={axis.ticks}
            tickFormatter={axis.label}
            {...axisProps}
          />
          <YAxis domain={[0, 100]} ticks={[0, 50, 100]} tickFormatter={(v: number) => `${v}%`} {...axisProps} />
          <Tooltip labelFormatter={(t) => timeOfDay(Number(t))} formatter={(v) => `${String(v)}%`} />
          <Area
            name="Mesh work (of my workers)"
            dataKey="mesh"
            type="monotone"
            stroke={CHART_COLORS.accent}
            fill={CHART_COLORS.accentSoft}
            strokeWidth={2}
            isAnimationActive={false}
          />
          <Area
            name="Other programs (CPU)"
            dataKey="other"
            type="monotone"
            stroke={CHART_COLORS.other}
            fill="#f5a52422"
            strokeWidth={1.5}
            isAnimationActive={false}
            connectNulls
          />
          <Legend iconType="plainline" wrapperStyle={{ fontSize: 12 }} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}

/** The balance (earned − spent) over time, small and without axes. */
export function Sparkline({ points }: { points: readonly EarningsPoint[] }) {
  const data = points.map((p) => ({ t: p.t, balance: p.earned - p.spent }));
  return (
    <div className="chart chart-sparkline">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={{ top: 4, right: 0, bottom: 4, left: 0 }}>
          <YAxis hide domain={['dataMin', 'dataMax']} />
          <Area
            dataKey="balance"
            type="monotone"
            baseValue="dataMin"
            stroke={CHART_COLORS.accent}
            fill={CHART_COLORS.accentSoft}
            strokeWidth={2}
            isAnimationActive={false}
            dot={false}
          />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}

export function EarningsChart({ points }: { points: readonly EarningsPoint[] }) {
  const data = points.map((p) => ({ ...p }));
  const axis = timeAxis(points[0]?.t ?? 0, points.at(-1)?.t ?? 0);
  return (
    <div className="chart chart-earnings" data-testid="earnings-chart">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
          <CartesianGrid stroke={CHART_COLORS.grid} vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            scale="time"
            ticks={axis.ticks}
            tickFormatter={axis.label}
            {...axisProps}
          />
          <YAxis tickFormatter={credits} {...axisProps} width={64} />
          <Tooltip
            labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
            formatter={(v) => `${credits(Number(v))} credits`}
          />
          <Legend iconType="plainline" wrapperStyle={{ fontSize: 12 }} />
          <Area
            name="Earned"
            dataKey="earned"
            type="stepAfter"
            stroke={CHART_COLORS.earned}
            fill="#12a59422"
            strokeWidth={2}
            isAnimationActive={false}
            dot={points.length < 40}
          />
          <Area
            name="Spent"
            dataKey="spent"
            type="stepAfter"
            stroke={CHART_COLORS.spent}
            fill="#e5484d1a"
            strokeWidth={2}
            isAnimationActive={false}
            dot={points.length < 40}
          />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}

export function PeerEarningsChart({
  peers,
  names,
}: {
  peers: readonly PeerEarnings[];
  names: ReadonlyMap<string, string>;
}) {
  const data = peers.slice(0, 8).map((p) => ({ ...p, label: names.get(p.peer_id) ?? shortPeerId(p.peer_id) }));
  return (
    // One band per peer: the chart grows with them instead of drawing one fat bar.
    <div className="chart" style={{ height: 64 + data.length * 44 }} data-testid="peer-earnings-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 12, bottom: 0, left: 8 }} barGap={2}>
          <CartesianGrid stroke={CHART_COLORS.grid} horizontal={false} />
          <XAxis type="number" tickFormatter={credits} {...axisProps} />
          <YAxis type="category" dataKey="label" width={120} {...axisProps} />
          <Tooltip formatter={(v) => `${credits(Number(v))} credits`} />
          <Legend iconType="square" wrapperStyle={{ fontSize: 12 }} />
          <Bar
            name="Earned"
            dataKey="earned"
            fill={CHART_COLORS.earned}
            radius={[0, 3, 3, 0]}
            maxBarSize={14}
            isAnimationActive={false}
          />
          <Bar
            name="Spent"
            dataKey="spent"
            fill={CHART_COLORS.spent}
            radius={[0, 3, 3, 0]}
            maxBarSize={14}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
