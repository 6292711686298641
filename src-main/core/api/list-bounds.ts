// What a list of the API keeps when there is more than it may hold (LIMITS.recordEntries): the
// entries that weigh most, in their own order. A node keeps every peer it has dealt with and every
// requester whose blobs it holds; a list past its bound broke the API's own contract.
import { LIMITS } from '../schemas/primitives.js';

/** At most LIMITS.recordEntries of `items`, those of the largest `weight`, in the order given. */
export function heaviest<T>(items: readonly T[], weight: (item: T) => number): T[] {
  if (items.length <= LIMITS.recordEntries) return [...items];
  const kept = new Set(
    [...items.keys()].sort((a, b) => weight(items[b]!) - weight(items[a]!)).slice(0, LIMITS.recordEntries),
  );
  return items.filter((_, i) => kept.has(i));
}
