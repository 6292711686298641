// The render kernel against the same algorithm in C (bench/native/render.c, gcc -O2), on one
// 128×128 tile of the sample scene at 24 spp (about 100 ms native). Target: WASM <= 1.3×
// the native time. Both sides are measured in alternating rounds and the figure is the median of
// the rounds' ratios, so a machine busy with other work slows both sides of a ratio alike.
import type { TileParams } from '../src-main/core/render/index.js';
import { runUnsandboxed } from '../src-main/node/exec/unsandboxed.js';
import { loadKernel } from '../src-main/node/exec/kernels.js';
import { sampleSceneBlob } from '../test/node/fixtures/sample-scene.js';
import { buildNativeRenderer } from './native/render-native.js';
import { median, medianMs, round, type Benchmark, type Figure } from './harness.js';

const ROUNDS = 9;
const RUNS_PER_ROUND = 3;
const TILE: TileParams = { frame: 0, width: 640, height: 360, x: 256, y: 128, w: 128, h: 128, spp: 24, seed: 7 };

async function ratio(): Promise<Figure[]> {
  const built = buildNativeRenderer();
  if ('missing' in built) {
    process.stderr.write(`wasm_vs_native_ratio: skipped, no native baseline: ${built.missing}\n`);
    return [];
  }
  const kernel = new WebAssembly.Module(loadKernel('render'));
  const blob = sampleSceneBlob();
  try {
    const wasmRounds: number[] = [];
    const nativeRounds: number[] = [];
    await medianMs(() => runUnsandboxed(kernel, TILE, blob), 1, 2); // let V8 tier the kernel up
    for (let r = 0; r < ROUNDS; r++) {
      wasmRounds.push(await medianMs(() => runUnsandboxed(kernel, TILE, blob), RUNS_PER_ROUND, 0));
      nativeRounds.push(built.renderer.render(blob, TILE, RUNS_PER_ROUND).medianMs);
    }
    const [wasmMs, nativeMs] = [median(wasmRounds), median(nativeRounds)];
    const ratios = wasmRounds.map((ms, r) => ms / nativeRounds[r]!);
    return [
      {
        name: 'wasm_vs_native_ratio',
        value: round(median(ratios)),
        unit: 'x',
        wasm_ms: round(wasmMs),
        native_ms: round(nativeMs),
        target: '<= 1.3',
        tile: '128x128',
        spp: TILE.spp,
      },
    ];
  } finally {
    built.renderer.dispose();
  }
}

export const benchmarks: Benchmark[] = [{ names: ['wasm_vs_native_ratio'], run: ratio }];
