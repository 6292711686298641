// What the node costs a person while nothing happens, each figure with a baseline from the same run:
// - idle_cpu_pct (target <= 0.5) and idle_rss_mb (target <= 150): a lone node (child process) once
//   calibrated plus 5 s, over 20 s, from /proc; baseline: a bare Node process with one timer.
//   Beside them: what still wakes the node (context switches per second, by thread, from
//   /proc/<pid>/task) and where its memory is (resident anonymous and file-backed, and a summary of
//   a heap snapshot taken at the end of the window).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemonProcess, waitCalibrated, type DaemonProcess } from './fixtures/daemon-process.js';
import { heapSnapshot, heapSummary } from './fixtures/heap-summary.js';
import { processCpu } from './fixtures/proc-cpu.js';
import { sleep, round, type Benchmark, type Figure } from './harness.js';

const IDLE_SETTLE_MS = 5_000;
const IDLE_WINDOW_MS = 20_000;

/** Resident memory from /proc/<pid>/status, in MB: all of it, anonymous (heaps) and file-backed (code). */
function residentMb(pid: number): { total: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const kb = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
    if (kb === undefined) throw new Error(`no ${name} for process ${pid}`);
    return Number(kb) / 1024;
  };
  return { total: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

/** Context switches (each a wake-up or a preemption) so far, by thread id, with the thread's name. */
function switchesByThread(pid: number): Map<string, { name: string; switches: number }> {
  const counts = new Map<string, { name: string; switches: number }>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      // The main thread and V8's platform workers are all named "node": the main one is told apart
      // (its task id is the process's), or a sum over five threads reads as the event loop's wake-ups.
      const comm = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim();
      const name = task === String(pid) ? `${comm} (main)` : comm;
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      const switches = [...status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
      counts.set(task, { name, switches });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return counts;
}

interface Usage {
  /** Percent of one core over the window: the whole process, and its main thread alone. */
  cpuPct: number;
  mainThreadPct: number;
  /** Wake-ups per second over the window, by thread name, busiest first. */
  wakeupsPerS: Record<string, number>;
  /** Resident memory at the end of the window. */
  rss: { total: number; anon: number; file: number };
}

/** Each process's CPU use and wake-ups over the same `ms`, and its resident memory at the end. */
async function usageOver(pids: number[], ms: number): Promise<Usage[]> {
  const read = () =>
    pids.map((pid) => ({
      ...processCpu(pid),
      switches: switchesByThread(pid),
    }));
  const before = read();
  const startedAt = performance.now();
  await sleep(ms);
  const seconds = (performance.now() - startedAt) / 1000;
  const after = read();
  const pct = (from: number, to: number) => ((to - from) / seconds) * 100;
  return pids.map((pid, i) => {
    // Threads that lived through the whole window, summed by name (a thread that ended took its count with it).
    const byName = new Map<string, number>();
    for (const [task, { name, switches }] of after[i]!.switches) {
      const from = before[i]!.switches.get(task);
      if (from) byName.set(name, (byName.get(name) ?? 0) + switches - from.switches);
    }
    const wakeups = [...byName]
      .map(([name, n]) => [name, round(n / seconds, 2)] as const)
      .filter(([, perS]) => perS > 0)
      .sort((a, b) => b[1] - a[1]);
    return {
      cpuPct: pct(before[i]!.all, after[i]!.all),
      mainThreadPct: pct(before[i]!.main, after[i]!.main),
      wakeupsPerS: Object.fromEntries(wakeups),
      rss: residentMb(pid),
    };
  });
}

async function idleUsage(): Promise<Figure[]> {
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const snapshots = mkdtempSync(join(tmpdir(), 'mesh-bench-heap-'));
  let node: DaemonProcess | undefined;
  try {
    // As `meshctl node start` runs by default: one worker per core.
    node = await startDaemonProcess({
      name: 'idle',
      workers: availableParallelism(),
      nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshots}`],
    });
    await waitCalibrated(node.api);
    await sleep(IDLE_SETTLE_MS);
    const [mine, baseline] = (await usageOver([node.pid, bare.pid!], IDLE_WINDOW_MS)) as [Usage, Usage];
    const { all_objects_mb: allObjects, ...heap } = heapSummary(await heapSnapshot(node.pid, snapshots));
    const common = {
      window_ms: IDLE_WINDOW_MS,
      settle_after_calibration_ms: IDLE_SETTLE_MS,
      workers: availableParallelism(),
      baseline: 'node -e "setInterval(() => {}, 1000)"',
    };
    // One clock tick over the window is 0.05 %: a bare Node process often uses none, and a ratio to 0 says nothing.
    const cpuRatio = baseline.cpuPct > 0 ? round(mine.cpuPct / baseline.cpuPct, 1) : null;
    return [
      {
        name: 'idle_cpu_pct',
        value: round(mine.cpuPct, 2),
        unit: '% of one core',
        target: '<= 0.5',
        main_thread_pct: round(mine.mainThreadPct, 2),
        baseline_pct: round(baseline.cpuPct, 2),
        ratio_to_baseline: cpuRatio,
        wakeups_per_s_by_thread: mine.wakeupsPerS,
        baseline_wakeups_per_s_by_thread: baseline.wakeupsPerS,
        ...common,
      },
      {
        name: 'idle_rss_mb',
        value: round(mine.rss.total, 1),
        unit: 'MB',
        target: '<= 150',
        anon_mb: round(mine.rss.anon, 1),
        file_mb: round(mine.rss.file, 1),
        heap_snapshot: { ...heap, object_kinds: Object.keys(allObjects).length },
        baseline_mb: round(baseline.rss.total, 1),
        ratio_to_baseline: round(mine.rss.total / baseline.rss.total, 1),
        ...common,
      },
    ];
  } finally {
    await node?.stop();
    await stopProcess(bare);
    rmSync(snapshots, { recursive: true, force: true });
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export const benchmarks: Benchmark[] = [{ names: ['idle_cpu_pct', 'idle_rss_mb'], run: idleUsage }];
