// Jobs of WASI programs end to end, on three real nodes on loopback: a requester (a daemon, as
// meshctl reaches it) and two providers. C and Rust programs from test/wasi are submitted with
// `meshctl submit-job --wasi`, one unit per index or per file, each unit computed by both providers
// (redundancy 2) and verified by their outputs' hashes agreeing; every verified output is
// byte-identical to a run of the same unit on this machine (Executor.run, given what wasiRunOf
// makes of the unit), and `meshctl job output --out` writes each unit's stdout, stderr (carried
// back from its provider beside the result), exit code and /out files into a folder of its own. A program that is no WASI program is refused at submit.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { unitIdOf } from '../../../src-main/core/mesh/state/unit-table.js';
import { MAX_WASI_STDERR_BYTES } from '../../../src-main/core/schemas/index.js';
import type { JobEstimate } from '../../../src-main/core/api/contract.js';
import { ApiClient, loadOrCreateToken } from '../../../src-main/node/api/index.js';
import {
  decodeWasiOutput,
  encodeInputFiles,
  encodeWasiItem,
  Executor,
  wasiRunOf,
} from '../../../src-main/node/exec/index.js';
import { REFERENCE_FUEL_PER_SECOND } from '../../../src-main/node/hardware/calibrate.js';
import { startDaemon, type Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { reverseModule } from '../fixtures/hostile/modules.js';
import { jobEnded, meshOf, startNode, type TestNode } from './cluster.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';

const wasiDir = fileURLToPath(new URL('../../../../test/wasi/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mesh-wasi-jobs-'));
const dataDir = join(dir, 'requester');

let daemon: Daemon;
let providers: TestNode[];
let client: ApiClient;
let executor: Executor;
before(async () => {
  daemon = await startDaemon({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} });
  providers = [await startNode(), await startNode()];
  await meshOf([{ node: daemon.node, api: daemon.handlers, dataDir }, ...providers]);
  client = new ApiClient(daemon.api.url, loadOrCreateToken(dataDir));
  executor = Executor.start({ workers: 1 });
});
after(async () => {
  await Promise.all([daemon.stop(), ...providers.map((p) => p.node.stop()), executor.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Submits with meshctl, redundancy 2 (both providers compute every unit); the job's id. */
async function submit(...args: string[]): Promise<string> {
  const run = await runMeshctl([
    'submit-job',
    ...args,
    '--redundancy',
    '2',
    '--budget',
    '100000',
    '--data-dir',
    dataDir,
  ]);
  assert.equal(run.status, 0, run.stderr);
  const jobId = /^submitted job (\S+): \d+ units?$/m.exec(run.stdout)?.[1];
  assert.ok(jobId, run.stdout);
  return jobId;
}

/**
 * Waits for the job; asserts every unit verified, each computed by both providers, and each
 * output the bytes of a local run of that unit (`input`: the unit's input as the job cut it).
 */
async function verifiedAsLocal(
  jobId: string,
  module: Uint8Array,
  inputOf: (index: number) => Uint8Array,
  files?: Uint8Array,
): Promise<Buffer[]> {
  const job = await jobEnded(daemon.handlers, jobId, 240_000);
  assert.equal(job.state, 'completed', JSON.stringify(job));
  const { units } = await client.call('jobs.status', { job_id: jobId, units: true });
  const { outputs } = await client.call('jobs.outputs', { job_id: jobId });
  assert.equal(outputs.length, job.units_total);
  const mesh: Buffer[] = [];
  for (const unit of outputs) {
    assert.equal(unit.status, 'verified', JSON.stringify(unit));
    const view = units!.find((u) => u.index === unit.index)!;
    assert.ok((view.fuel ?? 0) > 0, 'priced by the fuel it burned');
    const output = Buffer.from(unit.output_base64!, 'base64');
    const { params } = daemon.node.ctx.state.units.get(unitIdOf(jobId, unit.index))!.unit;
    const here = await executor.run({
      module,
      ...wasiRunOf({ unit_id: unitIdOf(jobId, unit.index), job_id: jobId, params }, inputOf(unit.index), files),
    });
    assert.deepEqual(output, Buffer.from(here.output), `unit ${unit.index}: the mesh's output is the local run's`);
    mesh[unit.index] = output;
  }
  // Both providers computed the job's units, and each was paid for them.
  for (const provider of providers) assert.ok((await provider.api['ledger.get']({ limit: 0 })).earned > 0);
  return mesh;
}

const program = (name: string) => readFileSync(join(wasiDir, 'programs', name));
const stdoutOf = (output: Uint8Array) => Buffer.from(decodeWasiOutput(output).stdout).toString();

test(
  'a C and a Rust program run as 100-unit jobs across two providers: every unit verified, byte-identical to a local run, seeded per unit',
  { timeout: 300_000 },
  async () => {
    const units = 100;
    const chunk = 8 + String(units - 1).length; // every index framed to the longest one's size
    const framed = (index: number) => encodeWasiItem(String(index), new Uint8Array(), chunk);
    const [cJob, rustJob] = await Promise.all([
      submit('--wasi', join(wasiDir, 'programs', 'determinism.wasm'), '--items', String(units)),
      submit('--wasi', join(wasiDir, 'programs', 'determinism-rs.wasm'), '--items', String(units)),
    ]);
    const [c, rust] = await Promise.all([
      verifiedAsLocal(cJob, program('determinism.wasm'), framed),
      verifiedAsLocal(rustJob, program('determinism-rs.wasm'), framed),
    ]);
    // Each unit draws from its own seed: arc4random and a HashMap's order differ between units.
    assert.equal(new Set(c.map((o) => /arc4random \d+/.exec(stdoutOf(o))![0])).size, units);
    assert.ok(new Set(rust.map((o) => /hashmap order .*/.exec(stdoutOf(o))![0])).size > 1);
    // meshctl run-local --wasi, told the job's id, makes each unit's output as the mesh verified it.
    const local = await runMeshctl([
      'run-local',
      '--wasi',
      join(wasiDir, 'programs', 'determinism.wasm'),
      '--items',
      String(units),
      '--job-id',
      cJob,
    ]);
    assert.equal(local.status, 0, local.stderr);
    const { outputs } = await client.call('jobs.outputs', { job_id: cJob });
    for (const unit of outputs)
      assert.match(local.stdout, new RegExp(`^unit ${unit.index}: exit 0, output ${unit.output_cid}, fuel \\d+$`, 'm'));
    // One unit alone: its folder.
    const seven = await runMeshctl(['job', 'output', cJob, '7', '--out', join(dir, 'seven'), '--data-dir', dataDir]);
    assert.equal(seven.status, 0, seven.stderr);
    assert.match(seven.stdout, /: exit 0, \d+ bytes of stdout, 0 of stderr, 200 files in out\//);
    assert.deepEqual(readFileSync(join(dir, 'seven', 'stdout')), Buffer.from(decodeWasiOutput(c[7]!).stdout));
    // The C program's 200 files of /out come back beside its stdout, in a folder per unit.
    const out = join(dir, 'c-out');
    const written = await runMeshctl(['job', 'output', cJob, '--out', out, '--data-dir', dataDir]);
    assert.equal(written.status, 0, written.stderr);
    for (let i = 0; i < units; i++) {
      assert.match(
        written.stdout,
        new RegExp(`^${i}: exit 0, \\d+ bytes of stdout, 0 of stderr, 200 files in out/$`, 'm'),
      );
      const folder = join(out, String(i).padStart(String(units - 1).length, '0')); // names sort in unit order
      const result = decodeWasiOutput(c[i]!);
      assert.equal(readFileSync(join(folder, 'stdout'), 'utf8'), Buffer.from(result.stdout).toString());
      assert.equal(readFileSync(join(folder, 'exit'), 'utf8'), '0\n');
      assert.equal(readFileSync(join(folder, 'stderr'), 'utf8'), ''); // it writes none
      assert.equal(readdirSync(join(folder, 'out')).length, 200);
      for (const [path, bytes] of result.files)
        assert.deepEqual(readFileSync(join(folder, 'out', path)), Buffer.from(bytes));
    }
  },
);

test(
  'one unit per file (--for-each) with args from a template and an env, and the job’s files read-only at /input',
  { timeout: 300_000 },
  async () => {
    const items = join(dir, 'items');
    mkdirSync(items);
    const names = ['a.txt', 'b.txt', 'c.txt'];
    for (const name of names) writeFileSync(join(items, name), `stdin of ${name}`);
    writeFileSync(join(items, 'skipped.bin'), 'not matched');
    const inputDir = join(wasiDir, 'corpus', 'input.dir');
    const argsJob = await submit(
      '--wasi',
      join(wasiDir, 'corpus', 'args_environ.wasm'),
      '--for-each',
      join(items, '*.txt'),
      '--args',
      '{name} #{index}',
      '--env',
      'GREETING=hi there',
    );
    const filesJob = await submit(
      '--wasi',
      join(wasiDir, 'corpus', 'readdir.wasm'),
      '--items',
      '2',
      '--files',
      inputDir,
    );
    const chunk = 8 + 'a.txt'.length + 'stdin of a.txt'.length;
    const itemOf = (i: number) => encodeWasiItem(names[i]!, Buffer.from(`stdin of ${names[i]}`), chunk);
    const args = await verifiedAsLocal(argsJob, readFileSync(join(wasiDir, 'corpus', 'args_environ.wasm')), itemOf);
    assert.deepEqual(
      args.map(stdoutOf),
      names.map((name, i) => `argc=3\nargv[1]=${name}\nargv[2]=#${i}\nenv GREETING=hi there\n`),
    );
    const files = encodeInputFiles(
      readdirSync(inputDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => {
          const path = join(e.parentPath, e.name);
          return [path.slice(inputDir.length + 1), readFileSync(path)] as [string, Uint8Array];
        }),
    );
    const listed = await verifiedAsLocal(
      filesJob,
      readFileSync(join(wasiDir, 'corpus', 'readdir.wasm')),
      (i) => encodeWasiItem(String(i), new Uint8Array(), 9),
      files,
    );
    for (const output of listed) assert.match(stdoutOf(output), /^input: data\.txt type 4$/m);
  },
);

test(
  "a C++ program's units: computed twice and verified, identical to a local run; each unit's stderr comes back beside its stdout, capped as its host keeps it",
  { timeout: 300_000 },
  async () => {
    const items = join(dir, 'words');
    mkdirSync(items);
    const texts = ['the cat and the dog', 'zebra', 'one two three four five six'];
    texts.forEach((text, i) => writeFileSync(join(items, `${i}.txt`), text));
    const wasm = join(wasiDir, 'programs', 'words-cpp.wasm');
    const [wordsJob, floodJob] = await Promise.all([
      submit('--wasi', wasm, '--for-each', join(items, '*.txt'), '--args', '{index}'),
      submit('--wasi', wasm, '--items', '1', '--args', '{index} flood'),
    ]);
    const chunk = 8 + '0.txt'.length + Math.max(...texts.map((t) => t.length));
    const itemOf = (i: number) => encodeWasiItem(`${i}.txt`, Buffer.from(texts[i]!), chunk);
    const words = await verifiedAsLocal(wordsJob, program('words-cpp.wasm'), itemOf);
    assert.deepEqual(
      words.map((o) => decodeWasiOutput(o).exitCode),
      [0, 1, 2],
    );
    assert.match(stdoutOf(words[0]!), /^ {2}the 2$/m);
    // The API and `job output --out` carry each unit's stderr; it is not in the verified output.
    const { outputs } = await client.call('jobs.outputs', { job_id: wordsJob });
    const stderrs = texts.map((t, i) => `unit ${i}: counted ${t.split(' ').length} words\n`);
    assert.deepEqual(
      outputs.map((u) => Buffer.from(u.stderr_base64 ?? '', 'base64').toString()),
      stderrs,
    );
    const out = join(dir, 'words-out');
    const written = await runMeshctl(['job', 'output', wordsJob, '--out', out, '--data-dir', dataDir]);
    assert.equal(written.status, 0, written.stderr);
    for (const [i, stderr] of stderrs.entries()) {
      assert.match(
        written.stdout,
        new RegExp(`^${i}: exit ${i}, \\d+ bytes of stdout, ${stderr.length} of stderr, 0 files in out/$`, 'm'),
      );
      assert.equal(readFileSync(join(out, String(i), 'stderr'), 'utf8'), stderr);
      assert.equal(readFileSync(join(out, String(i), 'exit'), 'utf8'), `${i}\n`);
    }
    // 200 KiB written to stderr: the first 64 KiB come back, from a provider (the requester ran none of it).
    await verifiedAsLocal(floodJob, program('words-cpp.wasm'), () => encodeWasiItem('0', new Uint8Array(), 9));
    const flood = await runMeshctl([
      'job',
      'output',
      floodJob,
      '0',
      '--out',
      join(dir, 'flood'),
      '--data-dir',
      dataDir,
    ]);
    assert.equal(flood.status, 0, flood.stderr);
    assert.match(
      flood.stdout,
      new RegExp(`: exit 0, \\d+ bytes of stdout, ${MAX_WASI_STDERR_BYTES} of stderr, 0 files in out/`),
    );
    const kept = readFileSync(join(dir, 'flood', 'stderr'), 'utf8');
    assert.equal(kept.length, MAX_WASI_STDERR_BYTES);
    assert.ok(kept.startsWith('unit 0: counted 0 words\neee'), kept.slice(0, 40));
  },
);

test(
  'a job of programs is estimated from its first unit, run at submit: the fuel it burned, at the reference rate',
  { timeout: 120_000 },
  async () => {
    const jobId = await submit(
      '--wasi',
      join(wasiDir, 'programs', 'cpu_bound.wasm'),
      '--items',
      '2',
      '--args',
      '20000000',
    );
    const chunk = 9;
    await verifiedAsLocal(jobId, program('cpu_bound.wasm'), (i) => encodeWasiItem(String(i), new Uint8Array(), chunk));
    const { units } = await client.call('jobs.status', { job_id: jobId, units: true });
    const fuel = units!.find((u) => u.index === 0)!.fuel!;
    const { estimated_duration_seconds: estimate } = daemon.node.ctx.state.units.get(unitIdOf(jobId, 0))!.unit;
    // The probe is unit 0's run under another seed, which this program does not read: the same fuel.
    assert.ok(fuel / REFERENCE_FUEL_PER_SECOND > 0.01, String(fuel));
    assert.ok(Math.abs(estimate - (50e-6 + fuel / REFERENCE_FUEL_PER_SECOND)) < 1e-12, `${estimate} for ${fuel} fuel`);
  },
);

/** `module` with a custom section of `padding` bytes at its end: a program of that size, its code unchanged. */
function padded(module: Uint8Array, padding: number): Uint8Array {
  const name = Buffer.from('mesh-test-padding');
  const leb = (n: number) => {
    const bytes: number[] = [];
    for (let rest = n; ; rest >>>= 7) {
      if (rest < 0x80) return Buffer.from([...bytes, rest]);
      bytes.push((rest & 0x7f) | 0x80);
    }
  };

  const payload = Buffer.concat([leb(name.byteLength), name, Buffer.alloc(padding, 0x2a)]);
  return Buffer.concat([module, Buffer.from([0]), leb(payload.byteLength), payload]);
}

test(
  'a program of 6 MiB, over what a request holds inline, goes to the node first (blobs.put) and runs on both providers as a local run does',
  { timeout: 240_000 },
  async () => {
    const big = padded(program('determinism.wasm'), 6 << 20);
    assert.ok(big.byteLength > 6 << 20 && WebAssembly.validate(big as Uint8Array<ArrayBuffer>));
    const file = join(dir, 'determinism-6mib.wasm');
    writeFileSync(file, big);
    const jobId = await submit('--wasi', file, '--items', '3');
    // The job names the module by its CID: the module's own bytes went once, raw, to the store.
    const unit = daemon.node.ctx.state.units.get(unitIdOf(jobId, 0))!.unit;
    assert.equal(daemon.node.ctx.blobs.get(unit.module_cid!)?.byteLength, big.byteLength);
    const chunk = 8 + 1;
    await verifiedAsLocal(jobId, big, (index) => encodeWasiItem(String(index), new Uint8Array(), chunk));
  },
);

test('--dry-run quotes a job of programs from its first unit, run here as at submit; nothing is journaled or stored', async () => {
  const quote = async (...args: string[]) => {
    const run = await runMeshctl(['submit-job', '--wasi', join(wasiDir, 'programs', 'cpu_bound.wasm'), ...args]);
    assert.equal(run.status, 0, run.stderr);
    return run.stdout;
  };
  const terms = ['--items', '3', '--budget', '100000', '--dry-run', '--data-dir', dataDir];
  const seq = daemon.node.journal.lastSeq();
  const { total } = await client.call('jobs.list', {});
  const { blobs } = await client.call('storage.get', {});
  const text = await quote('--args', '20000000', ...terms);
  const long = JSON.parse(await quote('--args', '20000000', ...terms, '--json')) as JobEstimate;
  const short = JSON.parse(await quote('--args', '1000', ...terms, '--json')) as JobEstimate;
  assert.equal(daemon.node.journal.lastSeq(), seq, 'the dry runs journaled nothing');
  assert.equal((await client.call('jobs.list', {})).total, total);
  assert.equal((await client.call('storage.get', {})).blobs, blobs, 'and stored nothing');
  assert.match(text, /^dry run: nothing submitted\nunits {6}3 units\n/);
  assert.deepEqual([long.units, long.units_per_pack, long.enough], [3, 1, true]);
  // Its units' cost is what the program burns: 20,000 times the loop, several times the price.
  assert.ok(long.unit_price > short.unit_price, `${long.unit_price} against ${short.unit_price}`);
  // What a submit refuses, a quote refuses too.
  const wasm = join(dir, 'abi.wasm');
  writeFileSync(wasm, reverseModule());
  const refused = await runMeshctl(['submit-job', '--wasi', wasm, ...terms]);
  assert.equal(refused.status, 1, refused.stdout);
  assert.match(refused.stderr, /ForbiddenImport: module imports function "env\.abort"/);
});

test('a module under the unit ABI submitted with --wasi is refused naming what a WASI program lacks; nothing is journaled', async () => {
  const wasm = join(dir, 'reverse.wasm');
  writeFileSync(wasm, reverseModule());
  const jobsBefore = (await client.call('jobs.list', {})).total;
  const run = await runMeshctl(['submit-job', '--wasi', wasm, '--items', '2', '--budget', '10', '--data-dir', dataDir]);
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stderr, /^meshctl: the module cannot run as a unit, so nothing was submitted: /);
  assert.match(
    run.stderr,
    /ForbiddenImport: module imports function "env\.abort", which WASI preview 1 does not provide; a WASI job's module must be a WASI preview 1 command \(docs\/UNIT_ABI\.md, section 15\)\n$/,
  );
  assert.equal((await client.call('jobs.list', {})).total, jobsBefore);
});

test('WASI terms the node cannot honour are refused at submit, each naming the rule; nothing is journaled', async () => {
  const wasm_base64 = program('determinism.wasm').toString('base64');
  const terms = { chunk_bytes: 9, budget: 1000, wasm_base64 };
  const input_base64 = Buffer.from(encodeWasiItem('0', new Uint8Array(), 9)).toString('base64');
  const jobsBefore = (await client.call('jobs.list', {})).total;
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [
      { wasi: {}, params: { a: 1 } },
      /wasi goes with a module \(wasm_base64 or module_cid\), and its units take no params/,
    ],
    [{ wasi: {}, wasm_base64: undefined, library: 'hash', method: 'sha256' }, /wasi goes with a module/],
    [{ wasi: { items: 'lines' } }, /wasi\.items/],
    [{ wasi: { args: ['a\0b'] } }, /NUL/],
    [{ wasi: { env: { 'A=B': 'c' } } }, /an env name must be non-empty, without "="/],
    [{ wasi: { files_base64: Buffer.from('not cbor').toString('base64') } }, /wasi\.files_base64 is not an input tree/],
    [{ wasi: {}, units_per_pack: 2 }, /a WASI program's units are not packed: units_per_pack is 2, and must be 1/],
    // A module given twice, or named by a CID this node does not hold.
    [{ wasi: {}, module_cid: 'bafkreinothere' }, /give a module \(wasm_base64, or module_cid once put\).*exactly one/],
    [
      { wasi: {}, wasm_base64: undefined, module_cid: 'bafkreinothere' },
      /^module_cid: no blob bafkreinothere here: put the module first \(blobs\.put\)$/,
    ],
  ];
  for (const [extra, reason] of cases) {
    await assert.rejects(
      client.call('jobs.submit', { ...terms, input_base64, ...extra }),
      (err: unknown) => err instanceof Error && reason.test(err.message),
      String(reason),
    );
  }
  assert.equal((await client.call('jobs.list', {})).total, jobsBefore);
});
