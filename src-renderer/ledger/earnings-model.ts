// The earnings page's figures from the ledger's transfers (ledger.transfers: + the peer paid me,
// − I paid the peer), all in millicredits.
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

export function earningsTotals(transfers: readonly LedgerTransferView[]): EarningsTotals {
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
 * so a long history still draws quickly.
 */
export function earningsSeries(transfers: readonly LedgerTransferView[], maxPoints = 400): EarningsPoint[] {
  const sorted = [...transfers].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const points: EarningsPoint[] = [];
  let earned = 0;
  let spent = 0;
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

/** Earned from and spent with each peer, the busiest first. */
export function earningsByPeer(transfers: readonly LedgerTransferView[]): PeerEarnings[] {
  const byPeer = new Map<string, PeerEarnings>();
  for (const { peer_id, amount } of transfers) {
    const entry = byPeer.get(peer_id) ?? { peer_id, earned: 0, spent: 0 };
    if (amount > 0) entry.earned += amount;
    else entry.spent -= amount;
    byPeer.set(peer_id, entry);
  }
  return [...byPeer.values()].sort((a, b) => b.earned + b.spent - (a.earned + a.spent));
}
