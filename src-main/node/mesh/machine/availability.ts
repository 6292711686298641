// What this node offers now, from its state and what it knows of the machine: core/availability
// decides, this gathers its inputs (the clock, the calibration, the GPU, the load, the power).
import { totalmem } from 'node:os';
import { currentAvailability, USER_IDLE_SECONDS, type Availability } from '../../../core/availability/index.js';
import type { ApiEvent, ApiEventType } from '../../../core/api/contract.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { GpuService } from '../../gpu/gpu-service.js';
import type { Kinds } from '../../kinds/seam.js';
import { iso } from '../context/node-context.js';
import type { BlenderProbe } from './blender-probe.js';
import type { Machine } from './machine.js';

/**
 * What I offer now (core/availability): the slots of my weekly windows and one-off slots in force,
 * capped by the machine and the CPU cap — or, with none set, all my workers for the next hour —
 * unless sharing is off, I run on battery with "pause on battery", other programs keep the CPU
 * busy with "only when idle", or the calibration has not finished (my offers would be guesses).
 * Sharing is still gated by trust: nobody untrusted sees my slots.
 */
function availabilityNow(
  state: MeshState,
  machine: Machine,
  gpu: GpuService,
  blender: BlenderProbe,
  kinds: Kinds,
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
    // Read only where it decides anything: unwatched, each read samples the OS's CPU counters (os.cpus()).
    otherLoadPct: state.settings.idle_only ? machine.otherLoadPct() : null,
    userIdleSeconds: machine.userIdleSeconds,
    // Every kind's algorithms, as my GPU and my Blender allow (node/kinds).
    algorithms: kinds.offers({ shaders: gpu.acceptsShaderUnits, blender: blender.algorithm(), renderScore: score }),
  });
  // A slot already open counts from now: the scheduler sizes a slot by its length.
  const fromNow = iso(nowMs);
  return {
    ...current,
    slots: current.slots.map((s) => (Date.parse(s.start_time) < nowMs ? { ...s, start_time: fromNow } : s)),
  };
}

/** My availability as it changes: told when it may have, it says so once each time it does. */
export class AvailabilityWatch {
  /** Why I offer nothing, as last told (null: I offer). */
  #pausedReason: string | null = null;

  constructor(
    private readonly state: MeshState,
    private readonly machine: Machine,
    private readonly gpu: GpuService,
    private readonly blender: BlenderProbe,
    private readonly kinds: Kinds,
    private readonly workers: number,
    private readonly hooks: {
      emit(type: ApiEventType, data: ApiEvent['data']): void;
      /** I went on battery with "pause on battery": running units go back. */
      onBattery(): void;
      publishSoon(): void;
    },
  ) {}

  now(): Availability {
    return availabilityNow(this.state, this.machine, this.gpu, this.blender, this.kinds, this.workers, Date.now());
  }

  /** Power, load, settings or windows changed: an event when whether (or why not) I offer changed; republished. */
  changed(): void {
    const { paused } = this.now();
    if ((paused?.reason ?? null) !== this.#pausedReason) {
      this.#pausedReason = paused?.reason ?? null;
      this.hooks.emit('availability.changed', {
        offering: paused === null,
        reason: paused?.reason ?? null,
        message: paused?.message ?? null,
      });
      if (paused?.reason === 'on_battery') this.hooks.onBattery();
    }
    this.hooks.publishSoon();
  }

  /** The person's idle seconds; true when that moved them across "away" (only-when-idle may change). */
  userIdle(seconds: number): boolean {
    const away = (s: number | null) => s === null || s >= USER_IDLE_SECONDS;
    const changed = away(this.machine.userIdleSeconds) !== away(seconds);
    this.machine.userIdleSeconds = seconds;
    return changed;
  }
}
