// `meshctl run-local`, the built CLI in a child process: a module's units run on this machine, each
// output printed with its fuel (or written to --out), a unit's failure said on its own line, and
// every bad argument refused in one line that names it before the sandbox starts. That its outputs
// and fuel equal the mesh's is tried against real nodes (test/node/mesh/module-check.test.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hostileModule, reverseModule } from '../node/fixtures/hostile/modules.js';
import { wasiHelloModule } from '../node/fixtures/wasi-module.js';
import { runMeshctl, type Run } from './fixtures/run-meshctl.js';

const dir = mkdtempSync(join(tmpdir(), 'meshctl-run-local-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const reverse = file('reverse.wasm', reverseModule());
const text = file('text.txt', 'hello, run-local');

const run = (...args: string[]) => runMeshctl(['run-local', ...args]);

/** Exit status 1, nothing on stdout, and one line on stderr that matches. */
function assertRefused(result: Run, message: RegExp): void {
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^meshctl run-local: [^\n]+\n$/);
  assert.match(result.stderr, message);
}

test('each unit of the input is run and printed with its fuel; the whole input is one unit without --chunk-bytes', async () => {
  const [chunked, whole] = await Promise.all([
    run('--wasm', reverse, '--input', text, '--chunk-bytes', '6', '--params', '{"ignored":[1,2]}'),
    run('--wasm', reverse, '--input', text, '--workers', '1'),
  ]);
  assert.equal(chunked.status, 0, chunked.stderr);
  // reverse.wasm's fuel is 86 + 23 per byte (docs/UNIT_ABI.md, section 8).
  const lines = chunked.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    'unit 0: 6 bytes, fuel 224: ",olleh"',
    'unit 1: 6 bytes, fuel 224: "l-nur "',
    'unit 2: 4 bytes, fuel 178: "laco"',
  ]);
  assert.match(
    lines[3]!,
    /^3 units \(6-byte chunks of .*text\.txt\): 3 ran, 0 failed; fuel 626 in all; [\d.]+ s on \d+ workers$/,
  );
  assert.equal(lines.length, 4);
  assert.equal(whole.status, 0, whole.stderr);
  assert.match(
    whole.stdout,
    /^unit 0: 16 bytes, fuel 454: "lacol-nur ,olleh"\n1 unit \(the whole of .*text\.txt\): 1 ran, 0 failed; fuel 454 in all; [\d.]+ s on 1 worker\n$/,
  );
});

test('a unit that fails says why on its own line, the others still print, and the exit status is 1; a long output is shown in part', async () => {
  const trapping = file('reverse-or-trap.wasm', hostileModule('reverse-or-trap'));
  // The second unit starts with 0xFF: reverse-or-trap traps on it.
  const input = file('trap-second.bin', Buffer.from([1, 2, 3, 4, 0xff, 6, 7, 8, 0x1b]));
  const long = file('long.txt', 'ab'.repeat(1000));
  const [failed, shown] = await Promise.all([
    run('--wasm', trapping, '--input', input, '--chunk-bytes', '4'),
    run('--wasm', reverse, '--input', long),
  ]);
  assert.equal(failed.status, 1, failed.stderr);
  assert.equal(failed.stderr, '');
  const lines = failed.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^unit 0: 4 bytes, fuel \d+: hex 04030201$/);
  assert.match(lines[1]!, /^unit 1: failed, fuel \d+: Trap: /);
  assert.match(lines[2]!, /^unit 2: 1 byte, fuel \d+: hex 1b$/);
  assert.match(lines[3]!, /^3 units \(4-byte chunks of .*\): 2 ran, 1 failed; /);

  assert.equal(shown.status, 0, shown.stderr);
  const expected = JSON.stringify('ba'.repeat(512));
  assert.ok(
    shown.stdout.startsWith(
      `unit 0: 2000 bytes, fuel 46086: ${expected} … (the first 1024 of 2000 bytes; --out DIR writes them whole)\n`,
    ),
    shown.stdout,
  );
});

test('a module that cannot run as a unit is refused before any unit runs, saying why and where the ABI is written down', async () => {
  const [wasi, notWasm, bigMemory] = await Promise.all([
    run('--wasm', file('hello-wasi.wasm', wasiHelloModule()), '--input', text),
    run('--wasm', text, '--input', text),
    run('--wasm', file('huge-initial-memory.wasm', hostileModule('huge-initial-memory')), '--input', text),
  ]);
  assertRefused(
    wasi,
    /--wasm: .*hello-wasi\.wasm cannot run as a unit: ForbiddenImport: module imports function "wasi_snapshot_preview1\.fd_write", which the unit ABI does not provide; it is a WASI program, which runs as a WASI job, not a custom-ABI one: submit it with meshctl submit-job --wasi \(docs\/UNIT_ABI\.md, section 15\), .*: section 12\)$/m,
  );
  assertRefused(
    notWasm,
    /--wasm: .*text\.txt cannot run as a unit: BadModule: not a valid WebAssembly module: .*; a unit's module must follow docs\/UNIT_ABI\.md \(its checklist: section 13\)$/m,
  );
  assertRefused(
    bigMemory,
    /cannot run as a unit: MemoryLimit: module's memory \(initial 65536, maximum 65536 pages\) is over the unit's 1024 pages; a unit's module must follow docs\/UNIT_ABI\.md/,
  );
});

test('bad arguments are refused in one line that names them, before the sandbox starts', async () => {
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  const empty = file('empty.bin', '');
  const refusals: Array<[string[], RegExp]> = [
    [['--wasm', reverse, '--input', join(dir, 'missing.bin')], /--input: cannot read .*missing\.bin: .*ENOENT/],
    [['--wasm', reverse, '--input', folder], /--input: .*a-folder is not a file$/m],
    [['--wasm', reverse, '--input', empty], /--input: .*empty\.bin is empty; a job's input has one byte at least$/m],
    [['--wasm', join(dir, 'missing.wasm'), '--input', text], /--wasm: cannot read .*missing\.wasm$/m],
    [
      ['--wasm', reverse, '--input', text, '--chunk-bytes', '0'],
      /--chunk-bytes: expected a whole number in 1\.\.16777216, got "0"$/m,
    ],
    [['--wasm', reverse, '--input', text, '--params', '{'], /--params is not JSON: /],
    [['--wasm', reverse, '--input', text, '--params', '[1]'], /--params: expected a JSON object$/m],
    [['--wasm', reverse, '--input', text, '--params', '{"a":{"__proto__":1}}'], /--params: .*reserved key __proto__/],
    [
      ['--wasm', reverse, '--input', text, '--workers', 'many'],
      /--workers: expected a whole number in 1\.\.1024, got "many"$/m,
    ],
  ];
  const results = await Promise.all(refusals.map(([args]) => run(...args)));
  refusals.forEach(([, message], i) => assertRefused(results[i]!, message));
  // A required option left out: named, with what it is.
  const missing = await run('--wasm', reverse);
  assertRefused(missing, /--input <file>: the input, cut into units as submit-job cuts it$/m);
  assertRefused(await run('--input', text), /--wasm <file> \(a module under the unit ABI\) or --wasi <file>/);
  assertRefused(await run('--wasm', reverse, '--input', text, '--items', '3'), /--items goes with --wasi$/m);
});
