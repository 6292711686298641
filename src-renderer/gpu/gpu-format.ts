// How the node's GPU reads in the UI: the dashboard's GPU line (the adapter and its speed, or why
// GPU units are off) and, on a finished render job, how many of its tiles a GPU rendered.
import type { UnitView } from '../../src-main/core/api/contract.js';
import type { AdapterInfo, GpuStatus } from '../../src-main/core/gpu/index.js';
import { formatCount, formatGiB } from '../format.js';

/** WebGPU names vendors in lower case ("nvidia"); these read better as the vendors write them. */
const VENDOR_NAMES: Record<string, string> = {
  nvidia: 'NVIDIA',
  amd: 'AMD',
  ati: 'AMD',
  intel: 'Intel',
  apple: 'Apple',
  google: 'Google',
  qualcomm: 'Qualcomm',
  arm: 'Arm',
  microsoft: 'Microsoft',
};

/**
 * The adapter as a person names it: the driver's description when it gives one (it names the
 * card: "NVIDIA GeForce RTX 4090"), else the vendor and architecture ("NVIDIA hopper").
 */
export function adapterName(adapter: AdapterInfo | null): string {
  if (!adapter) return 'an unnamed adapter';
  const description = adapter.description.trim();
  if (description) return description;
  const vendor = adapter.vendor.trim();
  const parts = [
    VENDOR_NAMES[vendor.toLowerCase()] ?? vendor,
    adapter.architecture.trim() || adapter.device.trim(),
  ].filter((part) => part !== '');
  return parts.length > 0 ? parts.join(' ') : 'an unnamed adapter';
}

export type GpuSummary =
  | {
      state: 'ready';
      adapter: string;
      software: boolean;
      /** VRAM, speed and score, as known, e.g. "80 GB VRAM · 1.2 M samples/s · score 0.85". */ figures: string;
    }
  | { state: 'starting'; text: string }
  | { state: 'off'; reason: string };

/** What the dashboard's GPU line says for the node's GPU status. */
export function summarizeGpu(gpu: GpuStatus): GpuSummary {
  if (gpu.state === 'starting') return { state: 'starting', text: 'starting…' };
  // The node's reason is shown as it wrote it: it names what to install or which flag to pass.
  if (gpu.state === 'off') return { state: 'off', reason: gpu.reason ?? 'GPU units are off' };
  const figures = [
    gpu.vram_gb === null ? null : `${formatGiB(gpu.vram_gb)} VRAM`,
    gpu.samples_per_second === null ? null : `${formatCount(gpu.samples_per_second)} samples/s`,
    gpu.performance_score === null ? null : `score ${gpu.performance_score.toFixed(2)}`,
  ];
  return {
    state: 'ready',
    adapter: adapterName(gpu.adapter),
    software: gpu.adapter?.is_fallback ?? false,
    figures: figures.filter((f) => f !== null).join(' · '),
  };
}

export interface TileDevices {
  /** Tiles with a verified result. */
  verified: number;
  /** Of those, the ones whose verified result a GPU rendered. */
  gpu: number;
}

/** Where a job's verified tiles ran, from jobs.status's units. */
export function countTileDevices(units: ReadonlyArray<Pick<UnitView, 'status' | 'device'>>): TileDevices {
  const verified = units.filter((u) => u.status === 'verified');
  return { verified: verified.length, gpu: verified.filter((u) => u.device === 'gpu').length };
}

/** "12 of 40 tiles on a GPU"; null before any tile is verified. */
export function formatTileDevices({ verified, gpu }: TileDevices): string | null {
  if (verified === 0) return null;
  return `${gpu} of ${verified} ${verified === 1 ? 'tile' : 'tiles'} on a GPU`;
}
