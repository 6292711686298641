// How fast this machine runs our kernels: the render kernel on a fixed scene, on every worker at
// once, gives fuel per second per worker. Fuel is the same on every machine, so a unit's fuel
// divided by this rate is how long it will take here: the time estimate behind an offer.
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJson } from '../../core/schemas/index.js';
import { CalibrationSchema, type Calibration, type HardwareInfo } from '../../core/schemas/hardware.js';
import { compileSceneJson, splitFrame, tileParams, type SceneInput } from '../../core/render/index.js';
import { cidOfBytes } from '../blobs/cid.js';
import type { Executor } from '../exec/index.js';
import { loadKernel } from '../exec/kernels.js';
import { hardwareFingerprint, probeHardware } from './probe.js';

/**
 * One core of a fast desktop CPU on the render kernel: a worker this fast or faster scores 1.
 * Set at about 4× one worker of the 2-core 2.5 GHz Xeon VM the project is built on, which
 * measured ~7.3·10⁹ fuel/s per worker with both workers busy and the VM otherwise idle, so that
 * VM scores about 0.25.
 */
export const REFERENCE_FUEL_PER_SECOND = 3e10;

export const CALIBRATION_FILE = 'calibration.json';
const DEFAULT_CALIBRATION_MS = 600;
const WARM_UP_MS = 100;

/** Longer than any calibration.json we write; a bigger file is not ours and is not parsed. */
const MAX_FILE_CHARS = 16 * 1024;

/**
 * The scene calibration renders, fixed here rather than read from assets/ so that editing the
 * sample scene cannot change what "fast" means. It has every kind of material and a small mesh,
 * so the rate covers the kernel's whole mix of work, not one code path.
 */
const CALIBRATION_SCENE: SceneInput = {
  camera: { position: [0, 1.6, 6], look_at: [0, 0.8, 0], fov: 45 },
  materials: {
    floor: { type: 'diffuse', albedo: [0.6, 0.6, 0.55] },
    red: { type: 'diffuse', albedo: [0.7, 0.2, 0.15] },
    steel: { type: 'metal', albedo: [0.85, 0.85, 0.9], roughness: 0.2 },
    glass: { type: 'glass', ior: 1.5 },
    lamp: { type: 'emissive', color: [1, 0.9, 0.7], strength: 6 },
  },
  planes: [{ point: [0, 0, 0], normal: [0, 1, 0], material: 'floor' }],
  spheres: [
    { center: [-1.6, 0.8, 0], radius: 0.8, material: 'red' },
    { center: [0, 0.8, -0.6], radius: 0.8, material: 'steel' },
    { center: [1.6, 0.8, 0], radius: 0.8, material: 'glass' },
    { center: [0.6, 0.25, 1.5], radius: 0.25, material: 'lamp' },
  ],
  meshes: [
    {
      vertices: [
        [-1, 0, -1],
        [1, 0, -1],
        [1, 0, 1],
        [-1, 0, 1],
        [0, 1.4, 0],
      ],
      faces: [
        [0, 4, 1],
        [1, 4, 2],
        [2, 4, 3],
        [3, 4, 0],
        [0, 1, 2],
        [0, 2, 3],
      ],
      material: 'steel',
      translate: [-0.7, 0, 1.6],
      scale: 0.4,
    },
  ],
  sky: {
    horizon: [0.8, 0.8, 0.85],
    zenith: [0.3, 0.5, 0.9],
    sun_direction: [0.4, 0.8, 0.3],
    sun_color: [3, 2.8, 2.4],
    sun_size: 10,
  },
  max_depth: 6,
};

/**
 * Units of 32×32 pixels at 16 spp: ~33·10⁶ fuel, ~6 ms each here. Smaller tiles measure the cost of
 * starting a unit more than the kernel (8×8 tiles read ~30% slower); real render units (64×64 by
 * default) are larger still, and units this size still leave a short tail at the deadline.
 */
export const CALIBRATION_FRAME = { width: 128, height: 128, tile: 32, spp: 16, seed: 1 } as const;
const FRAME = CALIBRATION_FRAME;

let sceneBlob: Uint8Array | undefined;

/** The calibration scene's blob (the GPU calibration renders it too, node/gpu/gpu-service.ts). */
export function calibrationScene(): Uint8Array {
  if (!sceneBlob) {
    const compiled = compileSceneJson(CALIBRATION_SCENE, 0);
    if (!compiled.ok) throw new Error(`the calibration scene does not compile: ${compiled.error.message}`); // a bug in this file
    sceneBlob = compiled.value;
  }
  return sceneBlob;
}

export interface CalibrateOptions {
  /** How long to measure, after a short warm-up; the default is DEFAULT_CALIBRATION_MS. */
  durationMs?: number;
  /** The machine measured; probed when not given. */
  hardware?: HardwareInfo;
}

/**
 * Renders tiles of the calibration scene on all of the executor's workers at once until
 * `durationMs` has passed. The rate is the fuel of the measured units over the sum of their own
 * wall times (each unit's time inside its worker): fuel per second of one busy worker, with every
 * other worker busy too, as units really run (they share caches, memory bandwidth and turbo
 * headroom). Time spent between units (queueing, the thread hop) is left out: an estimate is of
 * how long a unit runs, and that overhead is the same small constant on every machine.
 * Rejects with the executor's ExecError if a unit fails (the executor was closed, say).
 */
export async function calibrate(executor: Executor, options: CalibrateOptions = {}): Promise<Calibration> {
  const durationMs = options.durationMs ?? DEFAULT_CALIBRATION_MS;
  const hardware = options.hardware ?? (await probeHardware());
  const module = loadKernel('render');
  const input = calibrationScene();
  const tiles = splitFrame(FRAME.width, FRAME.height, FRAME.tile);
  if (!tiles.ok) throw new Error(tiles.error); // a bug in FRAME
  let next = 0;
  const runTile = () => {
    const tile = tiles.value[next++ % tiles.value.length]!;
    return executor.run({
      module,
      input,
      params: { ...tileParams(0, FRAME.width, FRAME.height, tile, FRAME.spp, FRAME.seed) },
    });
  };

  // Start-up is not how fast this machine is: the first round meters the module and compiles it
  // in every worker (the first units here run ~30% slower), the next lets hot code tier up.
  await runLanes(executor.workers, 0, runTile);
  await runLanes(executor.workers, Math.min(WARM_UP_MS, durationMs / 4), runTile);
  const measured = await runLanes(executor.workers, durationMs, runTile);
  const fuelPerSecond = measured.fuel / (measured.busyMs / 1000);
  return {
    fingerprint: hardwareFingerprint(hardware),
    kernel_cid_or_version: cidOfBytes(module),
    fuel_per_second: fuelPerSecond,
    workers: executor.workers,
    performance_score: Math.min(1, fuelPerSecond / REFERENCE_FUEL_PER_SECOND),
    measured_at: new Date().toISOString(),
  };
}

/**
 * Keeps two units per worker in flight (so a worker finishing one finds the next already queued)
 * until `durationMs` has passed, and sums what the units report. Each lane runs at least one unit.
 */
async function runLanes(workers: number, durationMs: number, runTile: () => Promise<{ fuel: number; wallMs: number }>) {
  const deadline = performance.now() + durationMs;
  const total = { fuel: 0, busyMs: 0 };
  const lane = async () => {
    do {
      const unit = await runTile();
      total.fuel += unit.fuel;
      total.busyMs += unit.wallMs;
    } while (performance.now() < deadline);
  };
  await Promise.all(Array.from({ length: workers * 2 }, lane));
  return total;
}

/** Seconds a unit of `fuel` takes on one worker of the calibrated machine. */
export function estimateSeconds(fuel: number, calibration: Calibration): number {
  return Math.max(0, fuel) / calibration.fuel_per_second;
}

/**
 * The calibration kept in `<dataDir>/calibration.json` when it still describes this machine (same
 * hardware fingerprint, worker count and kernel), else a new one, saved (mode 0600). A file that is
 * missing, unreadable or not a valid calibration is measured again and replaced.
 */
export async function loadOrCalibrate(
  dataDir: string,
  info: HardwareInfo,
  executor: Executor,
  options: Pick<CalibrateOptions, 'durationMs'> = {},
): Promise<{ calibration: Calibration; fresh: boolean }> {
  const path = join(dataDir, CALIBRATION_FILE);
  const saved = readCalibration(path);
  if (
    saved !== undefined &&
    saved.fingerprint === hardwareFingerprint(info) &&
    saved.workers === executor.workers &&
    saved.kernel_cid_or_version === cidOfBytes(loadKernel('render'))
  ) {
    return { calibration: saved, fresh: false };
  }
  const calibration = await calibrate(executor, { ...options, hardware: info });
  // Written aside and renamed over: a crash mid-write leaves the old file or the new, never half of one.
  const partial = `${path}.partial`;
  writeFileSync(partial, `${JSON.stringify(calibration, null, 2)}\n`, { mode: 0o600 });
  chmodSync(partial, 0o600); // in case a stale .partial with looser permissions was written over
  renameSync(partial, path);
  return { calibration, fresh: true };
}

function readCalibration(path: string): Calibration | undefined {
  let text: string;
  try {
    if (statSync(path).size > MAX_FILE_CHARS * 4) return undefined; // not ours; not worth reading (4 bytes per char at most)
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // missing or unreadable: measure again
  }
  const decoded = decodeJson(CalibrationSchema, text, MAX_FILE_CHARS);
  return decoded.ok ? decoded.value : undefined;
}
