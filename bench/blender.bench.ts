// Blender in its sandbox (docs/BLENDER.md), on a 160×120 scene at 32 samples:
// - blender_preflight_ms and blender_tile_overhead_pct (a frame as 2×2 border tiles, all rendered
//   by one Blender, against the whole frame; _per_start: a Blender started for each tile, as the
//   mesh's tile units are), each the median of a few runs on this machine;
// - blender_mesh_overhead_pct (target <= 15, issue 75): a 4-frame job (a unit a frame) over two
//   providers of one worker each, three real daemons (child processes on loopback), from its
//   submission (the user's Render, after the preflight was shown as the app and meshctl show it:
//   preflight_ms, and with_preflight_pct_by_round were it counted) until every frame is verified
//   (the submit's own preflight of the same bytes is the one kept by then), against the
//   same frames rendered by the sandboxed Blender here, two at a time (the providers' workers), in
//   the same run, rounds alternating. Measured as separate machines would run it (as
//   render-mesh.bench.ts does, fixtures/cores.ts): the requester on cores of its own, the
//   providers on theirs (on two cores: CPU 0, and both on CPU 1), the local frames on the
//   providers' cores; blender_mesh_overhead_pct_shared: the same rounds with every process on
//   every core. Each provider takes two frames a round (a quota): as the frames test says, the
//   first provider to offer would otherwise take all four (a pipeline holds 8);
// - blender_verify_pct: the requester's re-renders (a quarter-frame crop of each frame, its
//   `blender.checked` events) as a share of the providers' renders of the job (the units' seconds).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderSettings } from '../src-main/core/blender/args.js';
import { tileGrid } from '../src-main/core/blender/tiles.js';
import { findBlender } from '../src-main/node/blender/install.js';
import { preflightInSandbox } from '../src-main/node/blender/preflight.js';
import { renderFrameLocal } from '../src-main/node/blender/local.js';
import { renderInSandbox } from '../src-main/node/blender/render.js';
import { makeScene, tempFolder } from '../test/node/blender/scenes.js';
import { median, round, type Benchmark, type Figure } from './harness.js';
import { meshFigures } from './fixtures/blender-mesh.js';

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
    /** The frame as 2×2 tiles all rendered by one Blender (renderFrameLocal), stitched. */
    const oneStartMs = async (): Promise<number> => {
      const started = performance.now();
      const settings = { file: 'scene.blend', frame: 1, samples: 32, seed: 1, width: WIDTH, height: HEIGHT };
      await renderFrameLocal({ blender, unitDir: unit(), ...settings, tiles: { cols: 2, rows: 2 }, limits: LIMITS });
      return performance.now() - started;
    };
    const preflight: number[] = [];
    const whole: number[] = [];
    const tiled: number[] = [];
    const oneStart: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const started = performance.now();
      const checked = await preflightInSandbox(blender, unit(), 'scene.blend');
      if (!checked.ok) throw new Error(checked.reason);
      preflight.push(performance.now() - started);
      whole.push(await renderMs());
      let sum = 0;
      for (const rect of tileGrid(WIDTH, HEIGHT, 2, 2)) sum += await renderMs({ rect, width: WIDTH, height: HEIGHT });
      tiled.push(sum);
      oneStart.push(await oneStartMs());
    }
    const wholeMs = median(whole);
    return [
      { name: 'blender_preflight_ms', value: round(median(preflight), 0), unit: 'ms', target: '<= 2000' },
      {
        name: 'blender_tile_overhead_pct',
        value: round((median(oneStart) / wholeMs - 1) * 100, 1),
        unit: '%',
        target: '<= 10',
        whole_ms: round(wholeMs, 0),
        tiles_ms: round(median(oneStart), 0),
        tiles: '2x2, by one Blender',
      },
      {
        name: 'blender_tile_overhead_pct_per_start',
        value: round((median(tiled) / wholeMs - 1) * 100, 1),
        unit: '%',
        target: 'report',
        whole_ms: round(wholeMs, 0),
        tiles_ms: round(median(tiled), 0),
        tiles: '2x2, a Blender each (as tile units on the mesh)',
      },
    ];
  } finally {
    folder.done();
  }
}

export const benchmarks: Benchmark[] = [
  { names: ['blender_preflight_ms', 'blender_tile_overhead_pct', 'blender_tile_overhead_pct_per_start'], run: figures },
  {
    names: ['blender_mesh_overhead_pct', 'blender_mesh_overhead_pct_shared', 'blender_verify_pct'],
    run: meshFigures,
  },
];
