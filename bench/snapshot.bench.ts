// A big live job's snapshot (npm run bench -- snapshot): the state a provider and a requester fold
// for a job of SNAPSHOT_UNITS tiny units (default 100,000), written as a node writes its snapshot
// (the state's plain data encoded on the main thread, then brotli-compressed, on libuv's threads
// while the node runs) and loaded as a start loads it (decompressed, decoded, made a state again).
// Baseline, same run, same states: v8.serialize and v8.deserialize, the encoding before ours.
// - snapshot_encode_ms: plain data + encoding, what a write on the main thread held it, median of 3;
// - snapshot_load_ms: a load, median of 3;
// - snapshot_heap_bytes_per_unit: the JS heap a loaded state takes a unit (the fold's beside it).
// Each figure's value is the provider's (the bigger state); the requester's is in its fields.
// - snapshot_main_thread_stall_ms: the provider's journal of that job (in a real journal file, a
//   snapshot of its first half saved), snapshotted as a running node does now (the snapshot thread
//   folds the journal from the last snapshot: the main thread only asks) while a 1 ms timer ticks on
//   the main thread: its longest gap. Baseline: as the node did before (v8.serialize of the live
//   state on the main thread, compressed on libuv's threads), same run.
import { deserialize, serialize } from 'node:v8';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { stateFromData, stateToData } from '../src-main/core/mesh/state/state-codec.js';
import { MeshState } from '../src-main/core/mesh/state/state.js';
import type { NodeEvent } from '../src-main/core/schemas/index.js';
import { Journal } from '../src-main/node/journal/index.js';
import { decodeSnapshot } from '../src-main/node/journal/snapshot-decoding.js';
import { encodeSnapshot } from '../src-main/node/journal/snapshot-encoding.js';
import { SnapshotThread } from '../src-main/node/mesh/state/snapshot-thread.js';
import { loadState } from '../src-main/node/mesh/state/state-keeper.js';
import {
  AT,
  PROVIDER,
  REQUESTER,
  foldTinyJob,
  heapUsed,
  tinyJobJournal,
  type Side,
} from '../test/core/tiny-job-journal.js';
import { longestStall } from '../test/node/fixtures/longest-stall.js';
import { median, round, type Benchmark, type Figure } from './harness.js';

const UNITS = Number(process.env['SNAPSHOT_UNITS'] ?? 100_000);
const RUNS = 3;

const CODECS = {
  compact: { encode: encodeSnapshot, decode: decodeSnapshot },
  v8: { encode: serialize, decode: (bytes: Buffer) => deserialize(bytes) as unknown },
};
type Codec = keyof typeof CODECS;

/** As state-snapshots.ts compresses: brotli at its fastest quality. */
const compressionOf = (raw: Buffer) => ({
  params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
});
const compress = (raw: Buffer) => brotliCompressSync(raw, compressionOf(raw));
const compressAsync = promisify(brotliCompress);

const ms = (start: number) => performance.now() - start;

interface SideFigures {
  write_ms: Record<Codec, number>;
  load_ms: Record<Codec, number>;
  encoded_mb: Record<Codec, number>;
  compressed_mb: Record<Codec, number>;
  compress_ms: Record<Codec, number>;
  heap_bytes_per_unit: Record<Codec | 'fold', number>;
}

function measureSide(side: Side): SideFigures {
  const me = side === 'provider' ? PROVIDER : REQUESTER;
  const { state, perUnit: foldBytes } = foldTinyJob(side, UNITS);

  const figures: SideFigures = {
    write_ms: { compact: 0, v8: 0 },
    load_ms: { compact: 0, v8: 0 },
    encoded_mb: { compact: 0, v8: 0 },
    compressed_mb: { compact: 0, v8: 0 },
    compress_ms: { compact: 0, v8: 0 },
    heap_bytes_per_unit: { fold: round(foldBytes, 0), compact: 0, v8: 0 },
  };
  const times: Record<'write' | 'load', Record<Codec, number[]>> = {
    write: { compact: [], v8: [] },
    load: { compact: [], v8: [] },
  };
  for (let run = 0; run < RUNS; run++)
    for (const codec of ['compact', 'v8'] as const) {
      const { encode, decode } = CODECS[codec];
      let start = performance.now();
      const raw = encode(stateToData(state));
      times.write[codec].push(ms(start));
      start = performance.now();
      const body = compress(raw);
      figures.compress_ms[codec] = round(ms(start), 0);
      figures.encoded_mb[codec] = round(raw.length / 1e6, 1);
      figures.compressed_mb[codec] = round(body.length / 1e6, 2);
      const heapBefore = run === 0 ? heapUsed() : 0;
      start = performance.now();
      const loaded = stateFromData(me, decode(brotliDecompressSync(body)) as Record<string, unknown>);
      times.load[codec].push(ms(start));
      if (loaded.assignments.size !== UNITS) throw new Error(`${codec}: ${loaded.assignments.size} assignments loaded`);
      if (run === 0) figures.heap_bytes_per_unit[codec] = round((heapUsed() - heapBefore) / UNITS, 0);
    }
  for (const codec of ['compact', 'v8'] as const) {
    figures.write_ms[codec] = round(median(times.write[codec]), 0);
    figures.load_ms[codec] = round(median(times.load[codec]), 0);
  }
  return figures;
}

export const benchmarks: Benchmark[] = [
  {
    names: ['snapshot_encode_ms', 'snapshot_load_ms', 'snapshot_heap_bytes_per_unit'],
    run(): Figure[] {
      const provider = measureSide('provider');
      const requester = measureSide('requester');
      const figure = (name: string, key: 'write_ms' | 'load_ms' | 'heap_bytes_per_unit', unit: string, extra = {}) => ({
        name,
        value: provider[key].compact,
        unit,
        baseline_v8: provider[key].v8,
        ratio_to_v8: round(provider[key].compact / provider[key].v8),
        requester: requester[key],
        units: UNITS,
        ...extra,
      });
      return [
        figure('snapshot_encode_ms', 'write_ms', 'ms', {
          encoded_mb: { provider: provider.encoded_mb, requester: requester.encoded_mb },
          compressed_mb: { provider: provider.compressed_mb, requester: requester.compressed_mb },
          compress_ms_off_main_thread: { provider: provider.compress_ms, requester: requester.compress_ms },
        }),
        figure('snapshot_load_ms', 'load_ms', 'ms'),
        figure('snapshot_heap_bytes_per_unit', 'heap_bytes_per_unit', 'bytes', {
          fold_bytes_per_unit: {
            provider: provider.heap_bytes_per_unit.fold,
            requester: requester.heap_bytes_per_unit.fold,
          },
        }),
      ];
    },
  },
  { names: ['snapshot_main_thread_stall_ms'], run: async () => [await stallFigure()] },
];

/** The longest gap between ticks of a 1 ms timer on this thread while `work` runs, and its wall time. */
async function stall(work: () => Promise<unknown>): Promise<{ stallMs: number; wallMs: number }> {
  const { stallMs, wallMs } = await longestStall(1, work);
  return { stallMs: round(stallMs, 1), wallMs: round(wallMs, 0) };
}

async function stallFigure(): Promise<Figure> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-snapshot-bench-'));
  const opened = Journal.open(join(dir, 'journal.sqlite'));
  if (!opened.ok) throw new Error(opened.error.message);
  const journal = opened.journal;
  const thread = new SnapshotThread();
  try {
    const events: NodeEvent[] = [];
    let seq = 0;
    for (const bare of tinyJobJournal('provider', UNITS)) events.push({ ...bare, event_id: `e${++seq}`, at: AT });
    const state = new MeshState(PROVIDER);
    const half = Math.floor(events.length / 2);
    for (const [i, event] of events.entries()) {
      const outcome = journal.appendNow(event);
      if (!outcome.ok) throw new Error(`the benchmark's event was refused: ${outcome.error.message}`);
      state.apply(JSON.parse(JSON.stringify(event)) as NodeEvent);
      if (i === half) journal.snapshots.write(state, journal.lastSeq(), AT);
    }
    const before = await stall(async () => {
      const raw = serialize(stateToData(state));
      await compressAsync(raw, compressionOf(raw));
    });
    const now = await stall(() =>
      thread.write({ dbPath: journal.path, me: PROVIDER, seq: journal.lastSeq(), at: AT }, journal.snapshots),
    );
    if (loadState(journal, PROVIDER).snapshotSeq !== journal.lastSeq()) throw new Error('the thread saved no snapshot');
    return {
      name: 'snapshot_main_thread_stall_ms',
      value: now.stallMs,
      unit: 'ms',
      baseline_main_thread_encoding_ms: before.stallMs,
      thread_wall_ms: now.wallMs,
      baseline_wall_ms: before.wallMs,
      units: UNITS,
      events: events.length,
    };
  } finally {
    await thread.close();
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
