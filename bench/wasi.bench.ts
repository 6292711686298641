// WASI programs under our host (node/exec/wasi), against Node's own `node:wasi` running the same
// module unmetered in this thread, in the same run:
// - wasi_cpu_ratio: a CPU-bound C program (test/wasi/programs/cpu_bound.c), our host's unit (metered,
//   in a worker, compile cached) over node:wasi's run (target <= 1.2);
// - wasi_io_ratio: many small reads and writes, stdin echoed 16 bytes a call and a /tmp file written
//   and read 4 bytes a call (small_io.c) (target <= 1.5);
// - wasi_bulk_ratio: memcpy, memset and memmove of 80 MiB in all, built with bulk memory
//   (test/wasi/programs/bulk_memory.c: memory.copy and memory.fill, charged per byte), our host's
//   unit over node:wasi's run (target <= 1.5); beside it the same module with binaryen's
//   llvm-memory-copy-fill-lowering instead (byte loops, metered as any loop), the alternative the
//   per-byte charge was chosen over (docs/UNIT_ABI.md, "Fuel");
// - wasi_simd_ratio: f32x4 and f64x2 arithmetic (simd.c, built with -msimd128, run with 8: a
//   Mandelbrot set and a relaxation), our host's unit, its vector NaNs canonicalised where their
//   bits could show (docs/UNIT_ABI.md, "Determinism"), over node:wasi's run (target <= 1.5);
// - wasi_unit_start_ms: a unit of a 1 MB module (big_data.c: a 1 MiB table in its data), its compile
//   cached: what a unit costs from run() to its output when the program does nearly nothing (target <= 5);
// - wasi_conformance_passed / _total: the corpus (test/wasi/corpus), both builds of it (clang-14's
//   defaults and features/), run as the conformance test runs it; wasi_conformance_node_wasi_passed:
//   how many of the same tests Node's node:wasi passes, each in a process of its own (its real clock,
//   randomness and folders: it fails what depends on ours, and anything it does not end in 20 s).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import { Executor } from '../src-main/node/exec/index.js';
import { decodeWasiOutput } from '../src-main/node/exec/wasi/program.js';
import { loadWasiTests, mismatches, nodeWasiMismatches, runWasiTest } from '../test/wasi/suite.js';
import { medianAfterGcMs, medianMs, round, type Benchmark } from './harness.js';
import { nodeWasiRun } from './fixtures/node-wasi.js';

const wasiDir = fileURLToPath(new URL('../../test/wasi/', import.meta.url));
const program = (name: string) => readFileSync(join(wasiDir, 'programs', name));
const CPU_ROUNDS = '40000000';
const IO_ROUNDS = '20000';
const IO_STDIN = Buffer.alloc(64 * 1024, 'x');

/** Our host's run against node:wasi's, medians of `runs`; both must exit 0 with the same stdout. */
async function ratio(executor: Executor, name: string, args: string[], input: Buffer, dir: string, runs: number) {
  const bytes = program(name);
  const compiled = new WebAssembly.Module(bytes);
  writeFileSync(join(dir, 'stdin'), input);
  const ours = () => executor.run({ module: bytes, input, wasi: { args } });
  const mine = await ours();
  if (nodeWasiRun(compiled, args, dir, join(dir, 'tmp')) !== 0 || mine.exitCode !== 0)
    throw new Error(`${name} did not exit 0`);
  const oursMs = await medianMs(ours, runs, 1);
  const nodeMs = await medianMs(() => nodeWasiRun(compiled, args, dir, join(dir, 'tmp')), runs, 1);
  return { oursMs, nodeMs, fuel: mine.fuel };
}

/** `bytes` with memory.copy and memory.fill lowered to byte loops by binaryen. */
function lowered(bytes: Uint8Array): Uint8Array {
  const module = binaryen.readBinary(bytes);
  try {
    // What clang -mbulk-memory emits; the pass throws with every feature on.
    const { MutableGlobals, NontrappingFPToInt, SignExt, BulkMemory, BulkMemoryOpt } = binaryen.Features;
    module.setFeatures(MutableGlobals | NontrappingFPToInt | SignExt | BulkMemory | BulkMemoryOpt);
    module.runPasses(['llvm-memory-copy-fill-lowering']);
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

/** A program's unit on our host and its node:wasi run, timed alike; both must exit 0 with the same stdout. */
async function programRatio(executor: Executor, bytes: Uint8Array, dir: string, args: string[] = []) {
  const compiled = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const ours = () => executor.run({ module: bytes, input: new Uint8Array(), wasi: { args } });
  const mine = await ours();
  if (nodeWasiRun(compiled, args, dir, join(dir, 'tmp')) !== 0 || mine.exitCode !== 0)
    throw new Error('the program did not exit 0');
  const stdout = readFileSync(join(dir, 'stdout'), 'utf8');
  if (Buffer.from(decodeWasiOutput(mine.output).stdout ?? []).toString('utf8') !== stdout)
    throw new Error(`the program's stdout differs from node:wasi's: ${stdout}`);
  const oursMs = await medianAfterGcMs(ours, 5);
  const nodeMs = await medianAfterGcMs(() => nodeWasiRun(compiled, args, dir, join(dir, 'tmp')), 5);
  return { oursMs, nodeMs, fuel: mine.fuel };
}

export const benchmarks: Benchmark[] = [
  {
    names: ['wasi_cpu_ratio', 'wasi_io_ratio', 'wasi_bulk_ratio', 'wasi_simd_ratio', 'wasi_unit_start_ms'],
    async run() {
      const dir = mkdtempSync(join(tmpdir(), 'wasi-bench-'));
      writeFileSync(join(dir, 'stdin'), '');
      mkdirSync(join(dir, 'tmp'));
      const executor = Executor.start({ workers: 1 });
      try {
        const cpu = await ratio(executor, 'cpu_bound.wasm', [CPU_ROUNDS], Buffer.alloc(0), dir, 5);
        const io = await ratio(executor, 'small_io.wasm', [IO_ROUNDS], IO_STDIN, dir, 5);
        writeFileSync(join(dir, 'stdin'), '');
        const bulk = await programRatio(executor, program('bulk_memory.wasm'), dir);
        const bulkLowered = await programRatio(executor, lowered(program('bulk_memory.wasm')), dir);
        const simd = await programRatio(executor, program('simd.wasm'), dir, ['8']);
        const big = program('big_data.wasm');
        const start = () => executor.run({ module: big, input: new Uint8Array(), wasi: {} });
        await start(); // compiles and meters it: later units find it cached
        const startMs = await medianMs(start, 31, 3);
        return [
          {
            name: 'wasi_cpu_ratio',
            value: round(cpu.oursMs / cpu.nodeMs),
            unit: 'x',
            target: '<= 1.2',
            ours_ms: round(cpu.oursMs, 1),
            node_wasi_ms: round(cpu.nodeMs, 1),
            fuel: cpu.fuel,
            rounds: Number(CPU_ROUNDS),
          },
          {
            name: 'wasi_io_ratio',
            value: round(io.oursMs / io.nodeMs),
            unit: 'x',
            target: '<= 1.5',
            ours_ms: round(io.oursMs, 2),
            node_wasi_ms: round(io.nodeMs, 2),
            stdin_bytes: IO_STDIN.byteLength,
            tmp_rounds: Number(IO_ROUNDS),
          },
          {
            name: 'wasi_bulk_ratio',
            value: round(bulk.oursMs / bulk.nodeMs),
            unit: 'x',
            target: '<= 1.5',
            ours_ms: round(bulk.oursMs, 1),
            node_wasi_ms: round(bulk.nodeMs, 1),
            fuel: bulk.fuel,
            lowered_ours_ms: round(bulkLowered.oursMs, 1),
            lowered_node_wasi_ms: round(bulkLowered.nodeMs, 1),
            lowered_fuel: bulkLowered.fuel,
          },
          {
            name: 'wasi_simd_ratio',
            value: round(simd.oursMs / simd.nodeMs),
            unit: 'x',
            target: '<= 1.5',
            ours_ms: round(simd.oursMs, 1),
            node_wasi_ms: round(simd.nodeMs, 1),
            fuel: simd.fuel,
          },
          {
            name: 'wasi_unit_start_ms',
            value: round(startMs, 2),
            unit: 'ms',
            target: '<= 5',
            module_bytes: big.byteLength,
          },
        ];
      } finally {
        await executor.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    names: ['wasi_conformance_passed', 'wasi_conformance_total', 'wasi_conformance_node_wasi_passed'],
    async run() {
      const corpus = join(wasiDir, 'corpus');
      const tests = [...loadWasiTests(corpus), ...loadWasiTests(corpus, join(corpus, 'features'))];
      const executor = Executor.start({ workers: 2 });
      try {
        const runs = await Promise.all(tests.map((test) => runWasiTest(executor, test)));
        const failed = tests.filter((test, i) => mismatches(test.spec, runs[i]!).length > 0);
        const nodeFailed = tests.filter((test) => nodeWasiMismatches(test).length > 0);
        const names = (list: typeof tests) =>
          list.map((t) => `${t.name}${t.modulePath.includes('features') ? ' (features)' : ''}`).join(', ');
        return [
          {
            name: 'wasi_conformance_passed',
            value: tests.length - failed.length,
            unit: 'tests',
            target: `= ${tests.length}`,
            failed: names(failed),
          },
          { name: 'wasi_conformance_total', value: tests.length, unit: 'tests' },
          {
            name: 'wasi_conformance_node_wasi_passed',
            value: tests.length - nodeFailed.length,
            unit: 'tests',
            failed: names(nodeFailed),
          },
        ];
      } finally {
        await executor.close();
      }
    },
  },
];
