// One sandboxed Blender process: bubblewrap around prlimit, nice and Blender (core/blender/args.ts
// builds the command), under a wall-clock limit and a watchdog that kills it when its output stops.
// It runs in its own process group, so a kill reaches everything it started.
import { spawn } from 'node:child_process';
import { sampleProgress, type SampleProgress } from '../../core/blender/progress.js';
import { sandboxArgv, type SandboxPlan } from '../../core/blender/args.js';

export const BWRAP = '/usr/bin/bwrap';
/** The most of Blender's output kept (its tail): enough for the report line and the last errors. */
const OUTPUT_KEEP = 256 * 1024;

export interface RunLimits {
  /** Killed after this long, whatever it is doing. */
  wallMs: number;
  /** Killed when it has printed nothing for this long. */
  stallMs: number;
  /** Killed when this aborts (the node stops, or stops sharing). */
  signal?: AbortSignal;
}

export interface RunResult {
  /** Exit status; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why we killed it, when we did. */
  killed?: 'time' | 'stall' | 'aborted';
  /** Its stdout and stderr together, the last OUTPUT_KEEP characters. */
  output: string;
}

/** Runs Blender with `blenderArgs` in the sandbox `plan` describes; never rejects for Blender's own failure. */
export function runSandboxed(
  plan: SandboxPlan,
  blenderArgs: readonly string[],
  limits: RunLimits,
  onProgress?: (progress: SampleProgress) => void,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(BWRAP, sandboxArgv(plan, blenderArgs), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let partial = '';
    let killed: RunResult['killed'];
    const kill = (why: NonNullable<RunResult['killed']>): void => {
      killed ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const wall = setTimeout(() => kill('time'), limits.wallMs);
    let stall = setTimeout(() => kill('stall'), limits.stallMs);
    const abort = () => kill('aborted');
    limits.signal?.addEventListener('abort', abort, { once: true });
    if (limits.signal?.aborted) abort();
    const take = (chunk: Buffer): void => {
      clearTimeout(stall);
      stall = setTimeout(() => kill('stall'), limits.stallMs);
      const text = chunk.toString('utf8');
      output = (output + text).slice(-OUTPUT_KEEP);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > OUTPUT_KEEP) partial = '';
      for (const line of lines) {
        const progress = sampleProgress(line);
        if (progress && onProgress) onProgress(progress);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (err) => {
      clearTimeout(wall);
      clearTimeout(stall);
      limits.signal?.removeEventListener('abort', abort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(wall);
      clearTimeout(stall);
      limits.signal?.removeEventListener('abort', abort);
      resolve({ code, signal, ...(killed ? { killed } : {}), output });
    });
  });
}
