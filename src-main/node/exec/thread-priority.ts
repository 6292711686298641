// The sandbox's threads (units, metering) run at the lowest CPU priority: the person's programs
// and the node's main thread come first.
import { readFileSync, readlinkSync } from 'node:fs';
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

/** Linux's clock ticks a second (`getconf CLK_TCK`: 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/**
 * The CPU time this thread has used, in ms (Linux, from /proc/thread-self/stat; 10 ms steps), or
 * undefined where it cannot be read. At nice 19 on a busy machine a thread's wall time says how
 * busy the machine is; its CPU time, what the work costs an idle core, as a provider's would be.
 */
export function threadCpuMs(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // After the command's name, in parentheses (it may hold spaces): utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
