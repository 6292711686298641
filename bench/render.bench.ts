// The render kernel through the sandbox (targets): what fuel metering costs (<= 15%), and
// how a whole frame scales from one worker to all cores (>= 1.8x on 2 cores). Baselines are
// measured in the same run: the unmetered kernel on the same tile, and the 1-worker pool.
import { splitFrame, tileParams } from '../src-main/core/render/index.js';
import { encodeParams } from '../src-main/node/exec/params.js';
import { Executor, sha256Hex } from '../src-main/node/exec/index.js';
import { runUnsandboxed } from '../src-main/node/exec/unsandboxed.js';
import { loadKernel } from '../src-main/node/exec/kernels.js';
import { meterModule } from '../src-main/node/exec/metering.js';
import { runUnit } from '../src-main/node/exec/worker.js';
import { renderFrameLocal } from '../src-main/node/render/local.js';
import { sampleSceneBlob } from '../test/node/fixtures/sample-scene.js';
import { medianMs, round, type Benchmark } from './harness.js';

export const benchmarks: Benchmark[] = [
  {
    names: ['metering_overhead_pct'],
    async run() {
      const scene = sampleSceneBlob();
      const kernel = loadKernel('render');
      const tile = splitFrame(640, 360, 128);
      if (!tile.ok) throw new Error(tile.error);
      // A tile in the middle of the frame, where the spheres are: the costliest kind.
      const params = tileParams(0, 640, 360, tile.value[7]!, 16, 0);
      const unmetered = new WebAssembly.Module(kernel);
      const metered = meterModule(kernel);
      const unit = {
        moduleHash: sha256Hex(kernel),
        module: metered.bytes,
        hasStart: metered.hasStart,
        memory: metered.memory!,
        params: encodeParams({ ...params }),
        input: scene,
        fuel: Number.MAX_SAFE_INTEGER,
        maxOutputBytes: 1 << 24,
      };
      const runPlain = () => runUnsandboxed(unmetered, { ...params }, scene);
      let fuel = 0;
      const runMetered = () => {
        const outcome = runUnit(unit);
        if (!outcome.ok) throw new Error(outcome.message);
        fuel = outcome.fuel;
      };
      // Alternate the two in every round (after enough warm-up for V8 to optimise both), and take
      // the median of the rounds' ratios, so load from elsewhere slows both sides of a ratio alike.
      for (let i = 0; i < 4; i++) {
        runPlain();
        runMetered();
      }
      const rounds: Array<{ plainMs: number; meteredMs: number }> = [];
      for (let i = 0; i < 9; i++)
        rounds.push({ plainMs: await medianMs(runPlain, 1, 0), meteredMs: await medianMs(runMetered, 1, 0) });
      rounds.sort((a, b) => a.meteredMs / a.plainMs - b.meteredMs / b.plainMs);
      const { plainMs, meteredMs } = rounds[Math.floor(rounds.length / 2)]!;
      return [
        {
          name: 'metering_overhead_pct',
          value: round(((meteredMs - plainMs) / plainMs) * 100, 1),
          unit: '%',
          target: '<= 15',
          unmetered_ms: round(plainMs),
          metered_ms: round(meteredMs),
          tile: '128x128 at 16 spp',
          fuel,
        },
      ];
    },
  },
  {
    names: ['pool_scaling_x'],
    async run() {
      const sceneBlob = sampleSceneBlob();
      const frame = { sceneBlob, frame: 0, width: 640, height: 360, spp: 16, tile: 64, seed: 0 };
      const one = Executor.start({ workers: 1 });
      const all = Executor.start({});
      try {
        // Warm both pools with whole frames (V8 optimises the kernel in every worker), then
        // alternate them round by round so load from elsewhere lands on both alike.
        for (let i = 0; i < 2; i++) {
          await renderFrameLocal(one, frame);
          await renderFrameLocal(all, frame);
        }
        const rounds: Array<{ oneMs: number; allMs: number }> = [];
        for (let i = 0; i < 5; i++) {
          rounds.push({
            oneMs: await medianMs(() => renderFrameLocal(one, frame), 1, 0),
            allMs: await medianMs(() => renderFrameLocal(all, frame), 1, 0),
          });
        }
        rounds.sort((a, b) => a.oneMs / a.allMs - b.oneMs / b.allMs);
        const { oneMs, allMs } = rounds[2]!;
        return [
          {
            name: 'pool_scaling_x',
            value: round(oneMs / allMs),
            unit: 'x',
            target: '>= 1.8 on 2 cores',
            workers: all.workers,
            one_worker_ms: round(oneMs),
            all_workers_ms: round(allMs),
            frame: '640x360 at 16 spp, 64 px tiles',
          },
        ];
      } finally {
        await Promise.all([one.close(), all.close()]);
      }
    },
  },
];
