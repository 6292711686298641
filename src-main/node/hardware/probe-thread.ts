// Probes the hardware in a thread of its own (probe-worker.ts), ended once it has answered; the
// same probe on the main thread if that thread cannot start or fails.
import { Worker } from 'node:worker_threads';
import { builtFile } from '../../core/build-layout.js';
import type { HardwareInfo } from '../../core/schemas/hardware.js';
import { probeHardware } from './probe.js';

export function probeHardwareInThread(): Promise<HardwareInfo> {
  const probed = new Promise<HardwareInfo>((resolve, reject) => {
    const worker = new Worker(new URL(builtFile(import.meta.url, 'src-main/node/hardware/probe-worker.js')));
    worker.once('message', (info: HardwareInfo) => {
      resolve(info);
      // A program it spawned that hangs (time-boxed, so no longer awaited) would keep it alive.
      worker.terminate().catch(() => {});
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the probe thread exited (${code})`)));
  });
  return probed.catch(() => probeHardware());
}
