// What the determinism checks (src-main/node/exec/determinism.ts: the call-depth count on every
// call and the NaN check on every float store) cost the kernels we ship: each unit's time with
// them over its time metered without them, both measured in this run, in this thread, on a fresh
// instance each time as a worker does. Also checks that the checks change no kernel's output or
// fuel (no kernel makes a NaN or recurses past the limit).
import assert from 'node:assert/strict';
import { splitFrame, tileParams } from '../src-main/core/render/index.js';
import { encodeParams } from '../src-main/node/exec/params.js';
import { loadKernel, type KernelName } from '../src-main/node/exec/kernels.js';
import { meterModule } from '../src-main/node/exec/metering.js';
import { runUnit, type WorkerSuccess } from '../src-main/node/exec/worker.js';
import { sampleSceneBlob } from '../test/node/fixtures/sample-scene.js';
import { medianMs, round, type Benchmark, type Figure } from './harness.js';

const WARMUP_RUNS = 10;
const ROUNDS = 6;

const tiles = splitFrame(160, 90, 32);
if (!tiles.ok) throw new Error(tiles.error);

const UNITS: Array<{ name: string; kernel: KernelName; params: unknown; input: Uint8Array }> = [
  {
    name: 'render',
    kernel: 'render',
    params: tileParams(3, 160, 90, tiles.value[6]!, 32, 77),
    input: sampleSceneBlob(),
  },
  {
    name: 'sha256',
    kernel: 'hash',
    params: { algorithm: 'sha256' },
    input: new Uint8Array(1 << 20).map((_, i) => i * 7),
  },
  {
    name: 'resize',
    kernel: 'image',
    params: { op: 'resize', width: 512, height: 384, out_width: 700, out_height: 500, filter: 'lanczos3' },
    input: new Uint8Array(512 * 384 * 4).map((_, i) => (i * 31) ^ (i >> 5)),
  },
];

function runner(module: Uint8Array, unit: (typeof UNITS)[number], determinism: boolean): () => WorkerSuccess {
  const metered = meterModule(module, { determinism });
  const work = {
    moduleHash: `${unit.name}-${determinism}`,
    module: metered.bytes,
    hasStart: metered.hasStart,
    memory: metered.memory!,
    params: encodeParams(unit.params),
    input: unit.input,
    fuel: 1e13,
    maxOutputBytes: 1 << 30,
  };
  return () => {
    const outcome = runUnit(work);
    if (!outcome.ok) throw new Error(`${unit.name}: ${outcome.code}: ${outcome.message}`);
    return outcome;
  };
}

export const benchmarks: Benchmark[] = [
  {
    names: UNITS.map((u) => `determinism_overhead_${u.name}`),
    async run() {
      const figures: Figure[] = [];
      for (const unit of UNITS) {
        const module = loadKernel(unit.kernel);
        const checked = runner(module, unit, true);
        const plain = runner(module, unit, false);
        const [a, b] = [checked(), plain()];
        assert.equal(a.outputHash, b.outputHash, `${unit.name}: the checks changed the output`);
        assert.equal(a.fuel, b.fuel, `${unit.name}: the checks changed the fuel`);
        // Both warmed until V8 has tiered them up, then alternating rounds, so load on the machine
        // falls on both alike.
        await medianMs(checked, 1, WARMUP_RUNS);
        await medianMs(plain, 1, WARMUP_RUNS);
        let checkedMs = 0;
        let plainMs = 0;
        for (let i = 0; i < ROUNDS; i++) {
          checkedMs += await medianMs(checked, 3, 0);
          plainMs += await medianMs(plain, 3, 0);
        }
        figures.push({
          name: `determinism_overhead_${unit.name}`,
          value: round(checkedMs / plainMs, 3),
          unit: 'ratio',
          checked_ms: round(checkedMs / ROUNDS),
          unchecked_ms: round(plainMs / ROUNDS),
          fuel: a.fuel,
        });
      }
      return figures;
    },
  },
];
