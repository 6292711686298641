// What this machine is: CPU, RAM, GPUs and their video memory, OS, battery. Read once at start
// (and again when asked) with systeminformation; each call is time-boxed and falls back to what
// Node itself knows, so a VM without a GPU or battery, or a driver that hangs, still gives an answer.
import { createHash } from 'node:crypto';
import { arch, availableParallelism, cpus, platform, release, totalmem } from 'node:os';
// Not the schemas' index nor hardware.ts: the probe's thread loads this file, and no zod with it.
import { canonicalJson } from '../../core/schemas/canonical-json.js';
import { HARDWARE_LIMITS } from '../../core/schemas/hardware-limits.js';
import type { GpuInfo, HardwareInfo } from '../../core/schemas/hardware.js';
import { readPower } from './power.js';
import type { Systeminformation } from 'systeminformation';
import { systemInformation } from './system-information.js';
import { timeBoxed } from './time-box.js';

/** Graphics enumeration runs external tools (lspci, nvidia-smi…): the slowest call, and the one that hangs. */
const GRAPHICS_TIMEOUT_MS = 3_000;
/** The other calls read /proc or the registry and take tens of milliseconds; this is only a safety net. */
const PROBE_TIMEOUT_MS = 5_000;

const GIB = 2 ** 30;
const MAX_TEXT = 128;

/** Probes the hardware. Never throws; what cannot be learned in time is filled from Node's `os` module. */
export async function probeHardware(): Promise<HardwareInfo> {
  const si = await systemInformation();
  const [cpu, mem, graphics, osInfo, power] = await Promise.all([
    timeBoxed(() => si.cpu(), PROBE_TIMEOUT_MS, null),
    timeBoxed(() => si.mem(), PROBE_TIMEOUT_MS, null),
    timeBoxed(() => si.graphics(), GRAPHICS_TIMEOUT_MS, null),
    timeBoxed(() => si.osInfo(), PROBE_TIMEOUT_MS, null),
    readPower(),
  ]);
  const osCpus = cpus();
  const threads =
    whole(cpu?.cores, 1, HARDWARE_LIMITS.threads) ??
    Math.min(Math.max(osCpus.length, availableParallelism(), 1), HARDWARE_LIMITS.threads);
  return {
    cpu: {
      model: text(cpu ? `${cpu.manufacturer} ${cpu.brand}` : '') || text(osCpus[0]?.model) || 'unknown',
      vendor: text(cpu?.vendor) || text(cpu?.manufacturer) || 'unknown',
      cores: Math.min(whole(cpu?.physicalCores, 1, HARDWARE_LIMITS.threads) ?? threads, threads),
      threads,
      speed_ghz: within(cpu?.speed, 0, 100) ?? within((osCpus[0]?.speed ?? 0) / 1000, 0, 100) ?? 0,
    },
    ram_gb: round((within(mem?.total, 1, Number.MAX_SAFE_INTEGER) ?? totalmem()) / GIB, 1),
    gpus: (graphics?.controllers ?? []).slice(0, HARDWARE_LIMITS.gpus).map(gpuInfo),
    os: {
      platform: text(osInfo?.platform) || platform(),
      distro: text(osInfo?.distro),
      release: text(osInfo?.release) || text(release()),
      arch: text(osInfo?.arch) || arch(),
    },
    power,
  };
}

/**
 * A hash of what makes this machine this machine for calibration: CPU model and thread count, RAM
 * (whole GiB, so a few MiB reserved differently after an update do not count) and GPU models and
 * VRAM. Battery, load, OS version and clock speed (which varies with power plans) are left out.
 */
export function hardwareFingerprint(info: HardwareInfo): string {
  const stable = {
    cpu_model: info.cpu.model,
    threads: info.cpu.threads,
    ram_gb: Math.round(info.ram_gb),
    // Sorted: the order in which a driver lists two cards is not part of the machine.
    gpus: info.gpus
      .map((gpu) => ({ model: gpu.model, vram_gb: gpu.vram_gb }))
      .sort((a, b) => compare(canonicalJson(a), canonicalJson(b))),
  };
  return createHash('sha256').update(canonicalJson(stable)).digest('hex');
}

function gpuInfo(controller: Systeminformation.GraphicsControllerData): GpuInfo {
  // Integrated GPUs report the shared system memory they may borrow (vramDynamic): not dedicated VRAM.
  const vramMib = controller.vramDynamic ? undefined : within(controller.vram, 1, Number.MAX_SAFE_INTEGER);
  return {
    model: text(controller.model) || 'unknown',
    vendor: text(controller.vendor) || 'unknown',
    vram_gb: vramMib === undefined ? null : round(vramMib / 1024, 2),
  };
}

/** Trimmed, cut to what the schema allows; '' for anything that is not a string. */
function text(value: unknown): string {
  return typeof value === 'string' ? value.trim().slice(0, MAX_TEXT) : '';
}

/** `value` when it is a finite number in [min, max], else undefined. */
function within(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : undefined;
}

function whole(value: unknown, min: number, max: number): number | undefined {
  const n = within(value, min, max);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
