// A render job of one 4K frame in 16-px tiles (32,400 tiles; the node renders them n×n to a unit,
// `unit_side` and `units` below: core/render/unit-side.ts) across two real daemons on loopback,
// a requester and a provider of two workers, against the same frame rendered here on a pool of
// the same two workers, in the same run:
// - render_4k_mesh_ratio (report): the mesh's seconds from submission to the frame's PNG over the
//   local render's (tiles and PNG). Throws unless the mesh's PNG is byte for byte the local one's.
//   A verdict read the whole frame's tiles before (163 s for this frame through the mesh).
import { createHash } from 'node:crypto';
import { compileSceneJson } from '../src-main/core/render/index.js';
import { Executor } from '../src-main/node/exec/index.js';
import { renderFrameLocal } from '../src-main/node/render/local.js';
import { encodeFramePng } from '../src-main/node/render/png.js';
import { sampleSceneJson } from '../test/node/fixtures/sample-scene.js';
import { EventWatch, startDaemonProcess, trustEachOther, type DaemonProcess } from './fixtures/daemon-process.js';
import { round, type Benchmark } from './harness.js';

const FRAME = { frame: 0, width: 3840, height: 2160, spp: 1, tile: 16, seed: 0 };
const WORKERS = 2;
const JOB_TIMEOUT_MS = 300_000;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function localPng(): Promise<{ ms: number; png: Uint8Array; tiles: number }> {
  const pool = Executor.start({ workers: WORKERS });
  try {
    const blob = compileSceneJson(sampleSceneJson(), FRAME.frame);
    if (!blob.ok) throw new Error(blob.error.message);
    const started = performance.now();
    const frame = await renderFrameLocal(pool, { sceneBlob: blob.value, ...FRAME });
    const png = encodeFramePng(FRAME.width, FRAME.height, frame.rgba);
    return { ms: performance.now() - started, png, tiles: frame.tiles };
  } finally {
    await pool.close();
  }
}

/** Waits until a daemon has calibrated (it offers nothing before). */
async function calibrated(daemon: DaemonProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await daemon.api.call('status', {})).calibration) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('a daemon did not calibrate in 30 s');
}

async function meshPng(): Promise<{ ms: number; submitMs: number; png: Uint8Array; side: number; units: number }> {
  const daemons: DaemonProcess[] = [];
  try {
    const requester = await startDaemonProcess({ name: 'requester', workers: 1 });
    daemons.push(requester);
    const provider = await startDaemonProcess({ name: 'provider', workers: WORKERS });
    daemons.push(provider);
    await trustEachOther(requester, provider);
    await Promise.all(daemons.map(calibrated));
    const events = await EventWatch.open(requester.api);
    const started = performance.now();
    const { frame, ...spec } = FRAME;
    const {
      job_id,
      tile: side,
      units,
    } = await requester.api.call('render.submit', {
      scene: sampleSceneJson() as never,
      first_frame: frame,
      last_frame: frame,
      ...spec,
      gpu: 'forbidden',
      budget: 1_000_000_000_000,
    });
    const submitMs = performance.now() - started;
    const done = await events.next((e) => e.type === 'job.completed' && e.data['job_id'] === job_id, JOB_TIMEOUT_MS);
    events.close();
    const { png_base64 } = await requester.api.call('jobs.frame', { job_id, frame });
    return { ms: done - started, submitMs, png: Buffer.from(png_base64, 'base64'), side, units };
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
  }
}

export const benchmarks: Benchmark[] = [
  {
    names: ['render_4k_mesh_ratio'],
    async run() {
      const local = await localPng();
      const mesh = await meshPng();
      if (sha256(mesh.png) !== sha256(local.png))
        throw new Error("the mesh's 4K frame differs from the local render's");
      return [
        {
          name: 'render_4k_mesh_ratio',
          value: round(mesh.ms / local.ms, 2),
          unit: 'ratio',
          target: 'report',
          mesh_s: round(mesh.ms / 1000, 1),
          local_s: round(local.ms / 1000, 1),
          submit_ms: round(mesh.submitMs, 0),
          tiles: local.tiles,
          // The tiles as the node rendered them, a unit each (n×n of the 16-px tiles: core/render/unit-side.ts).
          unit_side: mesh.side,
          units: mesh.units,
          mesh_tiles_per_s: round((local.tiles * 1000) / mesh.ms, 0),
          png_identical: true,
          ...FRAME,
          workers: WORKERS,
        },
      ];
    },
  },
];
