// Commits a control's values one at a time, the latest next (CommitRange): values chosen while one
// is being committed wait, the last of them replacing the others, so the node ends at the value the
// control shows however the calls would have raced.

/**
 * Returns `choose(value)`: commits it now, or after the commit under way, unless another is chosen
 * meanwhile. `settled(value)` is told when a commit settles with nothing waiting behind it.
 */
export function commitQueue(
  commit: (value: number) => Promise<void> | void,
  settled: (value: number) => void,
): (value: number) => void {
  let next: number | null = null;
  let committing = false;
  const drain = async () => {
    committing = true;
    while (next !== null) {
      const chosen = next;
      next = null;
      // A commit reports its own failure (the store's actions do); either way it has settled.
      await Promise.resolve()
        .then(() => commit(chosen))
        .catch(() => undefined);
      if (next === null) settled(chosen);
    }
    committing = false;
  };
  return (value) => {
    next = value;
    if (!committing) drain().catch(() => undefined); // each commit catches its own failure
  };
}
