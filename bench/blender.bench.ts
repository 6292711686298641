// Blender in its sandbox (docs/BLENDER.md): the preflight's time, a frame as 2×2 border tiles
// against the whole frame, and a requester's check (a random quarter-frame crop re-rendered) as a
// share of the frame's render. Each is the median of a few runs on a 160×120 scene at 32 samples.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderSettings } from '../src-main/core/blender/args.js';
import { pickCrops } from '../src-main/core/blender/crops.js';
import { tileGrid } from '../src-main/core/blender/tiles.js';
import { findBlender } from '../src-main/node/blender/install.js';
import { preflightInSandbox } from '../src-main/node/blender/preflight.js';
import { renderInSandbox } from '../src-main/node/blender/render.js';
import { makeScene, tempFolder } from '../test/node/blender/scenes.js';
import { median, round, type Benchmark, type Figure } from './harness.js';

const RUNS = 3;
const WIDTH = 160;
const HEIGHT = 120;
const LIMITS = { memoryBytes: 4 * 2 ** 30, fileBytes: 256 * 2 ** 20, wallMs: 300_000, stallMs: 120_000 };

async function figures(): Promise<Figure[]> {
  const found = await findBlender();
  if (!found.ok) throw new Error(`blender benchmarks need Blender in its sandbox: ${found.reason}`);
  const blender = found.install.path;
  const folder = tempFolder('blender-bench-');
  try {
    const scene = join(folder.dir, 'scene.blend');
    makeScene(scene, `s.render.resolution_x = ${WIDTH}\ns.render.resolution_y = ${HEIGHT}`);
    let units = 0;
    const unit = (): string => {
      const dir = join(folder.dir, `unit-${units++}`);
      mkdirSync(dir);
      copyFileSync(scene, join(dir, 'scene.blend'));
      return dir;
    };
    const renderMs = async (tile?: RenderSettings['tile']): Promise<number> => {
      const settings = { file: 'scene.blend', frame: 1, samples: 32, seed: 1, ...(tile ? { tile } : {}) };
      const done = await renderInSandbox({ blender, unitDir: unit(), settings, limits: LIMITS });
      if (!done.ok) throw new Error(done.reason);
      return done.ms;
    };
    const preflight: number[] = [];
    const whole: number[] = [];
    const tiled: number[] = [];
    const crops: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const started = performance.now();
      const checked = await preflightInSandbox(blender, unit(), 'scene.blend');
      if (!checked.ok) throw new Error(checked.reason);
      preflight.push(performance.now() - started);
      whole.push(await renderMs());
      let sum = 0;
      for (const rect of tileGrid(WIDTH, HEIGHT, 2, 2)) sum += await renderMs({ rect, width: WIDTH, height: HEIGHT });
      tiled.push(sum);
      // A quarter of the frame (half its width and height) where a requester's check would draw it.
      const [rect] = pickCrops(WIDTH, HEIGHT, 1, 0.5, Math.random);
      if (rect) crops.push(await renderMs({ rect, width: WIDTH, height: HEIGHT }));
    }
    const wholeMs = median(whole);
    return [
      { name: 'blender_preflight_ms', value: round(median(preflight), 0), unit: 'ms', target: '<= 2000' },
      {
        name: 'blender_tile_overhead_pct',
        value: round((median(tiled) / wholeMs - 1) * 100, 1),
        unit: '%',
        target: '<= 10',
        whole_ms: round(wholeMs, 0),
        tiles_ms: round(median(tiled), 0),
        tiles: '2x2',
      },
      {
        name: 'blender_verify_pct',
        value: round((median(crops) / wholeMs) * 100, 1),
        unit: '%',
        crop: 'a quarter of the frame',
        crop_ms: round(median(crops), 0),
      },
    ];
  } finally {
    folder.done();
  }
}

export const benchmarks: Benchmark[] = [
  { names: ['blender_preflight_ms', 'blender_tile_overhead_pct', 'blender_verify_pct'], run: figures },
];
