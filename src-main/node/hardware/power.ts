// Battery and AC state, so a laptop can stop sharing when it is unplugged.
//
// MESH_POWER_OVERRIDE=battery|ac pretends the machine runs on battery (battery) or on mains (ac),
// for tests and demos on machines with no battery. It is read on every call, so it can be set
// while a node runs; any other value is ignored.
import type { PowerState } from '../../core/schemas/hardware.js';
import { systemInformation } from './system-information.js';
import { timeBoxed } from './time-box.js';

/** Reading the battery is a file read on Linux and a WMI query on Windows, which can stall. */
const POWER_TIMEOUT_MS = 3_000;

const NO_BATTERY: PowerState = { has_battery: false, on_battery: false, percent: null };

/** The machine's power state, with MESH_POWER_OVERRIDE applied. Never throws; unknown means no battery. */
export async function readPower(env: NodeJS.ProcessEnv = process.env): Promise<PowerState> {
  const si = await systemInformation();
  const battery = await timeBoxed(() => si.battery(), POWER_TIMEOUT_MS, null);
  const real: PowerState = battery?.hasBattery
    ? {
        has_battery: true,
        on_battery: !battery.acConnected,
        percent: Number.isFinite(battery.percent) ? Math.min(100, Math.max(0, battery.percent)) : null,
      }
    : NO_BATTERY;
  const override = env.MESH_POWER_OVERRIDE;
  if (override === 'battery') return { ...real, has_battery: true, on_battery: true };
  if (override === 'ac') return { ...real, on_battery: false };
  return real;
}
