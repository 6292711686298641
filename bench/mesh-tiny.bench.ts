// Tiny units through the mesh, the per-unit costs that decide a big job (issue 18):
// - mesh_tiny_units_per_s (target >= 5,000): two real daemons on loopback, a requester and a
//   provider that trust each other; one job of sha256 over 64-byte chunks, from `jobs.submit` to
//   `job.completed`. Baseline: the same units (at most the first 100,000) in one local Executor
//   pool of the provider's workers, in the same run. Beside it, each daemon's main-thread stalls (turns of its event loop
//   over 20 ms late: long tasks, or waits for a CPU; fixtures/loop-stalls.ts) from submit until
//   the provider has been paid for every unit (the held results are paid after completion), the
//   collector's pauses of each main thread a unit (to completion), and each daemon's resident
//   memory grown over that time, a unit (a job's state lives in memory
//   until it is compacted, `--keep-finished-days` after it ends: docs/ARCHITECTURE.md).
// - disk_bytes_per_unit (target <= 1,024): the requester's data dir growth over that job, per unit,
//   at rest (its WAL checkpointed once it was quiet), with the growth as the job completed beside it.
// Every unit's output is then checked against sha256 of its chunk, computed here (not timed).
// MESH_TINY_UNITS sets the job's size (100,000 unless set).
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cidOfBytes } from '../src-main/node/blobs/cid.js';
import type { ApiClient } from '../src-main/node/api/index.js';
import { Executor } from '../src-main/node/exec/index.js';
import { loadKernel } from '../src-main/node/exec/kernels.js';
import { inPieces } from '../src-main/node/mesh/jobs/job-split.js';
import {
  EventWatch,
  mainThreadIn,
  startDaemonProcess,
  trustEachOther,
  type DaemonProcess,
} from './fixtures/daemon-process.js';
import type { GcPause, Stall } from './fixtures/loop-stalls.js';
import { processCpu, processRss } from './fixtures/proc-cpu.js';
import { round, type Benchmark, type Figure } from './harness.js';

const UNITS = Number(process.env.MESH_TINY_UNITS ?? 100_000);
const CHUNK = 64;
const WORKERS = 2;
const BUDGET = 1_000_000_000_000;
/** Long enough for the slowest build of this job seen so far (126 units/s). */
const JOB_TIMEOUT_MS = Math.max(120_000, UNITS * 10);

/** Bytes under `dir`, in whole blocks as the disk holds them. */
function diskBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += diskBytes(path);
    else if (entry.isFile()) total += statSync(path).blocks * 512;
  }
  return total;
}

/** Bytes under `dir` by where they lie: the journal's database, its WAL, blobs, the rest. */
function diskByPart(dir: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const part =
      entry.name === 'journal.sqlite' ? 'journal' : entry.name === 'journal.sqlite-wal' ? 'journal_wal' : entry.name;
    const path = join(dir, entry.name);
    parts[part] = (parts[part] ?? 0) + (entry.isDirectory() ? diskBytes(path) : statSync(path).blocks * 512);
  }
  return parts;
}

/** Distinct 64-byte chunks: each unit's input differs, as a real job's would. */
function tinyInput(units: number): Buffer {
  const input = Buffer.alloc(units * CHUNK);
  for (let i = 0; i < units; i++)
    createHash('sha256')
      .update(`unit ${i}`)
      .digest()
      .copy(input, i * CHUNK);
  return input;
}

/** Units the local pool runs for the baseline (a rate a unit, which does not grow with the job). */
const LOCAL_UNITS = Math.min(UNITS, 100_000);

async function localUnitsPerSecond(input: Buffer): Promise<number> {
  // All units are submitted at once: a queue sized for them, or those past 10,000 are QueueFull.
  const pool = Executor.start({ workers: WORKERS, queueLimit: LOCAL_UNITS });
  try {
    const module = loadKernel('hash');
    const params = { algorithm: 'sha256' };
    // Each a copy, as the node's own are (context/blobs.ts): a view of the whole input would be sent
    // to the worker whole, its 64 MB for a million units with every batch.
    const chunks = Array.from(
      { length: LOCAL_UNITS },
      (_, i) => new Uint8Array(input.subarray(i * CHUNK, (i + 1) * CHUNK)),
    );
    await Promise.all(chunks.slice(0, 100).map((chunk) => pool.run({ module, input: chunk, params })));
    const start = performance.now();
    await Promise.all(chunks.map((chunk) => pool.run({ module, input: chunk, params })));
    return (LOCAL_UNITS * 1000) / (performance.now() - start);
  } finally {
    await pool.close();
  }
}

/** How long the data dir is given to come to rest (its WAL checkpointed) after the job. */
const AT_REST_WAIT_MS = 15_000;

interface DiskGrowth {
  perUnit: number;
  /** Growth per unit of each part of the data dir (journal, journal_wal, blobs, ...). */
  byPart: Record<string, number>;
}

function diskGrowthPerUnit(before: Record<string, number>, after: Record<string, number>): DiskGrowth {
  const byPart = Object.fromEntries(
    Object.keys(after).map((part) => [part, round((after[part]! - (before[part] ?? 0)) / UNITS, 0)]),
  );
  const sum = (parts: Record<string, number>) => Object.values(parts).reduce((a, b) => a + b, 0);
  return { perUnit: (sum(after) - sum(before)) / UNITS, byPart };
}

interface MeshRun {
  unitsPerSecond: number;
  /** Once the requester is quiet after the job; and as the job completed. */
  atRest: DiskGrowth;
  atCompletion: DiskGrowth;
  seconds: number;
  /** CPU ms a unit from submit to completion, each daemon: its main thread, and all its threads (the workers' too). */
  cpuMsPerUnit: Record<'requester' | 'provider', { main: number; all: number }>;
  /** Each daemon's main-thread stalls from submit until the provider was paid for every unit. */
  stalls: Record<'requester' | 'provider', StallSummary>;
  /** Each daemon's main thread paused by the collector, µs a unit, from submit to completion (as cpuMsPerUnit). */
  gcPauseUsPerUnit: Record<'requester' | 'provider', Record<GcPause['kind'], number>>;
  /** From completion until the provider was paid for every unit (the held results paid at the job's end). */
  paidSeconds: number;
  /** Each daemon's resident memory grown from submit until paid in full, a unit: what a job holds while open. */
  rssBytesPerUnit: Record<'requester' | 'provider', number>;
  /** The requester's API events a unit from submit to completion, as a UI listening to it gets them. */
  apiEventsPerUnit: number;
}

interface StallSummary {
  longest_ms: number[];
  over_50_ms: number;
  over_100_ms: number;
}

function summary(stalls: Stall[]): StallSummary {
  return {
    longest_ms: stalls.slice(0, 5).map((s) => s.ms),
    over_50_ms: stalls.filter((s) => s.ms > 50).length,
    over_100_ms: stalls.filter((s) => s.ms > 100).length,
  };
}

/** Starts counting the daemons' CPU time; the function it returns gives ms a unit since then. */
function cpuPerUnit(daemons: Record<'requester' | 'provider', DaemonProcess>): () => MeshRun['cpuMsPerUnit'] {
  const read = () => ({ requester: processCpu(daemons.requester.pid), provider: processCpu(daemons.provider.pid) });
  const before = read();
  return () => {
    const after = read();
    const perUnit = (side: 'requester' | 'provider') => ({
      main: round(((after[side].main - before[side].main) * 1000) / UNITS, 3),
      all: round(((after[side].all - before[side].all) * 1000) / UNITS, 3),
    });
    return { requester: perUnit('requester'), provider: perUnit('provider') };
  };
}

async function meshRun(input: Buffer): Promise<MeshRun> {
  const requester = await startDaemonProcess({ name: 'requester', workers: 1, recordStalls: true });
  const provider = await startDaemonProcess({ name: 'provider', workers: WORKERS, recordStalls: true });
  const events = await EventWatch.open(requester.api);
  let run: Omit<MeshRun, 'stalls' | 'gcPauseUsPerUnit'> & { window: [number, number]; cpuWindow: [number, number] };
  try {
    await trustEachOther(requester, provider);
    const before = diskByPart(requester.dataDir);
    const cpuSoFar = cpuPerUnit({ requester, provider });
    const rssBefore = { requester: processRss(requester.pid), provider: processRss(provider.pid) };
    const eventsBefore = events.received;
    const start = performance.now();
    const startedAt = Date.now();
    // Streamed, as `meshctl job submit --input` sends a file: a job of any size (inline base64 stops at 32 MiB).
    const { job_id: jobId } = await requester.api.submitStream(
      { name: 'tiny units', library: 'hash', method: 'sha256', chunk_bytes: CHUNK, budget: BUDGET },
      inPieces(input),
    );
    const completedAt = await events.next((e) => e.type === 'job.completed' && e.data.job_id === jobId, JOB_TIMEOUT_MS);
    const { job } = await requester.api.call('jobs.status', { job_id: jobId });
    if (job.state !== 'completed' || job.units_verified !== UNITS)
      throw new Error(`job ${jobId} ended ${job.state} with ${job.units_verified}/${UNITS} verified`);
    const seconds = (completedAt - start) / 1000;
    const cpuMsPerUnit = cpuSoFar();
    const apiEventsPerUnit = (events.received - eventsBefore) / UNITS;
    const atCompletion = diskGrowthPerUnit(before, diskByPart(requester.dataDir));
    const paidAt = await paidInFull(provider.api);
    const window: [number, number] = [startedAt, startedAt + (paidAt - start)];
    const cpuWindow: [number, number] = [startedAt, startedAt + (completedAt - start)];
    const paidSeconds = (paidAt - completedAt) / 1000;
    const rssBytesPerUnit = {
      requester: round((processRss(requester.pid) - rssBefore.requester) / UNITS, 0),
      provider: round((processRss(provider.pid) - rssBefore.provider) / UNITS, 0),
    };
    // The outputs' check below is a long task of the requester's (a page of 100,000 units): it
    // starts a while after the window, so that its stall, dated from the turn before, is not in it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await checkOutputs(requester.api, jobId, input);
    // At rest: once the node's journal has been quiet a while its WAL is checkpointed away (journal/database.ts).
    const quietBy = Date.now() + AT_REST_WAIT_MS;
    while ((diskByPart(requester.dataDir)['journal_wal'] ?? 0) > 0 && Date.now() < quietBy)
      await new Promise((resolve) => setTimeout(resolve, 200));
    const atRest = diskGrowthPerUnit(before, diskByPart(requester.dataDir));
    run = {
      unitsPerSecond: UNITS / seconds,
      atRest,
      atCompletion,
      seconds,
      cpuMsPerUnit,
      paidSeconds,
      rssBytesPerUnit,
      apiEventsPerUnit,
      window,
      cpuWindow,
    };
  } finally {
    events.close();
    await Promise.all([requester.stop(), provider.stop()]);
  }
  const { window, cpuWindow, ...figures } = run;
  const recorded = { requester: mainThreadIn(requester, ...window), provider: mainThreadIn(provider, ...window) };
  const gcUsPerUnit = (pauses: GcPause[], kind: GcPause['kind']) => {
    const ms = pauses.filter((p) => p.kind === kind && p.at <= cpuWindow[1]).reduce((sum, p) => sum + p.ms, 0);
    return round((ms * 1000) / UNITS, 1);
  };
  const gcOf = (side: 'requester' | 'provider') => ({
    minor: gcUsPerUnit(recorded[side].gc, 'minor'),
    major: gcUsPerUnit(recorded[side].gc, 'major'),
  });
  return {
    ...figures,
    stalls: { requester: summary(recorded.requester.stalls), provider: summary(recorded.provider.stalls) },
    gcPauseUsPerUnit: { requester: gcOf('requester'), provider: gcOf('provider') },
  };
}

/** When (performance.now()) the provider holds no escrow any more: every unit paid. */
async function paidInFull(provider: ApiClient): Promise<number> {
  const by = Date.now() + JOB_TIMEOUT_MS;
  while (Date.now() < by) {
    const { held } = await provider.call('ledger.get', { limit: 0 });
    if (held === 0) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the provider was not paid in full within ${JOB_TIMEOUT_MS} ms of the job's completion`);
}

/** Every unit's output CID is that of sha256 over its chunk; throws at the first that is not. */
async function checkOutputs(api: ApiClient, jobId: string, input: Buffer): Promise<void> {
  let checked = 0;
  while (checked < UNITS) {
    const { units = [] } = await api.call('jobs.status', { job_id: jobId, units: true, units_from: checked });
    if (units.length === 0) break;
    for (const unit of units) {
      const chunk = input.subarray(unit.index * CHUNK, (unit.index + 1) * CHUNK);
      const expected = cidOfBytes(createHash('sha256').update(chunk).digest());
      if (unit.output_cid !== expected)
        throw new Error(`unit ${unit.index}: output ${unit.output_cid}, expected ${expected} (sha256 of its chunk)`);
    }
    checked += units.length;
  }
  if (checked !== UNITS) throw new Error(`only ${checked} of ${UNITS} units listed`);
}

export const benchmarks: Benchmark[] = [
  {
    names: ['mesh_tiny_units_per_s', 'disk_bytes_per_unit'],
    async run(): Promise<Figure[]> {
      const input = tinyInput(UNITS);
      const local = await localUnitsPerSecond(input);
      const mesh = await meshRun(input);
      return [
        {
          name: 'mesh_tiny_units_per_s',
          value: round(mesh.unitsPerSecond, 0),
          unit: 'units/s',
          target: '>= 5000',
          units: UNITS,
          mesh_seconds: round(mesh.seconds, 1),
          local_pool_units_per_s: round(local, 0),
          local_pool_units: LOCAL_UNITS,
          ratio_to_local_pool: round(mesh.unitsPerSecond / local, 3),
          workers: WORKERS,
          cpu_ms_per_unit: mesh.cpuMsPerUnit,
          // Of each main thread's time above, what the collector paused it for (its helper threads are in `all`).
          gc_pause_us_per_unit: mesh.gcPauseUsPerUnit,
          main_thread_stalls: mesh.stalls,
          paid_seconds_after_completion: round(mesh.paidSeconds, 1),
          // Submit to the provider paid for every unit (the results accepted unchecked are paid once the job completes).
          units_per_s_to_paid: round(UNITS / (mesh.seconds + mesh.paidSeconds), 0),
          rss_bytes_per_unit: mesh.rssBytesPerUnit,
          api_events_per_unit: round(mesh.apiEventsPerUnit, 3),
        },
        {
          name: 'disk_bytes_per_unit',
          value: round(mesh.atRest.perUnit, 0),
          unit: 'bytes',
          target: '<= 1024',
          units: UNITS,
          measured: 'at rest: after the job, once the requester had been quiet and checkpointed its WAL',
          by_part: mesh.atRest.byPart,
          at_completion: round(mesh.atCompletion.perUnit, 0),
          at_completion_by_part: mesh.atCompletion.byPart,
        },
      ];
    },
  },
];
