// The library's crypto (wasm/library/crypto.wasm: libsodium 1.0.18 built for WASI) hashing SHA-256
// of 64 MiB (the 256 MiB, scaled to this shared machine) as our units of a chunk's most,
// 16 MiB each, one after another, in the same run as:
// - library_crypto_ratio: `openssl dgst -sha256` of the whole (target <= 2), which uses the CPU's
//   SHA instructions that WebAssembly lacks;
// - wasi_same_code_ratio: Debian's libsodium natively (bench/native/sodium-sha256.c, built here with
//   gcc against libsodium-dev: the C source crypto.wasm is built from), the same chunks (target <= 1.5).
//   Beside it, where the time goes: the same module unmetered under node:wasi (what WebAssembly
//   itself costs), and our units' time in the worker (what metering and the WASI host add to that)
//   against their time from run() to the output (what handing a unit to the worker adds).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_CHUNK_BYTES } from '../src-main/core/api/contract.js';
import { decodeWasiOutput, Executor, wasiRunOf } from '../src-main/node/exec/index.js';
import { resolveLibrary } from '../src-main/node/kinds/library/library.js';
import { nodeWasiRun } from './fixtures/node-wasi.js';
import { median, medianMs, round, type Benchmark } from './harness.js';

const HASH_BYTES = 64 * 2 ** 20;
const RUNS = 3;

/** Our units of the chunks: the digest of the first, and each run's total and in-worker times. */
async function ours(executor: Executor, chunks: Buffer[]) {
  const resolved = resolveLibrary('crypto', 'sha256', {}, MAX_CHUNK_BYTES);
  if (typeof resolved === 'string') throw new Error(resolved);
  const unit = { unit_id: 'job-l/0', job_id: 'job-l', params: resolved.params as never };
  const once = async () => {
    let inWorkerMs = 0;
    const start = performance.now();
    let digest: Buffer | undefined;
    for (const chunk of chunks) {
      const ran = await executor.run({ module: resolved.module, ...wasiRunOf(unit, chunk, undefined) });
      inWorkerMs += ran.wallMs;
      digest ??= Buffer.from(decodeWasiOutput(ran.output).stdout);
    }
    return { totalMs: performance.now() - start, inWorkerMs, digest: digest! };
  };
  const first = await once(); // metering, compiling, tiering up
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  return {
    digest: first.digest,
    module: resolved.module,
    totalMs: median(runs.map((r) => r.totalMs)),
    inWorkerMs: median(runs.map((r) => r.inWorkerMs)),
  };
}

/** The same module unmetered under node:wasi, the chunks one after another from files. */
async function nodeWasi(module: Uint8Array, chunks: Buffer[], dir: string): Promise<number> {
  const compiled = new WebAssembly.Module(module as Uint8Array<ArrayBuffer>);
  const dirs = chunks.map((chunk, i) => {
    const chunkDir = mkdtempSync(join(dir, `chunk${i}-`));
    writeFileSync(join(chunkDir, 'stdin'), chunk);
    return chunkDir;
  });
  return medianMs(() => dirs.forEach((d) => nodeWasiRun(compiled, ['sha256'], d)), RUNS, 1);
}

/** Debian's libsodium natively on the same chunks (.ci/run installs gcc and libsodium-dev). */
function sodiumSha256(count: number, firstDigest: Buffer): number {
  const dir = mkdtempSync(join(tmpdir(), 'sodium-sha256-'));
  try {
    const binary = join(dir, 'sodium-sha256');
    const source = fileURLToPath(new URL('../../bench/native/sodium-sha256.c', import.meta.url));
    const gcc = spawnSync('gcc', ['-O2', '-o', binary, source, '-lsodium'], { encoding: 'utf8' });
    if (gcc.error || gcc.status !== 0)
      throw new Error(`cannot build the native baseline (gcc, libsodium-dev): ${gcc.error?.message ?? gcc.stderr}`);
    const run = spawnSync(binary, [String(MAX_CHUNK_BYTES >> 20), String(count), String(RUNS)], { encoding: 'utf8' });
    const out = JSON.parse(run.stdout) as { median_ms: number; digest: string };
    if (out.digest !== firstDigest.toString('hex')) throw new Error('libsodium natively and our unit disagree');
    return out.median_ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    names: ['library_crypto_ratio', 'wasi_same_code_ratio'],
    async run() {
      const dir = mkdtempSync(join(tmpdir(), 'library-crypto-bench-'));
      const executor = Executor.start({ workers: 1 });
      try {
        const input = Buffer.alloc(HASH_BYTES, 0x5a);
        const file = join(dir, 'hash.bin');
        writeFileSync(file, input);
        const chunks = Array.from({ length: HASH_BYTES / MAX_CHUNK_BYTES }, (_, i) =>
          input.subarray(i * MAX_CHUNK_BYTES, (i + 1) * MAX_CHUNK_BYTES),
        );
        const run = await ours(executor, chunks);
        const openssl = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: chunks[0] });
        if (!run.digest.equals(openssl)) throw new Error('crypto/sha256 and openssl disagree');
        const opensslMs = await medianMs(() => execFileSync('openssl', ['dgst', '-sha256', '-binary', file]), RUNS, 1);
        const nodeWasiMs = await nodeWasi(run.module, chunks, dir);
        const sameCode = sodiumSha256(chunks.length, run.digest);
        return [
          {
            name: 'library_crypto_ratio',
            value: round(run.totalMs / opensslMs),
            unit: 'x',
            target: '<= 2',
            ours_ms: round(run.totalMs, 1),
            native_ms: round(opensslMs, 1),
            bytes: HASH_BYTES,
          },
          {
            name: 'wasi_same_code_ratio',
            value: round(run.totalMs / sameCode),
            unit: 'x',
            target: '<= 1.5',
            ours_ms: round(run.totalMs, 1),
            same_code_native_ms: round(sameCode, 1),
            // Where the time goes: WebAssembly itself, then metering and the host, then the hand-over.
            node_wasi_unmetered_ms: round(nodeWasiMs, 1),
            ours_in_worker_ms: round(run.inWorkerMs, 1),
            bytes: HASH_BYTES,
          },
        ];
      } finally {
        await executor.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
