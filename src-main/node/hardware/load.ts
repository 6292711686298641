// How busy the machine is with work that is not ours, so the node can share only while the user's
// own programs leave the CPU idle. Our own units must not count: if they did, a node running units
// would see a busy machine, stop, see an idle one, start again, and flap.
//
// Between two samples: the machine's busy time (os.cpus(), all cores) minus this process's CPU time
// (process.cpuUsage(), which includes its worker threads, i.e. the units), over wall time × logical
// CPUs. The two clocks tick differently (the kernel's per-CPU counters in 10 ms ticks, our own in
// microseconds), so a short window is noisy; a window of a second or more reads well.
import { cpus } from 'node:os';

export interface LoadSample {
  /** A monotonic clock, in ms. */
  atMs: number;
  /** Busy (non-idle) time summed over all CPUs since boot, in ms. */
  machineBusyMs: number;
  /** CPU time used by this process (all its threads) since it started, in ms. */
  ownCpuMs: number;
  logicalCpus: number;
}

export type LoadSampler = () => LoadSample;

/** The real sampler: the OS's per-CPU counters, this process's CPU usage, the monotonic clock. */
const systemLoadSampler: LoadSampler = () => {
  const all = cpus();
  const machineBusyMs = all.reduce(
    (sum, cpu) => sum + cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq,
    0,
  );
  const own = process.cpuUsage();
  return {
    atMs: performance.now(),
    machineBusyMs,
    ownCpuMs: (own.user + own.system) / 1000,
    logicalCpus: Math.max(all.length, 1),
  };
};

export class LoadMonitor {
  private previous: LoadSample | undefined;
  private latest: LoadSample | undefined;

  /** `sampler` is for tests; the node uses the system's. */
  constructor(private readonly sampler: LoadSampler = systemLoadSampler) {}

  /** Takes one sample now; the window becomes the time since the one before. */
  sample(): void {
    this.previous = this.latest;
    this.latest = this.sampler();
  }

  /** Share of the whole machine (0..100) used by other processes in the last window; null until two samples exist. */
  otherLoadPct(): number | null {
    return this.share((window) => window.machineBusyMs - window.ownCpuMs);
  }

  /** Share of the whole machine (0..100) used by everything, this process included; null until two samples exist. */
  totalLoadPct(): number | null {
    return this.share((window) => window.machineBusyMs);
  }

  private share(busyMs: (window: { machineBusyMs: number; ownCpuMs: number }) => number): number | null {
    if (this.previous === undefined || this.latest === undefined) return null;
    const wallMs = this.latest.atMs - this.previous.atMs;
    if (!(wallMs > 0)) return null;
    const busy = busyMs({
      machineBusyMs: this.latest.machineBusyMs - this.previous.machineBusyMs,
      ownCpuMs: this.latest.ownCpuMs - this.previous.ownCpuMs,
    });
    const pct = (busy / (wallMs * this.latest.logicalCpus)) * 100;
    return Number.isFinite(pct) ? Math.min(100, Math.max(0, pct)) : null;
  }
}
