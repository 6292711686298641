// Preflight of a .blend in the unit's folder, in the same sandbox as a render: our Python reads the
// file (its own Python off) and prints its report, which core/blender/preflight.ts validates and
// judges.
import {
  judgePreflight,
  parseReport,
  preflightArgs,
  type PreflightReport,
  type PreflightVerdict,
} from '../../core/blender/preflight.js';
import { PROBE_LIMITS } from './install.js';
import { runSandboxed } from './run.js';

export type Preflight =
  { ok: true; report: PreflightReport; verdict: PreflightVerdict } | { ok: false; reason: string };

const PREFLIGHT_TIME = { wallMs: 30_000, stallMs: 20_000 };

export async function preflightInSandbox(
  blender: string,
  unitDir: string,
  file: string,
  /** Kills the run (a node that stops). */
  signal?: AbortSignal,
): Promise<Preflight> {
  const time = { ...PREFLIGHT_TIME, ...(signal ? { signal } : {}) };
  const run = await runSandboxed({ blender, unitDir, limits: PROBE_LIMITS }, preflightArgs(file), time);
  const parsed = parseReport(run.output);
  if (!parsed.ok) {
    const tail = run.output.trim().split('\n').slice(-2).join(' / ');
    return { ok: false, reason: `${parsed.error}${run.killed ? ` (killed: ${run.killed})` : ''}: ${tail}` };
  }
  return { ok: true, report: parsed.report, verdict: judgePreflight(parsed.report) };
}
