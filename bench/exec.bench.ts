// Pool dispatch overhead (target: <= 100 µs per tiny unit). The baseline, measured in the
// same run, is what a worker does for each unit (worker.ts's runUnit: an instance of the metered
// module, its memory reused, the ABI call, the output hashed), called directly in this thread;
// the difference is what the pool adds: admission, the thread hop, batching and settling. Beside
// it, the unit run unsandboxed on a fresh instance with a memory of its own, as before the worker
// reused memories.
import { readFileSync } from 'node:fs';
import { Executor } from '../src-main/node/exec/index.js';
import { meterModule } from '../src-main/node/exec/metering.js';
import { encodeParams } from '../src-main/node/exec/params.js';
import { runUnsandboxed } from '../src-main/node/exec/unsandboxed.js';
import { runUnit, type WorkerUnit } from '../src-main/node/exec/worker.js';
import { medianMs, round, type Benchmark } from './harness.js';

const UNITS = 4000;
const inputs = Array.from({ length: UNITS }, (_, i) => new Uint8Array(16).fill(i & 0xff));

async function burst(executor: Executor, tinyModule: Uint8Array): Promise<void> {
  await Promise.all(inputs.map((input) => executor.run({ module: tinyModule, input })));
}

/** What a worker does for each unit, here. */
function inThread(tinyModule: Uint8Array): () => void {
  const metered = meterModule(tinyModule);
  const unit: Omit<WorkerUnit, 'input'> = {
    moduleHash: 'tiny',
    module: metered.bytes,
    hasStart: metered.hasStart,
    memory: metered.memory!,
    params: encodeParams({}),
    fuel: 1e9,
    maxOutputBytes: 1 << 20,
  };
  return () => {
    for (const input of inputs) if (!runUnit({ ...unit, input }).ok) throw new Error('the tiny unit failed');
  };
}

export const benchmarks: Benchmark[] = [
  {
    names: ['pool_dispatch_overhead_us'],
    async run() {
      const tinyModule = readFileSync(new URL('../wasm/examples/reverse.wasm', import.meta.url));
      const compiled = new WebAssembly.Module(tinyModule);
      const unsandboxedMs = await medianMs(() => inputs.forEach((input) => runUnsandboxed(compiled, {}, input)), 5, 2);
      const inThreadMs = await medianMs(inThread(tinyModule), 5, 2);
      const one = Executor.start({ workers: 1 });
      const all = Executor.start({});
      try {
        const oneMs = await medianMs(() => burst(one, tinyModule), 5, 2);
        const allMs = await medianMs(() => burst(all, tinyModule), 5, 2);
        // One unit at a time, awaited: the round trip a lone unit pays, with nothing to batch.
        const lone = inputs.slice(0, 500);
        const loneMs = await medianMs(
          async () => {
            for (const input of lone) await one.run({ module: tinyModule, input });
          },
          3,
          1,
        );
        const perUnit = (ms: number, n = UNITS) => (ms * 1000) / n;
        return [
          {
            name: 'pool_dispatch_overhead_us',
            value: round(perUnit(oneMs) - perUnit(inThreadMs), 1),
            unit: 'us',
            target: '<= 100',
            in_thread_us_per_unit: round(perUnit(inThreadMs), 1),
            unsandboxed_fresh_memory_us_per_unit: round(perUnit(unsandboxedMs), 1),
            pool_1_worker_us_per_unit: round(perUnit(oneMs), 1),
            pool_all_workers_us_per_unit: round(perUnit(allMs), 1),
            workers: all.workers,
            lone_unit_round_trip_us: round(perUnit(loneMs, lone.length), 1),
            units: UNITS,
          },
        ];
      } finally {
        await Promise.all([one.close(), all.close()]);
      }
    },
  },
];
