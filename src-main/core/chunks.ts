// Slicing a list into runs of at most so many: a batch's events, a step's acceptances. Pure.

/** `items` in consecutive slices of at most `size` (none for an empty list). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
