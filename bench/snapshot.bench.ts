// A big live job's snapshot (npm run bench -- snapshot): the state a provider and a requester fold
// for a job of SNAPSHOT_UNITS tiny units (default 100,000), written as a node writes its snapshot
// (the state's plain data encoded on the main thread, then brotli-compressed, on libuv's threads
// while the node runs) and loaded as a start loads it (decompressed, decoded, made a state again).
// Baseline, same run, same states: v8.serialize and v8.deserialize, the encoding before ours.
// - snapshot_write_ms: the main thread's part of a write (plain data + encoding), median of 3;
// - snapshot_load_ms: a load, median of 3;
// - snapshot_heap_bytes_per_unit: the JS heap a loaded state takes a unit (the fold's beside it).
// Each figure's value is the provider's (the bigger state); the requester's is in its fields.
import { deserialize, serialize, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { stateFromData, stateToData } from '../src-main/core/mesh/state-codec.js';
import { MeshState } from '../src-main/core/mesh/state.js';
import type { NodeEvent } from '../src-main/core/schemas/index.js';
import { decodeSnapshot } from '../src-main/node/journal/snapshot-decoding.js';
import { encodeSnapshot } from '../src-main/node/journal/snapshot-encoding.js';
import { AT, PROVIDER, REQUESTER, tinyJobJournal, type Side } from '../test/core/tiny-job-journal.js';
import { median, round, type Benchmark, type Figure } from './harness.js';

const UNITS = Number(process.env['SNAPSHOT_UNITS'] ?? 100_000);
const RUNS = 3;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const CODECS = {
  compact: { encode: encodeSnapshot, decode: decodeSnapshot },
  v8: { encode: serialize, decode: (bytes: Buffer) => deserialize(bytes) as unknown },
};
type Codec = keyof typeof CODECS;

/** As state-snapshots.ts compresses: brotli at its fastest quality. */
const compress = (raw: Buffer) =>
  brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });

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
  const before = heapUsed();
  const state = new MeshState(me);
  let seq = 0;
  for (const bare of tinyJobJournal(side, UNITS))
    state.apply(JSON.parse(JSON.stringify({ ...bare, event_id: `e${++seq}`, at: AT })) as NodeEvent);
  const foldBytes = (heapUsed() - before) / UNITS;

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
    names: ['snapshot_write_ms', 'snapshot_load_ms', 'snapshot_heap_bytes_per_unit'],
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
        figure('snapshot_write_ms', 'write_ms', 'ms', {
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
];
