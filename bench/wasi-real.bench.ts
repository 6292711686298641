// Real programs from Debian's source packages (wasm/programs, scripts/build-programs.mjs: bzip2
// 1.0.8, built as clang-14 builds by default and again with bulk memory, SIMD128 and reference
// types on; zstd 1.5.4, xz 5.4.1, lz4 1.9.4, and the lua5.4 interpreter), through the executor a
// provider runs them with:
// - wasi_real_programs_passed / _total: each compressor's build compresses and decompresses (-d -c)
//   a text of TEXT_BYTES, and passes when both outputs are Debian's native program's, byte for
//   byte; lua5.4 passes when test/wasi/lua/words.lua on that text and fannkuch.lua (the CPU input
//   below) print what Debian's lua5.4 prints (test/node/wasi-real-programs.test.ts runs them all
//   as mesh jobs on three nodes too);
// - wasi_real_cpu_ratio: the largest program node:wasi can run, lua5.4, on a CPU-bound script
//   (fannkuch.lua 9), our host's unit (metered, in a worker, compile cached) over Node's own
//   node:wasi running the module unmetered in this thread, the medians of 3 runs each, same run
//   (target <= 1.3); bzip2 -9 -c of the text beside it. The largest, zstd, cannot be set against
//   node:wasi: Node 22's node:wasi crashes the process (a segmentation fault) partway through its
//   output, where our host runs it to the native output.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeWasiOutput, encodeInputFiles, Executor } from '../src-main/node/exec/index.js';
import { medianAfterGcMs, round, type Benchmark } from './harness.js';
import { nodeWasiRun } from './fixtures/node-wasi.js';

const root = new URL('../../', import.meta.url);
const programs = fileURLToPath(new URL('wasm/programs/', root));
/** Each compressor's build, its native program and the arguments it compresses with. */
const BUILDS = [
  { name: 'bzip2.wasm', native: 'bzip2', args: ['-9', '-c'] },
  { name: 'bzip2-features.wasm', native: 'bzip2', args: ['-9', '-c'] },
  { name: 'zstd.wasm', native: 'zstd', args: ['-12', '-c'] },
  { name: 'xz.wasm', native: 'xz', args: ['-3', '-c'] },
  { name: 'lz4.wasm', native: 'lz4', args: ['-9', '-c'] },
];
const LUA = { name: 'lua5.4.wasm', native: 'lua5.4', args: ['-', '9'] };
const luaScript = (name: string) => fileURLToPath(new URL(`test/wasi/lua/${name}`, root));
/**
 * A Lua program's unit is charged for its interpreter's whole dispatch loop at every instruction
 * (a loop body pays for all of its `br_table`'s cases), far over a unit's default fuel: these runs
 * are given all the fuel there is.
 */
const ALL_FUEL = { fuel: Number.MAX_SAFE_INTEGER };
const TEXT_BYTES = 2 * 1024 * 1024;

/** TEXT_BYTES of words drawn from the repository's docs by a fixed xorshift: text that compresses as prose does. */
function text(): Buffer {
  const docs = fileURLToPath(new URL('docs/', root));
  const words = readdirSync(docs)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .flatMap((f) => readFileSync(join(docs, f), 'utf8').split(/\s+/))
    .filter(Boolean);
  let x = 0x9e3779b9;
  const out: string[] = [];
  for (let bytes = 0; bytes < TEXT_BYTES;) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const word = words[(x >>> 0) % words.length]!;
    out.push((x & 15) === 0 ? `${word}\n` : `${word} `);
    bytes += word.length + 1;
  }
  return Buffer.from(out.join('')).subarray(0, TEXT_BYTES);
}

/** Debian's native program's stdout; zstd held to its single thread, as a unit runs (no threads). */
const native = (program: string, args: string[], input: Uint8Array): Buffer =>
  execFileSync(program, program === 'zstd' ? [...args, '--single-thread'] : args, { input, maxBuffer: 64 << 20 });

/** `build` on `input`, our unit against node:wasi's run, medians of 3; both must make the native output. */
async function cpuRatio(
  executor: Executor,
  dir: string,
  build: { name: string; native: string; args: string[] },
  input: Buffer,
) {
  const module = readFileSync(join(programs, build.name));
  const compiled = new WebAssembly.Module(module);
  const expected = native(build.native, build.args, input);
  writeFileSync(join(dir, 'stdin'), input);
  const ours = () => executor.run({ module, input, wasi: { args: build.args }, limits: ALL_FUEL });
  const fuel = (await ours()).fuel;
  if (nodeWasiRun(compiled, build.args, dir) !== 0 || !readFileSync(join(dir, 'stdout')).equals(expected))
    throw new Error(`node:wasi's ${build.name} did not make the native output`);
  const oursMs = await medianAfterGcMs(ours, 3);
  const nodeMs = await medianAfterGcMs(() => nodeWasiRun(compiled, build.args, dir), 3);
  return {
    program: build.name,
    args: build.args.join(' '),
    ours_ms: round(oursMs, 1),
    node_wasi_ms: round(nodeMs, 1),
    ratio: round(oursMs / nodeMs),
    fuel,
  };
}

export const benchmarks: Benchmark[] = [
  {
    names: ['wasi_real_programs_passed', 'wasi_real_programs_total', 'wasi_real_cpu_ratio'],
    async run() {
      const input = text();
      const executor = Executor.start({ workers: 1 });
      const dir = mkdtempSync(join(tmpdir(), 'wasi-real-bench-'));
      try {
        const stdout = async (
          module: Uint8Array,
          args: string[],
          stdin: Uint8Array,
          files?: Array<[string, Buffer]>,
        ) => {
          const wasi = { args, ...(files && { files: encodeInputFiles(files) }) };
          const ran = await executor.run({ module, input: stdin, wasi, limits: ALL_FUEL });
          return Buffer.from(decodeWasiOutput(ran.output).stdout);
        };
        const passed: string[] = [];
        for (const build of BUILDS) {
          const module = readFileSync(join(programs, build.name));
          const compressed = native(build.native, build.args, input);
          const packs = (await stdout(module, build.args, input)).equals(compressed);
          const unpacks = (await stdout(module, ['-d', '-c'], compressed)).equals(input);
          if (packs && unpacks) passed.push(build.name);
        }
        const fannkuch = readFileSync(luaScript('fannkuch.lua'));
        const lua = readFileSync(join(programs, LUA.name));
        const words = await stdout(lua, ['/input/words.lua'], input, [
          ['words.lua', readFileSync(luaScript('words.lua'))],
        ]);
        if (words.equals(native('lua5.4', [luaScript('words.lua')], input))) {
          const flips = await stdout(lua, LUA.args, fannkuch);
          if (flips.equals(native('lua5.4', LUA.args, fannkuch))) passed.push(LUA.name);
        }
        const cpu = await cpuRatio(executor, dir, LUA, fannkuch);
        const bzip2 = await cpuRatio(executor, dir, BUILDS[0]!, input);
        return [
          {
            name: 'wasi_real_programs_passed',
            value: passed.length,
            unit: 'builds',
            target: `all (${BUILDS.length + 1})`,
            passed,
          },
          {
            name: 'wasi_real_programs_total',
            value: BUILDS.length + 1,
            unit: 'builds',
            programs: [
              'bzip2 1.0.8-5',
              'zstd 1.5.4+dfsg2-5',
              'xz-utils 5.4.1-1+deb12u1',
              'lz4 1.9.4-1',
              'lua5.4 5.4.4-3+deb12u1',
            ],
          },
          {
            name: 'wasi_real_cpu_ratio',
            value: cpu.ratio,
            unit: 'x',
            target: '<= 1.3',
            input: 'test/wasi/lua/fannkuch.lua',
            ...cpu,
            bzip2: { input_bytes: TEXT_BYTES, ...bzip2 },
          },
        ];
      } finally {
        await executor.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
