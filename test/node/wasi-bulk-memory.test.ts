// A C program built with bulk memory on (test/wasi/programs/bulk_memory.c, clang-14 -mbulk-memory,
// as newer toolchains build by default) runs as a WASI unit: the same stdout as Node's own
// node:wasi running the module unmetered, the same fuel on every run, and a memset too big for its
// budget ends as OutOfFuel.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import binaryen from 'binaryen';
import { ExecError, Executor, type ExecUnit } from '../../src-main/node/exec/index.js';
import { decodeWasiOutput } from '../../src-main/node/exec/wasi/program.js';

const module = readFileSync(fileURLToPath(new URL('../../../test/wasi/programs/bulk_memory.wasm', import.meta.url)));
const executor = Executor.start({ workers: 2 });
after(() => executor.close());

const unit = (args: string[] = [], fuel?: number): ExecUnit => ({
  module,
  input: new Uint8Array(),
  wasi: { args },
  ...(fuel === undefined ? {} : { limits: { fuel } }),
});
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

/** Node's own WASI runs the module as it is, unmetered; its stdout. */
function nodeWasiStdout(args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulk-memory-'));
  const stdout = openSync(join(dir, 'stdout'), 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args: ['program', ...args], env: {}, stdout, returnOnExit: true });
    const instance = new WebAssembly.Instance(
      new WebAssembly.Module(module),
      wasi.getImportObject() as WebAssembly.Imports,
    );
    assert.equal(wasi.start(instance), 0);
    return readFileSync(join(dir, 'stdout'), 'utf8');
  } finally {
    closeSync(stdout);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the module really uses memory.copy and memory.fill', () => {
  const parsed = binaryen.readBinary(module);
  try {
    parsed.setFeatures(binaryen.Features.All);
    const printed = parsed.emitText();
    assert.match(printed, /\(memory\.copy\b/);
    assert.match(printed, /\(memory\.fill\b/);
  } finally {
    parsed.dispose();
  }
});

test('it runs metered with the stdout node:wasi gives, and the same fuel on every run', async () => {
  const [first, second] = await Promise.all([executor.run(unit()), executor.run(unit())]);
  const result = decodeWasiOutput(first.output);
  assert.equal(result.exitCode, 0, text(first.stderr));
  assert.match(text(result.stdout), /^checksum [0-9a-f]{16}\n$/);
  assert.equal(text(result.stdout), nodeWasiStdout([]));
  assert.equal(second.fuel, first.fuel);
  assert.equal(second.outputHash, first.outputHash);
  // 8 rounds of a memset of ~2 MiB, a memcpy and a memmove of ~4 MiB, at a fuel a byte at least.
  assert.ok(first.fuel > 8 * 10 * 1024 * 1024 * 0.9, `fuel ${first.fuel}`);
});

test('a memset of 48 MiB pays for its bytes; with a budget too small it is OutOfFuel, not done', async () => {
  const bytes = 48 << 20;
  const done = await executor.run(unit(['fill', String(bytes)]));
  assert.equal(text(decodeWasiOutput(done.output).stdout), `filled ${bytes}, last 90\n`);
  assert.ok(done.fuel > bytes, `fuel ${done.fuel}`);
  await assert.rejects(executor.run(unit(['fill', String(bytes)], 10_000_000)), (err: unknown) => {
    assert.ok(err instanceof ExecError);
    assert.equal(err.code, 'OutOfFuel', err.message);
    assert.equal(err.fuel, 10_000_000);
    return true;
  });
});
