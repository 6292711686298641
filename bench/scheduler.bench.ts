// One provider's round over N open units from 1,000 requesters into 10 slots (target: 100,000
// units in <= 100 ms). Baseline in the same run: the straightforward algorithm of seed-scheduler.ts on the
// same input.
import { allocate, bilateralTrust } from '../src-main/core/scheduler/index.js';
import type { ComputeCommitment, WorkUnit } from '../src-main/core/schemas/index.js';
import { commitment, request, slot, T0, unit } from '../test/core/scheduler-fixtures.js';
import { medianMs, round, type Benchmark, type Figure } from './harness.js';
import { seedComputeWorkAssignments } from './seed-scheduler.js';

const REQUESTERS = 1000;
const ALGORITHMS = ['render', 'hash/sha256', 'image/resize', 'hash/blake3'];

/** A deterministic pseudo-random stream (mulberry32), so every run measures the same mesh. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mesh(units: number) {
  const random = rng(42);
  const names = Array.from({ length: REQUESTERS }, (_, i) => `peer-${String(i).padStart(4, '0')}`);
  const myTrust: Record<string, number> = {};
  names.forEach((n, i) => (myTrust[n] = i % 10 === 9 ? 0 : 0.1 + 0.9 * random())); // 10% strangers
  const slots = Array.from({ length: 10 }, (_, i) =>
    slot(
      `slot-${i}`,
      8,
      { cpu_cores: 16, ram_gb: 64, gpu_vram_gb: 8 },
      ALGORITHMS.slice(0, 2 + (i % 3)).map((a) => [a, 0.5 + random() / 2] as [string, number]),
      T0 + i * 8 * 3600_000,
    ),
  );
  const provider = commitment('provider', myTrust, slots);
  const perRequester = Math.ceil(units / REQUESTERS);
  const requesters = names.map((name, i) => {
    const work: WorkUnit[] = Array.from({ length: perRequester }, (_, k) =>
      unit(
        `${name}-u${k}`,
        `${name}-job`,
        ALGORITHMS[Math.floor(random() * 4)]!,
        {
          cpu_cores: 1 + Math.floor(random() * 4),
          ram_gb: 1 + Math.floor(random() * 8),
          gpu_vram_gb: random() < 0.2 ? 2 : 0,
        },
        10 + Math.floor(random() * 590),
        Math.round(random() * 10) / 10,
      ),
    );
    return commitment(name, { provider: i % 5 === 4 ? 0 : 1 }, [], [request(name, `${name}-job`, work)]); // 20% one-way: tier 2
  });
  return { provider, requesters };
}

async function figure(units: number, withBaseline: boolean): Promise<Figure> {
  const { provider, requesters } = mesh(units);
  let offers = 0;
  // Rounds repeat for as long as a node runs: measure the steady state, after the JIT has warmed up.
  const [runs, warmup] = units >= 1_000_000 ? [3, 2] : [9, 5];
  const ms = await medianMs(
    () =>
      (offers = allocate({ provider, requesters, round: 1, nowMs: T0, price: { per_core_second: 5, minimum: 1 } })
        .offers.length),
    runs,
    warmup,
  );
  const result: Figure = {
    name: `scheduler_round_ms_${units >= 1_000_000 ? '1m' : `${units / 1000}k`}`,
    value: round(ms),
    unit: 'ms',
    units,
    slots: 10,
    requesters: REQUESTERS,
    offers,
    unit_decisions_per_s: Math.round(units / (ms / 1000)),
  };
  if (withBaseline) {
    const ctx = { me: provider.peer_id, myTrust: provider.trust_weights };
    const trust = new Map(requesters.map((r) => [r.peer_id, bilateralTrust(ctx, r)]));
    const network = new Map<string, ComputeCommitment>(requesters.map((r) => [r.peer_id, r]));
    const seedMs = await medianMs(() => seedComputeWorkAssignments(provider, trust, network), 3);
    result.baseline_seed_algorithm_ms = round(seedMs);
    result.speedup_vs_seed_x = round(seedMs / ms);
  }
  return result;
}

export const benchmarks: Benchmark[] = [
  { names: ['scheduler_round_ms_10k'], run: async () => [await figure(10_000, true)] },
  { names: ['scheduler_round_ms_100k'], run: async () => [await figure(100_000, true)] },
  { names: ['scheduler_round_ms_1m'], run: async () => [await figure(1_000_000, false)] },
];
