// What the node knows of the machine it runs on, kept current: the hardware probe and the
// calibration (once, in the background, at start; calibration is redone only when the hardware,
// the worker count or the kernel changed), the power state and other programs' CPU load (sampled
// every few seconds), for availability and the status page.
import { describeError } from '../../core/errors.js';
import type { Calibration, HardwareInfo, PowerState } from '../../core/schemas/hardware.js';
import type { Executor } from '../exec/index.js';
import { loadOrCalibrate } from '../hardware/calibrate.js';
import { LoadMonitor } from '../hardware/load.js';
import { readPower } from '../hardware/power.js';
import { probeHardware } from '../hardware/probe.js';

/** How often power and load are read: soon enough to stop within seconds of unplugging or a game starting. */
const SAMPLE_MS = 3_000;

export class Machine {
  info: HardwareInfo | null = null;
  calibration: Calibration | null = null;
  power: PowerState | null = null;
  readonly load = new LoadMonitor();
  /** Seconds since the person last used the machine, where a desktop shell reports it (null: unknown). */
  userIdleSeconds: number | null = null;
  /** Settles when the probe and calibration are done (or failed, logged). */
  readonly ready: Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    dataDir: string,
    executor: Executor,
    private readonly onChange: () => void,
    log: (message: string) => void,
  ) {
    this.load.start(SAMPLE_MS);
    // A node stopped mid-calibration closes the executor under it: that is no failure to report.
    this.ready = this.#probe(dataDir, executor).catch((err) => {
      if (!this.#stopped) log(`hardware probe or calibration failed: ${describeError(err)}`);
    });
    this.#timer = setInterval(() => {
      this.#readPower().catch((err) => log(`reading the power state failed: ${describeError(err)}`));
    }, SAMPLE_MS);
    this.#timer.unref();
  }

  async #probe(dataDir: string, executor: Executor): Promise<void> {
    this.info = await probeHardware();
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
    clearInterval(this.#timer);
    this.load.stop();
  }
}
