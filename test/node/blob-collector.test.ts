// The collector's start: each requester's bytes on my disk are counted at once, so an acceptance
// right after a start reads its quota; the first collection (which reads all of history) waits.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import { DEFAULT_STORAGE_CONFIG } from '../../src-main/core/storage/storage-config.js';
import { BlobCollector } from '../../src-main/node/blobs/collector.js';
import { BlobStore } from '../../src-main/node/blobs/index.js';
import { REQUESTER, WORKER, unitLife } from './fixtures/journal-events.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const OUTPUT_BYTES = 40_000;

/** I am the worker of one open assignment of REQUESTER's, whose output (a file) I hold. */
async function providerWithOutput(): Promise<{ store: BlobStore; state: MeshState }> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-collector-'));
  dirs.push(dir);
  const store = new BlobStore(dir);
  const output = await store.put(randomBytes(OUTPUT_BYTES));
  const state = new MeshState(WORKER);
  for (const event of unitLife('held', 0, 0)) {
    if (event.type === 'unit.created' || event.type === 'offer.accepted') state.apply(event);
    if (event.type === 'result.recorded') state.apply({ ...event, result: { ...event.result, output_cid: output } });
  }
  return { store, state };
}

test('start counts what each requester holds before it returns, and collects nothing yet', async () => {
  const { store, state } = await providerWithOutput();
  const storage = { ...DEFAULT_STORAGE_CONFIG, requester_quota_bytes: OUTPUT_BYTES };
  const collector = new BlobCollector(store, state, storage, new Set(), () => {});
  collector.start();
  try {
    assert.equal(collector.last, undefined, 'no collection at start');
    assert.equal(collector.quota.used(REQUESTER), OUTPUT_BYTES);
    assert.match(collector.quota.refusal(REQUESTER) ?? '', /^quota: /, 'a unit of it would be refused');
  } finally {
    collector.stop();
    store.close();
  }
});

test('the first collection comes after start (here gc_interval_s, 1 s), then every gc_interval_s', async () => {
  const { store, state } = await providerWithOutput();
  const collector = new BlobCollector(
    store,
    state,
    { ...DEFAULT_STORAGE_CONFIG, gc_interval_s: 1 },
    new Set(),
    () => {},
  );
  collector.start();
  try {
    await sleep(1500);
    const first = collector.last;
    assert.ok(first, 'collected once');
    await sleep(1000);
    assert.ok(collector.last.at > first.at, 'and again');
    assert.equal(collector.quota.used(REQUESTER), OUTPUT_BYTES, 'an open assignment’s output is kept and counted');
  } finally {
    collector.stop();
    store.close();
  }
});

test('a collection walks my history only when a blob is past the grace; then it removes what nothing needs, and its quota', async () => {
  const { store, state } = await providerWithOutput();
  const stray = await store.put(randomBytes(1000)); // named by nothing
  const module = await store.put(randomBytes(2000)); // taken for the requester's work, which I no longer hold
  const collector = new BlobCollector(store, state, DEFAULT_STORAGE_CONFIG, new Set(), () => {});
  collector.start();
  assert.ok(collector.quota.take(REQUESTER, module, 2000));
  const values = state.jobs.values.bind(state.jobs);
  let walks = 0;
  state.jobs.values = () => (walks++, values());
  try {
    const now = Date.now();
    assert.deepEqual(collector.collect(now), { at: now, removed: 0, freed_bytes: 0 });
    assert.equal(walks, 0, 'every blob younger than grace_s: no walk of my jobs');
    assert.equal(collector.quota.used(REQUESTER), OUTPUT_BYTES + 2000, 'what the requester holds stays counted');

    const later = now + (DEFAULT_STORAGE_CONFIG.grace_s + 1) * 1000;
    assert.deepEqual(collector.collect(later), { at: later, removed: 2, freed_bytes: 3000 });
    assert.equal(walks, 1);
    assert.equal(store.has(stray), false, 'the stray blob went');
    assert.equal(store.has(module), false, 'and the module nothing needs');
    assert.equal(
      collector.quota.used(REQUESTER),
      OUTPUT_BYTES,
      'the module released, the open assignment’s output kept',
    );
  } finally {
    collector.stop();
    store.close();
  }
});

test('a collection with nothing old enough to go reads nothing else: no blob listed, no work walked, the count kept', async () => {
  const { store, state } = await providerWithOutput();
  const collector = new BlobCollector(store, state, DEFAULT_STORAGE_CONFIG, new Set(), () => {});
  collector.start();
  const list = store.list.bind(store);
  const calls: number[] = [];
  store.list = (putBefore?: number) => (calls.push(putBefore ?? Infinity), list(putBefore));
  const assignments = state.assignments.values.bind(state.assignments);
  let walks = 0;
  state.assignments.values = () => (walks++, assignments());
  try {
    // Outputs counted by `take` whose writes are still under way.
    for (let i = 0; i < 100; i++) assert.ok(collector.quota.take(REQUESTER, `bafy-being-written-${i}`, 1));
    const now = Date.now();
    collector.collect(now);
    assert.deepEqual(calls, [now - DEFAULT_STORAGE_CONFIG.grace_s * 1000], 'only the blobs put before the grace');
    assert.equal(walks, 0, 'the work I hold was not walked');
    assert.equal(collector.quota.used(REQUESTER), OUTPUT_BYTES + 100, 'the count as it was');
  } finally {
    collector.stop();
    store.close();
  }
});
