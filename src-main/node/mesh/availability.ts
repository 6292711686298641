// What this node offers now, from its state and what it knows of the machine: core/availability
// decides, this gathers its inputs (the clock, the calibration, the GPU, the load, the power).
import { totalmem } from 'node:os';
import { currentAvailability, type Availability } from '../../core/availability/index.js';
import type { MeshState } from '../../core/mesh/state.js';
import type { GpuService } from '../gpu/gpu-service.js';
import { ALGORITHM_VERSION, RENDER_ALGORITHM } from '../../core/protocol/algorithm-ids.js';
import { supportedAlgorithms } from './algorithms.js';
import { iso } from './context.js';
import type { Machine } from './machine.js';

/**
 * What I offer now (core/availability): the slots of my weekly windows and one-off slots in force,
 * capped by the machine and the CPU cap — or, with none set, all my workers for the next hour —
 * unless sharing is off, I run on battery with "pause on battery", other programs keep the CPU
 * busy with "only when idle", or the calibration has not finished (my offers would be guesses).
 * Sharing is still gated by trust: nobody untrusted sees my slots.
 */
export function availabilityNow(
  state: MeshState,
  machine: Machine,
  gpu: GpuService,
  workers: number,
  nowMs: number,
): Availability {
  if (!machine.calibration)
    return {
      slots: [],
      paused: {
        reason: 'calibrating',
        message: "measuring this machine's speed (a second or so after the first start)",
      },
    };
  // With a GPU ready, render tiles that allow it run there: its score is the render score.
  const score = gpu.status.performance_score ?? machine.calibration.performance_score;
  const vram = gpu.slotVramGb ?? 0;
  const current = currentAvailability({
    nowMs,
    utcOffsetMinutes: (ms) => -new Date(ms).getTimezoneOffset(),
    sharing: state.sharing,
    windows: [...state.windows.values()],
    oneOffs: [...state.slots.values()],
    settings: state.settings,
    machine: {
      threads: workers,
      ram_gb: machine.info?.ram_gb ?? totalmem() / 2 ** 30,
      ...(vram > 0 ? { vram_gb: vram } : {}),
    },
    power: machine.power,
    otherLoadPct: machine.otherLoadPct(),
    userIdleSeconds: machine.userIdleSeconds,
    algorithms: supportedAlgorithms(gpu.acceptsShaderUnits).map((id) => ({
      algorithm_id: id,
      version: ALGORITHM_VERSION,
      supported: true,
      performance_score: id === RENDER_ALGORITHM ? score : 1,
    })),
  });
  // A slot already open counts from now: the scheduler sizes a slot by its length.
  const fromNow = iso(nowMs);
  return {
    ...current,
    slots: current.slots.map((s) => (Date.parse(s.start_time) < nowMs ? { ...s, start_time: fromNow } : s)),
  };
}
