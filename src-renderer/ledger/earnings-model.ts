// The earnings page's figures: the curve from the ledger's newest transfers (ledger.transfers: +
// the peer paid me, − I paid the peer), the totals from the ledger's summary (ledger.get: all
// time). All in millicredits.
import type { LedgerTransferView } from '../../src-main/core/api/contract.js';

export interface EarningsTotals {
  earned: number;
  spent: number;
}

/** Running totals of earned and spent after each moment with transfers, oldest first. */
export interface EarningsPoint extends EarningsTotals {
  /** Milliseconds since the epoch. */
  t: number;
}

export interface PeerEarnings extends EarningsTotals {
  peer_id: string;
}

function earningsTotals(transfers: readonly LedgerTransferView[]): EarningsTotals {
  let earned = 0;
  let spent = 0;
  for (const { amount } of transfers) {
    if (amount > 0) earned += amount;
    else spent -= amount;
  }
  return { earned, spent };
}

/**
 * The running totals over time, at most `maxPoints` of them (evenly picked, always with the last),
 * so a long history still draws quickly. `endAt`: the all-time totals (ledger.get), when the
 * transfers are only the newest: the curve then starts from what came before them, and ends there.
 */
export function earningsSeries(
  transfers: readonly LedgerTransferView[],
  maxPoints = 400,
  endAt?: EarningsTotals,
): EarningsPoint[] {
  const sorted = [...transfers].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const shown = earningsTotals(transfers);
  const points: EarningsPoint[] = [];
  let earned = endAt ? endAt.earned - shown.earned : 0;
  let spent = endAt ? endAt.spent - shown.spent : 0;
  for (const { at, amount } of sorted) {
    if (amount > 0) earned += amount;
    else spent -= amount;
    const t = Date.parse(at);
    // Transfers of the same instant make one point.
    if (points.at(-1)?.t === t) points[points.length - 1] = { t, earned, spent };
    else points.push({ t, earned, spent });
  }
  if (points.length <= maxPoints) return points;
  const step = points.length / maxPoints;
  const picked = Array.from({ length: maxPoints - 1 }, (_, i) => points[Math.floor(i * step)]!);
  return [...picked, points.at(-1)!];
}

/** Earned from and spent with each peer (ledger.get's, all time), the busiest first. */
export function earningsByPeer(peers: readonly PeerEarnings[]): PeerEarnings[] {
  return peers
    .map(({ peer_id, earned, spent }) => ({ peer_id, earned, spent }))
    .sort((a, b) => b.earned + b.spent - (a.earned + a.spent));
}
