// meshctl's node commands end to end: the built CLI in a child process, finding a server with stub
// handlers through a temporary data dir, as a user's shell would run it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cidOfBytes } from '../../src-main/node/blobs/cid.js';
import {
  ApiError,
  loadOrCreateToken,
  startApiServer,
  writeApiEndpoint,
  type ApiServer,
} from '../../src-main/node/api/index.js';
import { apiEvent, STUB_ESTIMATE, STUB_STATUS, stubHandlers } from '../node/api-stub-handlers.js';

const meshctl = fileURLToPath(new URL('../../src-main/cli/meshctl.js', import.meta.url));
const OUTPUT = Buffer.from('the verified output of unit u-1');
// The node keeps events 2 to 5: event 1 is gone, as the oldest are once it holds 10,000.
const EVENTS = [2, 3, 4, 5].map(apiEvent);

const stub = stubHandlers({
  'jobs.status': async ({ job_id }) => {
    throw new ApiError('not_found', `no job ${job_id}`);
  },
  'jobs.output': async () => ({ output_cid: cidOfBytes(OUTPUT), output_base64: OUTPUT.toString('base64') }),
  // Two events a page, so the CLI must page through them.
  'events.since': async ({ after: since }) => ({ events: EVENTS.filter((e) => e.id > since).slice(0, 2) }),
});
const dataDir = mkdtempSync(join(tmpdir(), 'meshctl-api-'));
const compileCache = join(dataDir, 'compile-cache');
let server: ApiServer;

before(async () => {
  server = await startApiServer({
    backend: {
      handlers: stub.handlers,
      events: { subscribe: () => () => {} },
      // The input streams: recorded as the bytes that arrived.
      uploads: {
        'jobs.submit': async (terms, input) => {
          const pieces: Uint8Array[] = [];
          for await (const piece of input) pieces.push(piece);
          stub.calls.push({
            method: 'jobs.submit',
            params: { ...terms, input: Buffer.concat(pieces).toString('hex') },
          });
          return { job_id: 'job-1', units: 4 };
        },
      },
    },
    token: loadOrCreateToken(dataDir),
  });
  writeApiEndpoint(dataDir, { url: server.url, pid: process.pid });
});
after(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  stub.calls.length = 0;
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs meshctl asynchronously: the server answering it lives in this process's event loop. */
function run(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, MESH_GPU: 'off', NODE_COMPILE_CACHE: compileCache }; // later starts skip compiling
    const child = spawn(process.execPath, [meshctl, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const inNode = (...args: string[]) => run(...args, '--data-dir', dataDir);

/** The user-facing failure shape: exit code 1 and exactly one `meshctl:` line on stderr. */
function assertOneLineError(result: Run, message: RegExp): void {
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /^meshctl: [^\n]+\n$/);
  assert.match(result.stderr, message);
}

// Each meshctl start costs one to two seconds (most of it loading what render-local and node start
// import), so the runs are few, and those of one test go in parallel.

test('status --json prints the result as one JSON document', async () => {
  const json = await inNode('status', '--json');
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), STUB_STATUS);
});

test('a trust weight outside 0..1 is refused in one line before the node is asked anything', async () => {
  assertOneLineError(
    await inNode('trust', 'set', 'peer-x', '1.5'),
    /trust weight: expected a number in 0\.\.1, got "1\.5"/,
  );
  assert.deepEqual(stub.calls, []);
});

test('submit-job --input that is a folder is refused in one line, naming it, before the node is asked anything', async () => {
  const args = ['submit-job', '--library', 'hash', '--method', 'sha256', '--chunk-bytes', '2', '--budget', '1'];
  assertOneLineError(await inNode(...args, '--input', dataDir), /--input: .* is not a file$/m);
  assert.deepEqual(stub.calls, []);
});

test("failures are one line: no node for the data dir (and how to start one), or the node's own message", async () => {
  const empty = mkdtempSync(join(tmpdir(), 'meshctl-none-'));
  try {
    const [none, missing] = await Promise.all([run('status', '--data-dir', empty), inNode('job', 'status', 'nope')]);
    assertOneLineError(none, /no node is running for data dir .*meshctl node start --data-dir/);
    assertOneLineError(missing, /^meshctl: no job nope$/m);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('submit-job streams the input file, with credits as millicredits and defaults filled in', async () => {
  const input = join(dataDir, 'input.bin');
  writeFileSync(input, Buffer.from([0, 1, 2, 250, 255]));
  const submitted = await inNode(
    'submit-job',
    '--library',
    'hash',
    '--method',
    'sha256',
    '--input',
    input,
    '--chunk-bytes',
    '2',
    '--budget',
    '1.5',
    '--params',
    '{"rounds":2}',
    '--max-price',
    '0.1',
    '--json',
  );
  assert.equal(submitted.status, 0, submitted.stderr);
  assert.deepEqual(JSON.parse(submitted.stdout), { job_id: 'job-1', units: 4 });
  assert.deepEqual(stub.calls, [
    {
      method: 'jobs.submit',
      params: {
        library: 'hash',
        method: 'sha256',
        input: '000102faff',
        chunk_bytes: 2,
        params: { rounds: 2 },
        redundancy: 1,
        budget: 1500,
        max_price: 100,
        priority: 0.5,
        manual_accept: false,
        open_to_strangers: false,
      },
    },
  ]);
});

test("submit-job --dry-run asks the node for a quote with the input's size, uploads nothing, and prints what it would cost", async () => {
  const input = join(dataDir, 'dry-run.bin');
  writeFileSync(input, Buffer.alloc(4096, 7));
  const common = ['submit-job', '--library', 'hash', '--method', 'sha256', '--input', input, '--chunk-bytes', '1024'];
  const [text, json] = await Promise.all([
    inNode(...common, '--budget', '0.1', '--dry-run'),
    inNode(...common, '--budget', '0.1', '--dry-run', '--json'),
  ]);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(
    text.stdout,
    [
      'dry run: nothing submitted',
      'units      4 units',
      'cost       about 0.036 credits in all (0.00900 a unit)',
      'held       0.0100 a unit while it runs, 0.0100 once its result is in, until the job completes',
      'budget     0.100 credits: enough (about 0.040 sees it through)',
      'time       about 4 ms on the 1 core offered now',
      `priced at  ${STUB_ESTIMATE.prices}`,
      '',
    ].join('\n'),
  );
  assert.deepEqual(JSON.parse(json.stdout), STUB_ESTIMATE);
  // Two quotes asked for, each with the input's size and no input: nothing submitted.
  assert.deepEqual(
    stub.calls.map((c) => c.method),
    ['jobs.estimate', 'jobs.estimate'],
  );
  assert.deepEqual(stub.calls[0]!.params, {
    library: 'hash',
    method: 'sha256',
    chunk_bytes: 1024,
    input_bytes: 4096,
    redundancy: 1,
    budget: 100,
    priority: 0.5,
    manual_accept: false,
    open_to_strangers: false,
  });
});

test("job output writes the unit's bytes, checked against their CID; events pages through past events as JSON lines", async () => {
  const out = join(dataDir, 'unit.out');
  const [output, events, fromGone] = await Promise.all([
    inNode('job', 'output', 'job-1', 'u-1', '--out', out),
    inNode('events', '--after', '2'),
    inNode('events', '--after', '0'),
  ]);
  assert.equal(output.status, 0, output.stderr);
  assert.deepEqual(readFileSync(out), OUTPUT);
  const lines = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  assert.equal(events.status, 0, events.stderr);
  assert.deepEqual(lines(events.stdout), EVENTS.slice(1));
  assert.equal(events.stderr, '', 'nothing missed, nothing said');
  // Asked from before the oldest it keeps: what it has, and stderr says what is gone.
  assert.equal(fromGone.status, 0, fromGone.stderr);
  assert.deepEqual(lines(fromGone.stdout), EVENTS);
  assert.match(fromGone.stderr, /event 1 is no longer kept by the node .*from 2/);
});

test("offers <jobId> lists a job's offers; offers accept <jobId> <peerId> takes one provider's", async () => {
  const [listed, accepted] = await Promise.all([
    inNode('offers', 'job-1'),
    inNode('offers', 'accept', 'job-1', 'peer-p', '--json'),
  ]);
  assert.equal(listed.status, 0, listed.stderr);
  assert.equal(listed.stdout, 'no offers\n');
  assert.equal(accepted.status, 0, accepted.stderr);
  assert.deepEqual(JSON.parse(accepted.stdout), { accepted: 0, refused: [] });
  const calls = [...stub.calls].sort((a, b) => a.method.localeCompare(b.method));
  assert.deepEqual(calls, [
    { method: 'offers.accept', params: { job_id: 'job-1', node_id: 'peer-p' } },
    { method: 'offers.list', params: { job_id: 'job-1' } },
  ]);
});

test('policy set replaces the policy of its kind and keeps the others; policy clear removes one kind or all', async () => {
  const [permit, rate, badRate, clearAll] = await Promise.all([
    inNode('policy', 'set', 'permit-list', 'peer-a', 'peer-b', 'peer-a'),
    inNode('policy', 'set', 'rate-limit', '5', '60', '--json'),
    inNode('policy', 'set', 'rate-limit', '5', '0'),
    inNode('policy', 'clear'),
  ]);
  assert.equal(permit.status, 0, permit.stderr);
  assert.equal(permit.stdout, '- only these 2 peers: peer-a, peer-b\n');
  assert.equal(rate.status, 0, rate.stderr);
  assert.deepEqual(JSON.parse(rate.stdout), { policies: [{ kind: 'rate_limit', units: 5, per_seconds: 60 }] });
  assertOneLineError(badRate, /per_seconds: expected a whole number in 1\.\.2592000, got "0"/);
  assert.equal(clearAll.status, 0, clearAll.stderr);
  assert.match(clearAll.stdout, /^no policies/);
  const sets = stub.calls
    .filter((c) => c.method === 'policies.set')
    .map((c) => JSON.stringify(c.params))
    .sort();
  assert.deepEqual(sets, [
    JSON.stringify({ policies: [] }),
    JSON.stringify({ policies: [{ kind: 'permit_list', peers: ['peer-a', 'peer-b'] }] }),
    JSON.stringify({ policies: [{ kind: 'rate_limit', units: 5, per_seconds: 60 }] }),
  ]);
});

test('storage shows what the blob store holds and the settings; job delete forgets a finished job', async () => {
  const [storage, deleted] = await Promise.all([inNode('storage'), inNode('job', 'delete', 'job-1', '--json')]);
  assert.equal(storage.status, 0, storage.stderr);
  assert.match(storage.stdout, /^blobs +0: 0\.00 MiB in the database, 0\.00 MiB in files$/m);
  assert.match(storage.stdout, /^last collection +none yet$/m);
  assert.match(storage.stdout, /^requester keeps +inputs 7 d after a job ends; outputs until the job is deleted$/m);
  assert.match(storage.stdout, /^quota +1024\.00 MiB per requester$/m);
  assert.equal(deleted.status, 0, deleted.stderr);
  assert.deepEqual(JSON.parse(deleted.stdout), { deleted: 'job-1' });
  assert.deepEqual(
    stub.calls.filter((c) => c.method === 'jobs.delete'),
    [{ method: 'jobs.delete', params: { job_id: 'job-1' } }],
  );
});
