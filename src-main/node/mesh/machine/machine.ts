// What the node knows of the machine it runs on, kept current: the hardware probe and the
// calibration (once, in the background, from start(): the daemon calls it once its API answers, so
// a first start's UI does not wait behind them; calibration is redone only when the hardware, the
// worker count or the kernel changed), the power state and other programs' CPU load, for
// availability and the status page. Power and load are sampled every few seconds only while a
// setting depends on them (pause on battery, on a machine with a battery; only when idle); else
// the load is read when asked for, and nothing wakes the node for them.
import { describeError } from '../../../core/errors.js';
import type { Calibration, HardwareInfo, PowerState } from '../../../core/schemas/hardware.js';
import type { Executor } from '../../exec/index.js';
import { loadOrCalibrate } from '../../hardware/calibrate.js';
import { LoadMonitor } from '../../hardware/load.js';
import { readPower } from '../../hardware/power.js';
import { probeHardwareInThread } from '../../hardware/probe-thread.js';
import { WatchTimer } from '../basics/watch-timer.js';

/** How often power and load are read: soon enough to stop within seconds of unplugging or a game starting. */
const SAMPLE_MS = 3_000;

export class Machine {
  info: HardwareInfo | null = null;
  calibration: Calibration | null = null;
  power: PowerState | null = null;
  readonly load = new LoadMonitor();
  /** Seconds since the person last used the machine, where a desktop shell reports it (null: unknown). */
  userIdleSeconds: number | null = null;
  /** Settles when the probe and calibration, once started, are done (or failed, logged). */
  readonly ready: Promise<void>;
  readonly #begin: () => void;
  readonly #sampling: WatchTimer;
  #stopped = false;

  constructor(
    dataDir: string,
    executor: Executor,
    private readonly onChange: () => void,
    log: (message: string) => void,
    /** The settings in force: whether to watch the power (pause on battery) and the load (only when idle). */
    private readonly settings: () => { pauseOnBattery: boolean; idleOnly: boolean },
  ) {
    this.load.sample();
    let begin!: () => void;
    // A node stopped mid-calibration closes the executor under it: that is no failure to report.
    this.ready = new Promise<void>((resolve) => (begin = resolve))
      .then(() => this.#probe(dataDir, executor))
      .catch((err) => {
        if (!this.#stopped) log(`hardware probe or calibration failed: ${describeError(err)}`);
      });
    this.#begin = begin;
    this.#sampling = new WatchTimer(() => {
      const { power, load } = this.#watching();
      if (load) this.load.sample();
      if (power) this.#readPower().catch((err) => log(`reading the power state failed: ${describeError(err)}`));
      return power || load;
    }, SAMPLE_MS);
    this.#sampling.wake();
  }

  /** Probes the hardware and calibrates (once; again is a no-op). */
  start(): void {
    this.#begin();
  }

  /** Settings changed: sample again if they now depend on power or load. */
  wake(): void {
    this.#sampling.wake();
  }

  /** Other programs' share of the CPU: over the last sampling interval, or since it was last asked for when not sampled. */
  otherLoadPct(): number | null {
    if (!this.#watching().load) this.load.sample();
    return this.load.otherLoadPct();
  }

  #watching(): { power: boolean; load: boolean } {
    const { pauseOnBattery, idleOnly } = this.settings();
    // A machine without a battery cannot go on one (MESH_POWER_OVERRIDE=battery gives it one).
    return { power: pauseOnBattery && (this.power?.has_battery ?? true), load: idleOnly };
  }

  async #probe(dataDir: string, executor: Executor): Promise<void> {
    if (this.#stopped) return;
    this.info = await probeHardwareInThread();
    this.power = this.info.power;
    if (this.#stopped) return;
    ({ calibration: this.calibration } = await loadOrCalibrate(dataDir, this.info, executor));
    this.onChange();
  }

  async #readPower(): Promise<void> {
    const power = await readPower();
    const changed = power.on_battery !== this.power?.on_battery;
    this.power = power;
    if (changed) this.onChange();
  }

  stop(): void {
    this.#stopped = true;
    this.#sampling.stop();
  }
}
