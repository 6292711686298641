// The machine this node runs on, its GPU, and what they let me offer now (availability.ts). The
// GPU starts once the CPU is calibrated: its score is measured against the same reference.
import type { ApiEvent, ApiEventType } from '../../../core/api/contract.js';
import { describeError } from '../../../core/errors.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { Executor } from '../../exec/index.js';
import { GpuService, type GpuOptions } from '../../gpu/gpu-service.js';
import { AvailabilityWatch } from './availability.js';
import type { BlenderProbe } from './blender-probe.js';
import type { Kinds } from '../../kinds/seam.js';
import { Machine } from './machine.js';

export interface Hardware {
  machine: Machine;
  gpu: GpuService;
  availability: AvailabilityWatch;
}

export function openHardware(
  dataDir: string,
  gpuOptions: GpuOptions | undefined,
  state: MeshState,
  executor: Executor,
  blender: BlenderProbe,
  kinds: Kinds,
  hooks: {
    /** Power, load or the GPU changed what I may offer. */
    changed: () => void;
    /** The node is stopping or stopped: the GPU is not started any more. */
    stopped: () => boolean;
    /** On battery with "pause on battery": running units are handed back. */
    onBattery: () => void;
    publishSoon: () => void;
    emit: (type: ApiEventType, data: ApiEvent['data']) => void;
    log: (message: string) => void;
  },
): Hardware {
  const machine = new Machine(dataDir, executor, hooks.changed, hooks.log, () => ({
    pauseOnBattery: state.settings.pause_on_battery,
    idleOnly: state.settings.idle_only,
  }));
  const gpu = new GpuService(gpuOptions ?? { mode: 'off' });
  const availability = new AvailabilityWatch(state, machine, gpu, blender, kinds, executor.workers, hooks);
  // Not waited for by stop (a calibration cut short by the sandbox closing is no failure).
  machine.ready
    .then(async () => {
      if (hooks.stopped()) return;
      const status = await gpu.start(machine.info, executor);
      if (status.reason) hooks.log(status.reason);
      hooks.emit('gpu.changed', { state: status.state, reason: status.reason });
      hooks.changed();
    })
    .catch((err) => hooks.log(`starting the GPU failed: ${describeError(err)}`));
  return { machine, gpu, availability };
}
