// Hostile calls against a real node, through both of its transports: the desktop app's IPC path
// (the router of src-main/electron/ipc-router.ts, which runs dispatchCall) and the HTTP API. For every
// contract method, each field replaced by a value of the wrong type, an oversized array or string,
// and prototype keys in the raw JSON text: every one is refused as bad_request naming the field,
// and nothing about the node changes. Then the IPC sender check: only our page may call at all.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as z from 'zod/mini';
import {
  API_METHODS,
  MAX_API_BODY_BYTES,
  type ApiHandlers,
  type MethodInput,
  type MethodName,
} from '../../src-main/core/api/contract.js';
import { validate } from '../../src-main/core/schemas/index.js';
import { loadOrCreateToken } from '../../src-main/node/api/index.js';
import type { ApiReply } from '../../src-main/node/api/dispatch.js';
import { apiHandlers } from '../../src-main/node/mesh/api/api-handlers.js';
import { nodeApi } from '../../src-main/node/mesh/api/node-api.js';
import { startDaemon, type Daemon } from '../../src-main/node/mesh/api/daemon.js';
import { APP_START_URL } from '../../src-main/electron/app-scheme.js';
import { ipcRouter, type IpcRouter, type SenderInfo } from '../../src-main/electron/ipc-router.js';
import { MemoryEventFeed, stubHandlers } from './api-stub-handlers.js';

const PEER = '12D3KooWGzh2bT3ZkDJ2c4Xq7Vb9aN5mPq8Rs4tUv6Wx1Yz2Ab3C';
const JOB = 'job-hardening';
const SCENE = JSON.parse(
  readFileSync(new URL('../../../assets/scenes/orbit.json', import.meta.url), 'utf8'),
) as MethodInput<'render.submit'>['scene'];

/** One valid call of every method: each hostile case below breaks exactly one part of it. */
const VALID: { [M in MethodName]: MethodInput<M> } = {
  status: {},
  'peers.list': {},
  'peers.add': { multiaddr: '/ip4/127.0.0.1/tcp/9' },
  'peers.pardon': { peer_id: PEER },
  'invites.create': { trust: 0.5, expires_seconds: 3600 },
  'invites.accept': { code: 'mesh-invite:AAAA', trust: 1 },
  'invites.list': {},
  'network.get': {},
  'network.set': { relay: { mode: 'on' } },
  'trust.set': { peer_id: PEER, weight: 0.5 },
  'trust.list': {},
  'slots.add': {
    start_time: '2030-01-01T00:00:00.000Z',
    end_time: '2030-01-01T01:00:00.000Z',
    cpu_cores: 1,
    ram_gb: 1,
  },
  'slots.list': {},
  'slots.remove': { slot_id: 'slot-1' },
  'sharing.set': { on: false },
  'windows.add': { days: [1, 2], start: '09:00', end: '17:00', cpu_cores: 1 },
  'windows.list': {},
  'windows.remove': { window_id: 'window-1' },
  'settings.get': {},
  'settings.set': { cpu_cap_pct: 50, idle_only: true },
  'policies.get': {},
  'policies.set': { policies: [{ kind: 'quota', units_per_day: 5 }] },
  'jobs.submit': {
    library: 'hash',
    method: 'sha256',
    input_base64: 'AAAA',
    chunk_bytes: 1024,
    params: { rounds: 1 },
    budget: 100,
  },
  'jobs.estimate': { library: 'hash', method: 'sha256', input_bytes: 4096, chunk_bytes: 1024, budget: 100 },
  'render.submit': { scene: SCENE, first_frame: 0, last_frame: 0, width: 64, height: 64, spp: 1, budget: 100 },
  'render.estimate': { scene: SCENE, first_frame: 0, last_frame: 0, width: 64, height: 64, spp: 1, budget: 100 },
  'jobs.frames': { job_id: JOB },
  'jobs.frame': { job_id: JOB, frame: 0 },
  'jobs.blender_frames': { job_id: JOB },
  'blender.check': {},
  'blender.preflight': { scene_base64: 'AAAA', file: 'scene.blend', zip: false },
  'blender.frames': { job_id: JOB },
  'blender.preview': { job_id: JOB, unit_id: `${JOB}/0` },
  'prices.set': { per_core_second: 10 },
  'jobs.status': { job_id: JOB },
  'jobs.list': {},
  'jobs.cancel': { job_id: JOB },
  'jobs.set_budget': { job_id: JOB, budget: 1000 },
  'jobs.delete': { job_id: JOB },
  'storage.get': {},
  'blobs.put': { data_base64: 'AGFzbQ==' },
  'workflows.run': { document: '{"budget":1,"steps":[{"id":"a","uses":"render"}]}', inputs: { n: { value: 1 } } },
  'workflows.status': { workflow_id: 'wf-1' },
  'workflows.list': {},
  'workflows.output': { workflow_id: 'wf-1', step: 'a' },
  'workflows.cancel': { workflow_id: 'wf-1' },
  'circles.list': {},
  'circles.create': { name: 'friends', members: [PEER] },
  'circles.show': { circle_id: 'circle-1' },
  'circles.propose': { circle_id: 'circle-1', change: { policy: { rewards: { worker_pct: 80, verifier_pct: 20 } } } },
  'circles.vote': { circle_id: 'circle-1', proposal_id: 'p-1', choice: 'approve' },
  'jobs.output': { job_id: JOB, unit_id: 'unit-1' },
  'jobs.outputs': { job_id: JOB, from: 0 },
  'offers.list': { job_id: JOB },
  'offers.accept': { job_id: JOB, node_id: PEER },
  'ledger.get': { limit: 10 },
  'ledger.jobs': { limit: 10 },
  'ledger.transfers': { limit: 10 },
  'receipts.verify': { author: PEER },
  'events.since': { after: 0, limit: 10 },
};
const METHODS = Object.keys(API_METHODS) as MethodName[];
const HUGE_ARRAY = new Array<number>(100_000).fill(0);
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
/** What each key carries, as raw JSON: what would pollute Object.prototype if assigned naively. */
const pollution = (key: (typeof PROTO_KEYS)[number]) =>
  key === 'constructor' ? '{"prototype":{"polluted":"yes"}}' : '{"polluted":"yes"}';

let dataDir: string;
let daemon: Daemon;
let handlers: ApiHandlers;
let ipc: IpcRouter;
let token: string;
const OUR_PAGE: SenderInfo = { url: APP_START_URL, isMainFrame: true, belongsToOurWindow: true };

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mesh-hardening-'));
  daemon = await startDaemon({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} });
  handlers = apiHandlers(nodeApi(daemon.node));
  ipc = ipcRouter({
    handlers,
    events: daemon.node.events,
    loginItem: { getOpenAtLogin: () => false, setOpenAtLogin: () => {} },
    log: () => {},
  });
  token = loadOrCreateToken(dataDir);
});
after(async () => {
  await daemon.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Refusal {
  code: string;
  message: string;
  status?: number;
}

/** The same call over both transports; both answers come back for the test to compare. */
async function callBoth(
  method: string,
  paramsJson: string,
): Promise<{ ipc: ApiReply; http: ApiReply & { status: number } }> {
  const viaIpc = ipc.call(OUR_PAGE, method, paramsJson);
  const response = await fetch(`${daemon.api.url}/api/v1/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: paramsJson,
  });
  return { ipc: await viaIpc, http: { ...((await response.json()) as ApiReply), status: response.status } };
}

function refusalsOf(replies: { ipc: ApiReply; http: ApiReply & { status: number } }, what: string): Refusal[] {
  const { ipc: viaIpc, http } = replies;
  assert.equal(viaIpc.ok, false, `IPC accepted ${what}`);
  assert.equal(http.ok, false, `HTTP accepted ${what}`);
  if (viaIpc.ok || http.ok) return [];
  assert.equal(http.status, 400, `HTTP status for ${what}`);
  assert.deepEqual(viaIpc.error, http.error, `both transports answer ${what} alike`);
  return [viaIpc.error];
}

/** Unwraps optional/default to the schema of the value itself. */
function inner(schema: z.ZodMiniType): z.ZodMiniType {
  return schema instanceof z.ZodMiniOptional || schema instanceof z.ZodMiniDefault
    ? inner(schema._zod.def.innerType as z.ZodMiniType)
    : schema;
}

function fieldsOf(method: MethodName): Record<string, z.ZodMiniType> {
  const params = API_METHODS[method].params as z.ZodMiniType;
  return params instanceof z.ZodMiniObject ? (params.shape as Record<string, z.ZodMiniType>) : {};
}

/** Values the field refuses: every JSON type it does not take, a 100k array, a string past its limit. */
function hostileValues(field: z.ZodMiniType): unknown[] {
  const value = inner(field);
  const tooLong = 'A'.repeat((value instanceof z.ZodMiniString ? (value._zod.bag.maximum ?? 100_000) : 100_000) + 1);
  const candidates = [12345, 'text', true, {}, [], null, tooLong];
  return candidates.filter((candidate) => !field.safeParse(candidate).success);
}

/** A hostile value in a few words (not its megabytes). */
function describeValue(value: unknown): string {
  if (typeof value === 'string' && value.length > 40) return `a string of ${value.length} characters`;
  if (Array.isArray(value) && value.length > 10) return `an array of ${value.length} items`;
  return JSON.stringify(value);
}

/** The JSON text of `params` with `"key": rawValue` written first, as a hostile client would send it. */
function withRawKey(params: object, key: string, rawValue: string): string {
  const rest = JSON.stringify(params).slice(1);
  return `{${JSON.stringify(key)}:${rawValue}${rest === '}' ? '}' : `,${rest}`}`;
}

async function snapshot() {
  const status = await handlers.status({});
  return {
    sharing: status.sharing,
    price: status.price,
    peers: await handlers['peers.list']({}),
    trust: await handlers['trust.list']({}),
    windows: await handlers['windows.list']({}),
    slots: await handlers['slots.list']({}),
    settings: await handlers['settings.get']({}),
    policies: await handlers['policies.get']({}),
    jobs: await handlers['jobs.list']({}),
    ledger: await handlers['ledger.get']({ limit: 100 }),
  };
}

test('the valid calls the hostile cases start from are valid, so each case breaks exactly one thing', () => {
  for (const method of METHODS) assert.equal(validate(API_METHODS[method].params, VALID[method]).ok, true, method);
});

interface HostileCase {
  method: MethodName;
  text: string;
  what: string;
  /** What the refusal's message must show: the field's path, or the offending key. */
  names?: RegExp;
}

/** Every hostile call of one method: built from its params schema and its valid call. */
function hostileCases(method: MethodName): HostileCase[] {
  const valid = VALID[method] as Record<string, unknown>;
  const cases: HostileCase[] = [];
  for (const [field, schema] of Object.entries(fieldsOf(method))) {
    const names = new RegExp(`(^|; )${field}[.:]`);
    // A 100k array where the field is an array (past its length limit); elsewhere the whole params are one, below.
    const values =
      inner(schema) instanceof z.ZodMiniArray || schema.safeParse([]).success
        ? [...hostileValues(schema), HUGE_ARRAY]
        : hostileValues(schema);
    for (const value of values) {
      cases.push({
        method,
        text: JSON.stringify({ ...valid, [field]: value }),
        what: `${method} with ${field} = ${describeValue(value)}`,
        names,
      });
    }
    // A prototype key inside an object-valued field (a job's params, a scene).
    const nested = valid[field];
    if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
      for (const key of PROTO_KEYS) {
        const text = JSON.stringify({ ...valid, [field]: '@nested@' }).replace(
          '"@nested@"',
          withRawKey(nested, key, pollution(key)),
        );
        cases.push({ method, text, what: `${method} with ${key} in ${field}`, names });
      }
    }
  }
  for (const key of PROTO_KEYS)
    cases.push({
      method,
      text: withRawKey(valid, key, pollution(key)),
      what: `${method} with a ${key} key`,
      names: new RegExp(key),
    });
  for (const whole of [
    '[]',
    '"text"',
    '12345',
    'null',
    JSON.stringify(HUGE_ARRAY),
    '{"__proto__":',
    JSON.stringify({ ...valid, unknown_field: 1 }),
  ]) {
    cases.push({ method, text: whole, what: `${method} with params ${whole.slice(0, 30)}` });
  }
  return cases;
}

test('every method, over IPC and HTTP alike: wrong types, huge arrays and strings, prototype keys are refused, naming the field, and change nothing', async () => {
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  const initial = await snapshot();
  const cases = METHODS.flatMap(hostileCases);
  assert.ok(cases.length > 500, `${cases.length} cases`);
  // A few at a time: the calls are independent, and every one of them is refused.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const { method, text, what, names } = cases[i]!;
      for (const refusal of refusalsOf(await callBoth(method, text), what)) {
        assert.equal(refusal.code, 'bad_request', what);
        if (names) assert.match(refusal.message, names, what);
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  assert.deepEqual(await snapshot(), initial, 'no refused call changed the node');
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  assert.equal((Object as unknown as { polluted?: unknown }).polluted, undefined);
});

test('a budget that is not positive is refused over IPC and HTTP alike, saying it must be positive', async () => {
  for (const [method, params] of [
    ['jobs.submit', { ...VALID['jobs.submit'], budget: 0 }],
    ['render.submit', { ...VALID['render.submit'], budget: -5 }],
    ['jobs.set_budget', { ...VALID['jobs.set_budget'], budget: -1 }],
  ] as const) {
    const [refusal] = refusalsOf(await callBoth(method, JSON.stringify(params)), `${method} ${params.budget}`);
    assert.equal(refusal?.message, `budget: a budget must be positive, at least 1 millicredit, got ${params.budget}`);
  }
});

test('a body past the size limit is refused before it is parsed: bad_request over IPC, 413 over HTTP', async () => {
  const huge = `{"name":"${'A'.repeat(MAX_API_BODY_BYTES)}"}`;
  for (const method of METHODS) {
    const reply = await ipc.call(OUR_PAGE, method, huge);
    assert.equal(!reply.ok && reply.error.code, 'bad_request', method);
    assert.match(reply.ok ? '' : reply.error.message, /exceeds/);
  }
  // The server reads the declared length and answers before the body is sent.
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${daemon.api.url}/api/v1/jobs.submit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-length': String(MAX_API_BODY_BYTES + 1) },
    });
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.flushHeaders();
  });
  assert.equal(status, 413);
});

test('IPC from anything but our page in our window is refused as unauthorized, and no handler runs', async () => {
  const stub = stubHandlers();
  const feed = new MemoryEventFeed(3);
  const loginChanges: boolean[] = [];
  const router = ipcRouter({
    handlers: stub.handlers,
    events: feed,
    loginItem: { getOpenAtLogin: () => false, setOpenAtLogin: (on) => loginChanges.push(on) },
    log: () => {},
  });
  const strangers: (SenderInfo | undefined)[] = [
    { ...OUR_PAGE, url: 'https://evil.example/' },
    { ...OUR_PAGE, url: 'file:///home/someone/index.html' },
    { ...OUR_PAGE, url: 'app://other/' },
    { ...OUR_PAGE, url: 'app://mesh.evil/' },
    { ...OUR_PAGE, url: 'app://mesh@evil/' },
    { ...OUR_PAGE, url: 'http://127.0.0.1:4000/' },
    { ...OUR_PAGE, url: 'about:blank' },
    { ...OUR_PAGE, url: '' },
    { ...OUR_PAGE, isMainFrame: false }, // an iframe inside our page
    { ...OUR_PAGE, belongsToOurWindow: false }, // another webContents showing our URL
    undefined, // the frame is gone
  ];
  for (const sender of strangers) {
    for (const method of METHODS) {
      const reply = await router.call(sender, method, JSON.stringify(VALID[method]));
      assert.equal(!reply.ok && reply.error.code, 'unauthorized', `${method} from ${JSON.stringify(sender)}`);
    }
    assert.equal(router.subscribe(sender, 1, 1, 0, () => assert.fail('events sent to a stranger')).ok, false);
    assert.equal(router.getOpenAtLogin(sender).ok, false);
    assert.equal(router.setOpenAtLogin(sender, true).ok, false);
  }
  assert.deepEqual(stub.calls, [], 'no handler ran');
  assert.equal(feed.subscribeCalls, 0, 'no subscription was made');
  assert.deepEqual(loginChanges, []);

  // And our page is let through: the check refuses strangers, not everyone.
  assert.equal((await router.call(OUR_PAGE, 'status', '{}')).ok, true);
  assert.deepEqual(stub.calls, [{ method: 'status', params: {} }]);
});
