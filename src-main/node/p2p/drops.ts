// Counts of dropped inbound messages, per sending peer and reason, and the listeners told of each.
import type { DropReason } from './errors.js';

/** `culprit`: the author who signed the dropped message itself, when it did (envelope.ts, Verdict). */
export type DropListener = (peer: string, reason: DropReason, detail: string, culprit?: string) => void;

/** Peers with counts kept; past this the longest-known is forgotten, so fresh ids cannot grow the map. */
const MAX_PEERS = 10_000;

export class DropLedger {
  private readonly counts = new Map<string, Map<DropReason, number>>();
  private readonly listeners: DropListener[] = [];

  record(peer: string, reason: DropReason, detail: string, culprit?: string): void {
    let byReason = this.counts.get(peer);
    if (byReason === undefined) {
      this.counts.set(peer, (byReason = new Map()));
      if (this.counts.size > MAX_PEERS) this.counts.delete(this.counts.keys().next().value!);
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    for (const listener of this.listeners) {
      try {
        listener(peer, reason, detail, culprit);
      } catch {
        // a listener's failure is its own; the drop is recorded either way
      }
    }
  }

  onDrop(listener: DropListener): void {
    this.listeners.push(listener);
  }

  /** peer → reason → count, as a copy. */
  snapshot(): Record<string, Partial<Record<DropReason, number>>> {
    const copy: Record<string, Partial<Record<DropReason, number>>> = {};
    for (const [peer, byReason] of this.counts) copy[peer] = Object.fromEntries(byReason);
    return copy;
  }
}
