// A user's module is checked when its job is submitted, by a real node (its HTTP API, as meshctl and
// the UI reach it) meshed with a real provider: one that cannot run as a unit (a WASI program, a
// missing export, memory over the unit's limits) is refused saying why and what to do, and nothing
// of a job is journaled, stored, held or paid. One that can run is computed by the mesh, and
// `meshctl run-local` prints the same outputs and fuel for it on this machine.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiClient, ApiError, loadOrCreateToken } from '../../../src-main/node/api/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { startDaemon, type Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { hostileModule, reverseModule } from '../fixtures/hostile/modules.js';
import { editedReverse, wasiHelloModule } from '../fixtures/wasi-module.js';
import { jobEnded, meshOf, startNode, type TestNode } from './cluster.js';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-module-check-'));
const dataDir = join(dir, 'requester');
const CHUNK = 8;
// Four units; the third's output has control bytes, so run-local prints it in hex.
const INPUT = Buffer.from('mesh and run-local \u0000\u0001 agree!');
const inputFile = join(dir, 'input.bin');
writeFileSync(inputFile, INPUT);

let daemon: Daemon;
let provider: TestNode;
let client: ApiClient;
before(async () => {
  daemon = await startDaemon({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} });
  provider = await startNode();
  await meshOf([{ node: daemon.node, api: daemon.handlers, dataDir }, provider]);
  client = new ApiClient(daemon.api.url, loadOrCreateToken(dataDir));
});
after(async () => {
  await Promise.all([daemon.stop(), provider.node.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

const meshctlRun = (...args: string[]) => runMeshctl(args);

function moduleFile(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Nothing of a job on either node: no job, no job event journaled, the module not stored, nothing held, spent or earned. */
async function assertNoJob(module: Uint8Array): Promise<void> {
  assert.deepEqual((await client.call('jobs.list', {})).jobs, []);
  const jobEvents = [...daemon.node.journal.events()].filter((e) => /^(job|units?|assignments?|offer)\./.test(e.type));
  assert.deepEqual(
    jobEvents.map((e) => e.type),
    [],
  );
  assert.equal(daemon.node.ctx.blobs.has(cidOfBytes(module)), false, 'the module was stored');
  const requester = await client.call('ledger.get', { limit: 10 });
  assert.deepEqual([requester.held, requester.spent, requester.entries.length], [0, 0, 0]);
  const earned = await provider.api['ledger.get']({ limit: 10 });
  assert.deepEqual([earned.earned, earned.entries.length], [0, 0]);
}

test('a WASI program given to meshctl submit-job is refused at submit, naming its import; nothing is journaled or paid', async () => {
  const module = wasiHelloModule();
  const wasm = moduleFile('hello-wasi.wasm', module);
  const args = ['--input', inputFile, '--chunk-bytes', String(CHUNK), '--budget', '1000', '--data-dir', dataDir];
  const result = await meshctlRun('submit-job', '--wasm', wasm, ...args);
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^meshctl: [^\n]+\n$/);
  assert.match(
    result.stderr,
    /the module cannot run as a unit, so nothing was submitted: ForbiddenImport: module imports function "wasi_snapshot_preview1\.fd_write", which the unit ABI does not provide; it is a WASI program, which runs as a WASI job, not a custom-ABI one: submit it with meshctl submit-job --wasi \(docs\/UNIT_ABI\.md, section 15\), or build it for the unit ABI \(.*: section 12\); try it on this machine with meshctl run-local before submitting it$/m,
  );
  await assertNoJob(module);
});

test('through the API, a module without mesh_run or a memory export, or with memory over the unit limits, is refused saying why and what to do', async () => {
  const cases: Array<[Uint8Array, RegExp]> = [
    [
      editedReverse((wat) => wat.replace('(export "mesh_run")', '(export "run")')),
      /BadModule: module does not export the function "mesh_run"/,
    ],
    [
      editedReverse((wat) => wat.replace('(memory (export "memory") 1 16)', '(memory 1 16)')),
      /BadModule: module does not export its memory as "memory"/,
    ],
    [hostileModule('huge-initial-memory'), /MemoryLimit: module's memory .* is over the unit's 1024 pages/],
    [hostileModule('no-memory-maximum'), /MemoryLimit: module's memory declares no maximum/],
  ];
  const terms = { chunk_bytes: CHUNK, budget: 1_000_000 };
  for (const [module, reason] of cases) {
    const wasm_base64 = Buffer.from(module).toString('base64');
    // Both ways in: the JSON method, and the upload that streams the input (what meshctl and the UI use).
    const submits = [
      () => client.call('jobs.submit', { ...terms, wasm_base64, input_base64: INPUT.toString('base64') }),
      () => client.submitStream({ ...terms, wasm_base64 }, once(INPUT), INPUT.byteLength),
    ];
    for (const submit of submits) {
      await assert.rejects(submit, (err: unknown) => {
        assert.ok(err instanceof ApiError, String(err));
        assert.equal(err.code, 'bad_request', err.message);
        assert.match(err.message, /^the module cannot run as a unit, so nothing was submitted: /);
        assert.match(err.message, reason);
        assert.match(err.message, /a unit's module must follow docs\/UNIT_ABI\.md \(its checklist: section 13\)/);
        assert.match(err.message, /try it on this machine with meshctl run-local before submitting it$/);
        return true;
      });
    }
    await assertNoJob(module);
  }
});

/** run-local's line for each unit: index, output size, fuel, and the output (a JSON string, or hex). */
function parseRunLocal(stdout: string): Array<{ index: number; fuel: number; output: Buffer }> {
  const lines = stdout.trimEnd().split('\n');
  return lines.slice(0, -1).map((line) => {
    const match = /^unit (\d+): (\d+) bytes?, fuel (\d+): (?:hex ([0-9a-f]*)|(".*"))$/.exec(line);
    assert.ok(match, line);
    const output = match[4] !== undefined ? Buffer.from(match[4], 'hex') : Buffer.from(JSON.parse(match[5]!) as string);
    assert.equal(output.byteLength, Number(match[2]), line);
    return { index: Number(match[1]), fuel: Number(match[3]), output };
  });
}

test(
  'a module that runs: the mesh computes its job, and run-local prints the same outputs and fuel',
  { timeout: 120_000 },
  async () => {
    const wasm = moduleFile('reverse.wasm', reverseModule());
    const common = ['--wasm', wasm, '--input', inputFile, '--chunk-bytes', String(CHUNK)];
    const submitted = await meshctlRun(
      'submit-job',
      ...common,
      '--units-per-pack',
      '1',
      '--budget',
      '1000',
      '--data-dir',
      dataDir,
    );
    assert.equal(submitted.status, 0, submitted.stderr);
    const jobId = /^submitted job (\S+): 4 units$/m.exec(submitted.stdout)?.[1];
    assert.ok(jobId, submitted.stdout);
    const job = await jobEnded(daemon.handlers, jobId, 90_000);
    assert.equal(job.state, 'completed');
    const { units } = await client.call('jobs.status', { job_id: jobId, units: true });
    const { outputs } = await client.call('jobs.outputs', { job_id: jobId });
    const mesh = outputs.map((unit) => ({
      index: unit.index,
      fuel: units!.find((u) => u.index === unit.index)!.fuel,
      output: Buffer.from(unit.output_base64!, 'base64'),
    }));
    // The provider was paid for it: what the refused jobs above would have cost.
    assert.ok((await provider.api['ledger.get']({ limit: 0 })).earned > 0);

    const [printed, written] = await Promise.all([
      meshctlRun('run-local', ...common),
      meshctlRun('run-local', ...common, '--out', join(dir, 'out')),
    ]);
    assert.equal(printed.status, 0, printed.stderr);
    const local = parseRunLocal(printed.stdout);
    assert.deepEqual(local, mesh);
    assert.match(printed.stdout, /^unit 2: 8 bytes, fuel \d+: hex /m); // its control bytes: hex
    assert.match(printed.stdout, /\n4 units \(8-byte chunks of .*input\.bin\): 4 ran, 0 failed; fuel (\d+) in all; /);
    const total = Number(/fuel (\d+) in all/.exec(printed.stdout)![1]);
    assert.equal(
      total,
      mesh.reduce((sum, unit) => sum + unit.fuel!, 0),
    );

    assert.equal(written.status, 0, written.stderr);
    for (const unit of mesh) {
      assert.match(
        written.stdout,
        new RegExp(
          `^unit ${unit.index}: ${unit.output.byteLength} bytes?, fuel ${unit.fuel} → .*out/${unit.index}$`,
          'm',
        ),
      );
      assert.deepEqual(readFileSync(join(dir, 'out', String(unit.index))), unit.output);
    }
  },
);
