// The sandbox's threads (units, metering) run at the lowest CPU priority: the person's programs
// and the node's main thread come first.
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/**
 * Units run at the lowest CPU priority, as BOINC's do: the person's own programs, and this node's
 * main thread (network, journal, UI), come first. Linux numbers threads as tasks, so this worker's
 * own task is changed; elsewhere setPriority would lower the whole process.
 *
 * Nice 19 alone still lets a unit hold a core for a few milliseconds after the main thread wakes
 * (the scheduler lets the running task reach its fair share first): measured on the 2-core CI
 * machine, the main thread waited for a CPU 14–19 % of the time with its 2 workers at nice 19,
 * 11.5–14 % with them at SCHED_IDLE. SCHED_IDLE, which any thread may take for itself, makes the
 * kernel preempt the unit at once; Node has no call for it, so util-linux's `chrt` sets it (where
 * it is missing or refused, the thread stays at nice 19).
 */
export function lowerThisThreadsPriority(): void {
  if (isMainThread || process.platform !== 'linux') return; // imported on the main thread too (unsandboxed.ts)
  let task: number;
  try {
    task = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isSafeInteger(task) || task <= 0) return;
    setPriority(task, 19);
  } catch {
    return; // No /proc, or not allowed: the worker runs at the process's priority.
  }
  try {
    execFileSync('chrt', ['--idle', '--pid', '0', String(task)], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // No chrt, or refused: nice 19 holds.
  }
}
