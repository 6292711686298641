// Files given to a workflow run again (node/mesh/api/workflow-handlers.ts over a real store with its
// database): those the store holds are not written again (putMissing), and a file found held but
// taken by a collection while the run's other files were stored is put again before the run holds
// its inputs: the run never starts with an input the store lost.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BlobStore } from '../../src-main/node/blobs/index.js';
import { Journal } from '../../src-main/node/journal/index.js';
import { workflowHandlers } from '../../src-main/node/mesh/api/workflow-handlers.js';
import type { NodeApi } from '../../src-main/node/mesh/api/node-api.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function openStore(): BlobStore {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-resent-'));
  dirs.push(dir);
  const database = join(dir, 'journal.sqlite');
  const opened = Journal.open(database);
  if (!opened.ok) throw new Error(opened.error.message);
  opened.journal.close();
  return new BlobStore(join(dir, 'blobs'), { database });
}

/**
 * The workflow API over `store`, its putMissing as `putMissing` says (the store's, and what the test
 * does beside it), its runner one that keeps each run's `items` and starts nothing.
 */
function handlersOver(store: BlobStore, putMissing: (bytes: readonly Uint8Array[]) => Promise<string[]>) {
  const runs: { name: string; cid: string; bytes: number }[][] = [];
  const blobs = {
    get: store.get.bind(store),
    size: store.size.bind(store),
    hasAllStored: store.hasAllStored.bind(store),
    removals: store.removals.bind(store),
    putMany: store.putMany.bind(store),
    put: store.put.bind(store),
    putMissing,
  };
  const workflows = {
    run(_document: string, values: Record<string, { name: string; cid: string; bytes: number }[]>) {
      runs.push(values['items']!);
      return { workflow_id: `wf${runs.length}` };
    },
  };
  return { handlers: workflowHandlers({ blobs, workflows } as unknown as NodeApi), runs };
}

test('putMissing writes only what the store lacks: a held row keeps the time it was put', async () => {
  const store = openStore();
  const [old, big] = [randomBytes(64), randomBytes(40_000)];
  const [oldCid, bigCid] = (await store.putMany([old, big])) as [string, string];
  const before = new Map(store.list().map((blob) => [blob.cid, blob.storedAt]));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const fresh = randomBytes(64);
  const cids = await store.putMissing([old, fresh, big]);
  assert.equal(cids[0], oldCid);
  assert.equal(cids[2], bigCid);
  assert.ok(store.has(cids[1]!));
  assert.deepEqual(Buffer.from(store.get(cids[1]!)!), fresh);
  const now = new Map(store.list().map((blob) => [blob.cid, blob.storedAt]));
  assert.equal(now.get(oldCid), before.get(oldCid), 'the held row was not written again');
  assert.equal(now.get(bigCid), before.get(bigCid), 'nor the held file');
  // putMany, as before, makes a held blob fresh again.
  await store.putMany([old]);
  assert.ok(store.list().find((blob) => blob.cid === oldCid)!.storedAt > before.get(oldCid)!);
});

test('a file given again and collected while the run stored its others is put again before the run holds it', async () => {
  const store = openStore();
  const files = Array.from({ length: 3 }, (_, i) => ({ name: `f${i}`, bytes: randomBytes(64) }));
  const [first] = await store.putMany([files[0]!.bytes]); // held from an earlier run
  let collected = false;
  // As a collection would, while the others are written: the held file goes.
  const { handlers, runs } = handlersOver(store, async (bytes) => {
    const cids = await store.putMissing(bytes);
    if (!collected) {
      collected = true;
      const blob = store.list().find(({ cid }) => cid === first);
      assert.equal(store.remove([blob!], Number.MAX_SAFE_INTEGER).removed, 1);
    }
    return cids;
  });
  const started = await handlers['workflows.run']({
    document: '{}',
    inputs: { items: { files: files.map(({ name, bytes }) => ({ name, base64: bytes.toString('base64') })) } },
    no_cache: false,
  });
  assert.equal(started.workflow_id, 'wf1');
  assert.ok(collected);
  assert.deepEqual(
    runs.map((items) => items.map(({ cid }) => store.has(cid))),
    [[true, true, true]],
    'every input in the store when the run takes it',
  );
});

test('a list given again, held whole, is only hashed; once a blob has left the store, its files are asked again', async () => {
  const store = openStore();
  const files = Array.from({ length: 4 }, (_, i) => ({ name: `f${i}`, base64: randomBytes(64).toString('base64') }));
  const writes: number[] = [];
  const { handlers, runs } = handlersOver(store, (bytes) => {
    writes.push(bytes.length);
    return store.putMissing(bytes);
  });
  const run = () => handlers['workflows.run']({ document: '{}', inputs: { items: { files } }, no_cache: false });
  const first = await run();
  const second = await run();
  assert.deepEqual(writes, [4], 'the second run asked the store for nothing');
  assert.equal(second.files_cids?.['items'], first.files_cids?.['items']);
  const gone = store.list().find(({ cid }) => cid === runs[0]![2]!.cid)!;
  assert.equal(store.remove([gone], Number.MAX_SAFE_INTEGER).removed, 1);
  await run();
  assert.deepEqual(writes, [4, 4], 'after a removal the list is not known held: its files are asked again');
  assert.ok(store.has(gone.cid), 'and the one that left is stored again');
  assert.deepEqual(runs[1], runs[0]);
});

test('a list given again is known by one digest of it; one that differs in a byte, a name or where a name ends is not', async () => {
  const store = openStore();
  const files = Array.from({ length: 3 }, (_, i) => ({ name: `f${i}`, base64: randomBytes(64).toString('base64') }));
  const { handlers, runs } = handlersOver(store, (bytes) => store.putMissing(bytes));
  const run = async (given: { name: string; base64: string }[]) => {
    const started = await handlers['workflows.run']({
      document: '{}',
      inputs: { items: { files: given } },
      no_cache: false,
    });
    return { list: started.files_cids?.['items'], items: runs.at(-1)! };
  };
  const cidOf = async (base64: string) => (await store.putMany([Buffer.from(base64, 'base64')]))[0];
  const first = await run(files);
  assert.deepEqual(await run(files.map((file) => ({ ...file }))), first, 'the same files, given again');

  const otherByte = randomBytes(64).toString('base64');
  const changed = await run([files[0]!, { ...files[1]!, base64: otherByte }, files[2]!]);
  assert.notEqual(changed.list, first.list);
  assert.equal(changed.items[1]!.cid, await cidOf(otherByte), 'the changed file as it now is');

  const renamed = await run([files[0]!, { ...files[1]!, name: 'other' }, files[2]!]);
  assert.notEqual(renamed.list, first.list);
  assert.deepEqual(
    renamed.items.map(({ name }) => name),
    ['f0', 'other', 'f2'],
  );

  // Where a name ends and its base64 begins: the same characters in a row, two different lists.
  const joined = await run([{ name: 'xQUJD', base64: 'RA==' }]);
  const split = await run([{ name: 'x', base64: 'QUJDRA==' }]);
  assert.notEqual(joined.list, split.list);
  assert.deepEqual([joined.items[0]!.bytes, split.items[0]!.bytes], [1, 4]);
});
