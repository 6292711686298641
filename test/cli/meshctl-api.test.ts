// meshctl's node commands end to end: the built CLI in a child process, finding a server with stub
// handlers through a temporary data dir, as a user's shell would run it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { apiEvent, STUB_ESTIMATE, STUB_JOB, STUB_STATUS, stubHandlers } from '../node/api-stub-handlers.js';
import { runMeshctl, type Run } from './fixtures/run-meshctl.js';

const OUTPUT = Buffer.from('the verified output of unit u-1');
// The node keeps events 2 to 5: event 1 is gone, as the oldest are once it holds 10,000.
const EVENTS = [2, 3, 4, 5].map(apiEvent);

// job-part: three units, the first verified, the second failed, the third not done.
const PART_UNITS = [
  { unit_id: 'job-part/0', index: 0, status: 'verified' as const, failure: null, output_cid: cidOfBytes(OUTPUT) },
  { unit_id: 'job-part/1', index: 1, status: 'failed' as const, failure: 'OutOfFuel', output_cid: null },
  { unit_id: 'job-part/2', index: 2, status: 'open' as const, failure: null, output_cid: null },
];

const stub = stubHandlers({
  'jobs.status': async ({ job_id }) => {
    if (job_id === 'job-part') return { job: { ...STUB_JOB, job_id, units_total: 3, units_created: 3 } };
    // job output asks what a job computes (a WASI job's unit is a folder).
    if (job_id === 'job-1') return { job: { ...STUB_JOB, job_id } };
    throw new ApiError('not_found', `no job ${job_id}`);
  },
  'jobs.outputs': async () => ({
    outputs: PART_UNITS.map((u) => (u.index === 0 ? { ...u, output_base64: OUTPUT.toString('base64') } : u)),
    next: null,
  }),
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
        // A module put first: recorded by its size and first bytes.
        'blobs.put': async (bytes) => {
          stub.calls.push({
            method: 'blobs.put',
            params: { bytes: bytes.byteLength, head: Buffer.from(bytes.subarray(0, 8)).toString('hex') },
          });
          return { cid: `bafkreiupload${bytes.byteLength}`, bytes: bytes.byteLength };
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

/** Later starts skip compiling (the compile cache). */
const run = (...args: string[]) => runMeshctl(args, { NODE_COMPILE_CACHE: compileCache });
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

test('a budget that is not positive, and a material of an unknown type, are refused saying what is allowed', async () => {
  const scene = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../../assets/scenes/sample.json', import.meta.url)), 'utf8'),
  );
  scene.materials.floor = { type: 'plastic', albedo: [1, 1, 1] };
  const badScene = join(dataDir, 'plastic.json');
  writeFileSync(badScene, JSON.stringify(scene));
  const submit = ['submit-job', '--library', 'hash', '--method', 'sha256', '--input', badScene, '--chunk-bytes', '2'];
  const [negative, zero, lowered, plastic] = await Promise.all([
    inNode(...submit, '--budget', '-5'),
    inNode(...submit, '--budget', '0'),
    inNode('job', 'budget', 'job-1', '-1'),
    run('render-local', badScene, '--frame', '0', '--out', join(dataDir, 'never.png')),
  ]);
  assertOneLineError(negative, /^meshctl: --budget: a budget must be positive, at least 0\.001 credits, got "-5"$/m);
  assertOneLineError(zero, /^meshctl: --budget: a budget must be positive, at least 0\.001 credits, got "0"$/m);
  assertOneLineError(lowered, /^meshctl: <credits>: a budget must be positive, at least 0\.001 credits, got "-1"$/m);
  // render-local lists a scene's problems a line each, under the file's name (docs/SCENE.md).
  assert.equal(plastic.status, 1);
  assert.match(
    plastic.stderr,
    /^ {2}materials\.floor\.type: expected one of diffuse, metal, glass, emissive, got "plastic"$/m,
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

test('job output names a unit by its index alone; a job with units not done writes the others and says which are missing', async () => {
  const [byIndex, each, concat] = await Promise.all([
    inNode('job', 'output', 'job-1', '0', '--out', join(dataDir, 'zero.out')),
    inNode('job', 'output', 'job-part', '--out', join(dataDir, 'part')),
    inNode('job', 'output', 'job-part', '--concat', join(dataDir, 'all.out')),
  ]);
  assert.equal(byIndex.status, 0, byIndex.stderr);
  assert.deepEqual(
    stub.calls.filter((c) => c.method === 'jobs.output').map((c) => c.params),
    [{ job_id: 'job-1', unit_id: 'job-1/0' }],
  );
  // The unit that has an output is written; exit status 1, naming the others and why.
  assert.deepEqual(readdirSync(join(dataDir, 'part')), ['0']);
  assert.deepEqual(readFileSync(join(dataDir, 'part', '0')), OUTPUT);
  assert.match(each.stdout, /^wrote the outputs of 1 of the job's 3 units to .*part\/0 … .*part\/2\n$/);
  assertOneLineError(
    each,
    /^meshctl: 2 units have no output there \(job-part\/1: failed: OutOfFuel; job-part\/2: not done yet\)$/m,
  );
  // One file of them all needs every unit's: nothing is left behind.
  assertOneLineError(
    concat,
    /^meshctl: unit job-part\/1 has no output \(failed: OutOfFuel\): --concat needs every unit's; --out <dir> writes those there are$/m,
  );
  assert.equal(existsSync(join(dataDir, 'all.out')) || existsSync(join(dataDir, 'all.out.partial')), false);
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

test('blender share on --min-trust sets Blender sharing and its threshold; status says it is off by default', async () => {
  const [share, off, bad, status] = await Promise.all([
    inNode('blender', 'share', 'on', '--min-trust', '0.9'),
    inNode('blender', 'share', 'off'),
    inNode('blender', 'share', 'maybe'),
    inNode('status'),
  ]);
  assert.equal(share.status, 0, share.stderr);
  assert.equal(off.status, 0, off.stderr);
  assertOneLineError(bad, /blender share: expected on or off, got maybe/);
  const sets = stub.calls.filter((c) => c.method === 'settings.set').map((c) => c.params);
  assert.deepEqual(
    (sets as { blender_sharing: boolean }[]).sort((a, b) => Number(b.blender_sharing) - Number(a.blender_sharing)),
    [{ blender_sharing: true, blender_min_trust: 0.9 }, { blender_sharing: false }],
  );
  assert.match(status.stdout, /^blender +off \(I render no Blender scenes for others\)$/m);
});
