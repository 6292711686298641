// Many runs for one caller, never all queued at once: the executor's queue is shared with the
// node's units and checks, and refuses work past its limit (QueueFull). A render job's fuel
// pre-pass is one run per tile, 61,000 for a 1,000-frame animation; a 4K frame in 16-px tiles is
// 32,400 tiles. Queued all at once, either was refused (the job as an internal error).

/**
 * Runs one caller queues at a time: enough that each worker finds a full hop waiting (it takes up
 * to 64), a twentieth of the executor's queue limit.
 */
export const RUNS_IN_FLIGHT = 512;

/** `run` over `items`, at most `limit` at a time; the results in the items' order. Rejects with the first failure. */
export async function mapInFlight<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
