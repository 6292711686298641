// A long render submitted to a real daemon of one worker (npm run bench -- render_submit): 100
// frames of the sample scene at 1920×1080 in 64-px tiles, 51,000 tiles. Its fuel pre-pass is a
// pixel and a coarse tile per tile, a frame; a submit answers once its first step of frames is
// estimated and journaled (render-submits.ts), and the rest are estimated after.
// - render_submit_100_frames_ms: from `render.submit` to the job id in hand, the median of ROUNDS;
// - the baseline, same run, same daemon: the same scene as one frame (`one_frame_ms`), the least a
//   render submit waits. The ratio is what the other 99 frames add to the wait;
// - `all_units_made_s`: until the job's every unit is journaled (`units_created`), the whole pre-pass.
// Each job is cancelled once timed.
import { sampleSceneJson } from '../test/node/fixtures/sample-scene.js';
import { startDaemonProcess, type DaemonProcess } from './fixtures/daemon-process.js';
import { median, round, sleep, type Benchmark } from './harness.js';

const FRAMES = 100;
const JOB = { width: 1920, height: 1080, spp: 16, tile: 64, seed: 0, budget: 1e12, manual_accept: true };
const ROUNDS = 3;
const MADE_TIMEOUT_MS = 120_000;

/** Milliseconds to the job id, and seconds until its every unit was made (once `untilMade`). */
async function submit(daemon: DaemonProcess, frames: number): Promise<{ ms: number; madeS: number; units: number }> {
  const started = performance.now();
  const { job_id, units } = await daemon.api.call('render.submit', {
    scene: sampleSceneJson() as never,
    first_frame: 0,
    last_frame: frames - 1,
    ...JOB,
  });
  const ms = performance.now() - started;
  for (;;) {
    const { job } = await daemon.api.call('jobs.status', { job_id });
    if (job.units_created === job.units_total) break;
    if (job.state !== 'running') throw new Error(`the render job ended ${job.state}: ${job.cancel_reason}`);
    if (performance.now() - started > MADE_TIMEOUT_MS) throw new Error('its units were not all made in time');
    await sleep(20);
  }
  const madeS = (performance.now() - started) / 1000;
  await daemon.api.call('jobs.cancel', { job_id });
  return { ms, madeS, units };
}

export const benchmarks: Benchmark[] = [
  {
    names: ['render_submit_100_frames_ms'],
    async run() {
      const daemon = await startDaemonProcess({ name: 'render-submit', workers: 1 });
      try {
        await submit(daemon, 1); // warm-up: compiles the kernel in the worker
        const one: number[] = [];
        const long: { ms: number; madeS: number; units: number }[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          one.push((await submit(daemon, 1)).ms);
          long.push(await submit(daemon, FRAMES));
        }
        const ms = median(long.map((l) => l.ms));
        return [
          {
            name: 'render_submit_100_frames_ms',
            value: round(ms, 0),
            unit: 'ms',
            one_frame_ms: round(median(one), 0),
            ratio_to_one_frame: round(ms / median(one), 2),
            all_units_made_s: round(median(long.map((l) => l.madeS)), 2),
            frames: FRAMES,
            tiles: FRAMES * 510,
            // Units as the node made them: n×n tiles a unit when a tile alone is too small (core/render/unit-side.ts).
            units: long[0]!.units,
            ...JOB,
          },
        ];
      } finally {
        await daemon.stop();
      }
    },
  },
];
