// Real programs from Debian's source packages (wasm/programs, scripts/build-programs.mjs: bzip2
// 1.0.8, built as clang-14 builds by default and again with bulk memory, SIMD128 and reference
// types on), through the executor a provider runs them with:
// - wasi_real_programs_passed / _total: each build compresses (-9 -c) and decompresses (-d -c) a
//   text of TEXT_BYTES, and passes when both outputs are Debian's native bzip2's, byte for byte
//   (test/node/wasi-real-programs.test.ts runs them as a mesh job on three nodes too);
// - wasi_real_cpu_ratio: bzip2.wasm's -9 -c of that text, our host's unit (metered, in a worker,
//   compile cached) over Node's own node:wasi running the module unmetered in this thread, the
//   medians of 3 runs each, same run (target <= 1.3).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { decodeWasiOutput, Executor } from '../src-main/node/exec/index.js';
import { medianMs, round, type Benchmark } from './harness.js';

const root = new URL('../../', import.meta.url);
const programs = fileURLToPath(new URL('wasm/programs/', root));
const BUILDS = ['bzip2.wasm', 'bzip2-features.wasm'];
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

const native = (args: string[], input: Uint8Array): Buffer =>
  execFileSync('bzip2', args, { input, maxBuffer: 64 << 20 });

/** node:wasi's run: stdin and stdout files of `dir`; its exit code. */
function nodeWasiRun(module: WebAssembly.Module, args: string[], dir: string): number {
  const stdin = openSync(join(dir, 'stdin'), 'r');
  const stdout = openSync(join(dir, 'stdout'), 'w');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['bzip2', ...args],
      env: {},
      stdin,
      stdout,
      returnOnExit: true,
    });
    return wasi.start(new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports));
  } finally {
    // bzip2 closes its stdin and stdout, and node:wasi closes their descriptors with them.
    for (const fd of [stdin, stdout]) {
      try {
        closeSync(fd);
      } catch {
        // closed already
      }
    }
  }
}

export const benchmarks: Benchmark[] = [
  {
    names: ['wasi_real_programs_passed', 'wasi_real_programs_total', 'wasi_real_cpu_ratio'],
    async run() {
      const input = text();
      const compressed = native(['-9', '-c'], input);
      const executor = Executor.start({ workers: 1 });
      const dir = mkdtempSync(join(tmpdir(), 'wasi-real-bench-'));
      try {
        const stdout = async (module: Uint8Array, args: string[], stdin: Uint8Array) =>
          Buffer.from(decodeWasiOutput((await executor.run({ module, input: stdin, wasi: { args } })).output).stdout);
        const passed: string[] = [];
        for (const name of BUILDS) {
          const module = readFileSync(join(programs, name));
          const packs = (await stdout(module, ['-9', '-c'], input)).equals(compressed);
          const unpacks = (await stdout(module, ['-d', '-c'], compressed)).equals(input);
          if (packs && unpacks) passed.push(name);
        }
        const module = readFileSync(join(programs, 'bzip2.wasm'));
        const compiled = new WebAssembly.Module(module);
        writeFileSync(join(dir, 'stdin'), input);
        const ours = () => executor.run({ module, input, wasi: { args: ['-9', '-c'] } });
        const fuel = (await ours()).fuel;
        if (nodeWasiRun(compiled, ['-9', '-c'], dir) !== 0 || !readFileSync(join(dir, 'stdout')).equals(compressed))
          throw new Error("node:wasi's bzip2 did not make native bzip2's output");
        const oursMs = await medianMs(ours, 3, 1);
        const nodeMs = await medianMs(() => nodeWasiRun(compiled, ['-9', '-c'], dir), 3, 1);
        return [
          {
            name: 'wasi_real_programs_passed',
            value: passed.length,
            unit: 'builds',
            target: `all (${BUILDS.length})`,
            passed,
          },
          { name: 'wasi_real_programs_total', value: BUILDS.length, unit: 'builds', programs: ['bzip2 1.0.8-5'] },
          {
            name: 'wasi_real_cpu_ratio',
            value: round(oursMs / nodeMs),
            unit: 'x',
            target: '<= 1.3',
            ours_ms: round(oursMs, 1),
            node_wasi_ms: round(nodeMs, 1),
            input_bytes: TEXT_BYTES,
            fuel,
          },
        ];
      } finally {
        await executor.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
