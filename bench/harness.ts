// The benchmark format every benchmark uses: one JSON line per figure on stdout.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
export interface Figure {
  name: string;
  value: number;
  unit: string;
  [extra: string]: unknown;
}

export interface Benchmark {
  /** Names of the figures this benchmark prints; `npm run bench -- <prefix>` matches on them. */
  names: string[];
  run(): Promise<Figure[]> | Figure[];
}

export function emit(figure: Figure): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

/** Milliseconds taken by `fn`, as the median of `runs` runs after `warmup` unmeasured ones. */
export async function medianMs(fn: () => unknown, runs = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** The middle value; of an even count, the mean of the two middle ones (the upper one alone made a median of two its larger). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** V8's collector, exposed when first asked for (only the benchmarks that need it change V8's flags). */
let gc: (() => void) | undefined;

/**
 * The median of `runs` timed calls, each after a full collection (untimed): node:wasi aborts (Node
 * 20) or crashes (Node 22) when a finished WASI with much memory is collected during another's call.
 */
export async function medianAfterGcMs(fn: () => unknown, runs: number): Promise<number> {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    gc();
    const start = process.hrtime.bigint();
    await fn();
    if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6); // the first warms up
  }
  return median(times);
}
