// The sandbox's threads (units, metering) run at the lowest CPU priority: the person's programs
// and the node's main thread come first.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/**
 * Units run at the lowest CPU priority, as BOINC's do: the person's own programs, and this node's
 * main thread (network, journal, UI), come first. Linux numbers threads as tasks, so the nice value
 * of this worker's own task is set; elsewhere setPriority would lower the whole process.
 * SCHED_IDLE was tried (the main thread waited less for a CPU), but a unit then got so little of a
 * busy machine that it ran past its wall-time limit (a CI run, its main thread spinning); at nice 19
 * it still gets a small share.
 */
export function lowerThisThreadsPriority(): void {
  if (isMainThread || process.platform !== 'linux') return; // imported on the main thread too (unsandboxed.ts)
  try {
    const task = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(task) && task > 0) setPriority(task, 19);
  } catch {
    // No /proc, or not allowed: the worker runs at the process's priority.
  }
}
