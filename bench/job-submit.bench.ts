// A million-unit job submitted to a real daemon (npm run bench -- job_submit): sha256 over 64-byte
// chunks, 64 MB of input streamed over the API's upload path, timed from the first byte sent to
// the job id in hand (the input stored, the job and its units journaled).
// - job_submit_1m_units_s: that time; the daemon's RSS after it and its peak (VmHWM) come with it,
//   and its main thread's five longest stalls in that time (turns of its event loop over 20 ms late,
//   fixtures/loop-stalls.ts): while they last the node answers nothing else. The node packs these
//   tiny units 256 a pack (core/mesh/rules/packs.ts); `unpacked_s` is the same job one unit a pack, as a
//   module's job is, timed after it.
// - job_submit_one_blob_s (the baseline, same run, same daemon): the same 64 MB as 4 units of
//   16 MiB: what streaming and storing the bytes costs with almost no units. The ratio is the
//   price of the million units themselves.
// - job_submit_10k_units_s: 10,000 units (640 KB), for the per-unit cost at a small scale (×100
//   is what a million would cost if it scaled linearly).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stallsIn, startDaemonProcess, type DaemonProcess } from './fixtures/daemon-process.js';
import { round, type Benchmark, type Figure } from './harness.js';

const CHUNK = 64;
const UNITS = 1_000_000;
const PIECE = 1 << 20;

/** `bytes` of random input in pieces, made as they are sent (the bench holds one piece at a time). */
async function* input(bytes: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < bytes; sent += PIECE) yield randomBytes(Math.min(PIECE, bytes - sent));
}

/** Seconds to submit, and the units the node made; `unitsPerPack`: as the job says (absent: the node packs tiny units). */
async function submit(
  daemon: DaemonProcess,
  bytes: number,
  chunk: number,
  unitsPerPack?: number,
): Promise<{ s: number; units: number }> {
  const started = performance.now();
  const packs = unitsPerPack === undefined ? {} : { units_per_pack: unitsPerPack };
  const { units } = await daemon.api.submitStream(
    { library: 'hash', method: 'sha256', chunk_bytes: chunk, budget: 1_000_000_000, manual_accept: true, ...packs },
    input(bytes),
  );
  return { s: (performance.now() - started) / 1000, units };
}

/** The daemon's resident memory now and at its peak, MiB (Linux /proc). */
function memoryOf(pid: number): { rss_mib: number; peak_rss_mib: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss_mib: round(kib('VmRSS') / 1024, 0), peak_rss_mib: round(kib('VmHWM') / 1024, 0) };
}

async function run(): Promise<Figure[]> {
  const daemon = await startDaemonProcess({ name: 'submit', workers: 1, recordStalls: true });
  let figures: Figure[];
  let bigWindow: [number, number];
  try {
    const idle = memoryOf(daemon.pid);
    const small = await submit(daemon, 10_000 * CHUNK, CHUNK);
    const baseline = await submit(daemon, UNITS * CHUNK, 16 << 20);
    const bigFrom = Date.now();
    const big = await submit(daemon, UNITS * CHUNK, CHUNK);
    bigWindow = [bigFrom, Date.now()];
    if (big.units !== UNITS) throw new Error(`the job has ${big.units} units, not ${UNITS}`);
    // The same units one a pack, as a module's job is (the node does not pack what it cannot price).
    const unpacked = await submit(daemon, UNITS * CHUNK, CHUNK, 1);
    figures = [
      {
        name: 'job_submit_1m_units_s',
        value: round(big.s),
        unit: 's',
        target: 10,
        baseline: round(baseline.s),
        ratio: round(big.s / baseline.s),
        unpacked_s: round(unpacked.s),
        ...memoryOf(daemon.pid),
        idle_rss_mib: idle.rss_mib,
        input_mb: (UNITS * CHUNK) / 1e6,
      },
      { name: 'job_submit_one_blob_s', value: round(baseline.s), unit: 's', units: baseline.units },
      { name: 'job_submit_10k_units_s', value: round(small.s, 3), unit: 's', scaled_to_1m_s: round(small.s * 100) },
    ];
  } finally {
    await daemon.stop();
  }
  // Read once the daemon has stopped (it writes them as it exits).
  const longest = stallsIn(daemon, ...bigWindow).slice(0, 5);
  figures[0] = { ...figures[0]!, main_thread_stalls_ms: longest.map((stall) => stall.ms) };
  return figures;
}

export const benchmarks: Benchmark[] = [
  { names: ['job_submit_1m_units_s', 'job_submit_one_blob_s', 'job_submit_10k_units_s'], run },
];
