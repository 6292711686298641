// What an attack is, and the few things most of them check: one named entry of the rogue's table,
// run against the arena, returning what it expected and did not see.
import type { Arena } from './arena.js';
import type { RawReply } from './rogue-peer.js';

export interface Attack {
  name: string;
  /** The issue-19 fix item it attacks, when it attacks one. */
  item?: number;
  /** Journal events the attack may add (default 4): anything beyond is disk an attacker can fill. */
  maxNewEvents?: number;
  /** It runs a job of T's with R as a provider (attacks-provider.ts): T pays B for it, never R. */
  ranJob?: true;
  /** Performs the attack; returns the expectations it missed (empty: refused as it should be). */
  run(arena: Arena): Promise<string[]>;
}

/** How many of R's messages T dropped for `reason` so far. */
export function dropsOf(arena: Arena, reason: string, peer = arena.rogue.peerId): number {
  return (arena.t.node.network.dropped()[peer] as Record<string, number> | undefined)?.[reason] ?? 0;
}

/** The expectation missed when `reply` is not an error frame with `reason`. */
export function refusedWith(reply: RawReply | undefined, reason: string): string[] {
  const text = reply === undefined ? 'a reset' : `kind ${reply.kind} ${reply.text.slice(0, 80)}`;
  return reply?.kind === 3 && reply.text === JSON.stringify({ error: reason })
    ? []
    : [`expected the error reply ${reason}, got ${text}`];
}

/** Waits up to `ms` for `check` to hold; the expectation `what` when it never does. */
export async function eventually(what: string, check: () => boolean, ms = 5_000): Promise<string[]> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return [];
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check() ? [] : [`never: ${what}`];
}

/** Waits until T counted one more drop of R's for `reason` than `before`. */
export function dropCounted(arena: Arena, reason: string, before: number, ms?: number): Promise<string[]> {
  return eventually(`T counts a ${reason} drop of R's`, () => dropsOf(arena, reason) > before, ms);
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const minutesFromNow = (minutes: number): string => new Date(Date.now() + minutes * 60_000).toISOString();
