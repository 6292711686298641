// The blob store with the node's database: small blobs are rows, large ones files, behind the
// same API; a row is there whole or not at all, even when the writer is killed mid-transaction.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { BlobStore, BlobStoreError, cidOfBytes, SMALL_BLOB_BYTES } from '../../src-main/node/blobs/index.js';
import { Journal } from '../../src-main/node/journal/index.js';

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A data dir with a migrated journal database, as a node has after Journal.open. */
function dataDir(): { blobs: string; database: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-blob-rows-'));
  tempDirs.push(dir);
  const database = join(dir, 'journal.sqlite');
  const opened = Journal.open(database);
  assert.ok(opened.ok);
  opened.journal.close();
  return { blobs: join(dir, 'blobs'), database };
}

const blobFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.parentPath.endsWith('tmp'));

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

test('blobs up to SMALL_BLOB_BYTES are rows, larger ones files, and the API reads both alike', async () => {
  const { blobs, database } = dataDir();
  const store = new BlobStore(blobs, { database });
  const small = [new Uint8Array(0), randomBytes(64), randomBytes(SMALL_BLOB_BYTES)];
  const large = [randomBytes(SMALL_BLOB_BYTES + 1), randomBytes(600_000)];
  const cids = await store.putMany([...small, ...large]);
  assert.deepEqual(
    cids,
    [...small, ...large].map((b) => cidOfBytes(b)),
    'CIDs in order',
  );
  assert.equal(blobFiles(blobs).length, large.length, 'only the large blobs are files');
  for (const [i, bytes] of [...small, ...large].entries()) {
    const cid = cids[i]!;
    assert.equal(store.has(cid), true);
    assert.equal(store.size(cid), bytes.byteLength);
    assert.deepEqual(Buffer.from(store.get(cid)!), Buffer.from(bytes));
    const opened = store.open(cid)!;
    assert.equal(opened.size, bytes.byteLength);
    assert.ok((await collect(opened.chunks)).equals(bytes));
    // What a message carries inline: the bytes when they fit the bound, nothing when they do not.
    assert.deepEqual(Buffer.from(store.getSmall(cid, bytes.byteLength) ?? [0]), Buffer.from(bytes));
    if (bytes.byteLength > 0) assert.equal(store.getSmall(cid, bytes.byteLength - 1), undefined);
  }
  assert.equal(store.getSmall(cidOfBytes(randomBytes(8)), SMALL_BLOB_BYTES), undefined, 'a blob not held');
  assert.deepEqual(
    store
      .list()
      .map((b) => `${b.place}:${b.size}`)
      .sort(),
    [...small.map((b) => `row:${b.byteLength}`), ...large.map((b) => `file:${b.byteLength}`)].sort(),
  );
  store.close();
  // A store opened afresh on the same data dir finds every blob.
  const again = new BlobStore(blobs, { database });
  for (const cid of cids) assert.equal(again.has(cid), true);
  const unheld = [cidOfBytes(randomBytes(8)), cidOfBytes(randomBytes(SMALL_BLOB_BYTES + 1)), 'not a cid'];
  assert.deepEqual(again.hasAll([...unheld, ...cids]), [...unheld.map(() => false), ...cids.map(() => true)]);
  // Read many at once: rows and files, each its own bytes in order; nothing for what is not held.
  const many = again.getMany([...cids, ...unheld]);
  assert.deepEqual(
    many.map((bytes) => bytes && Buffer.from(bytes).toString('hex')),
    [...cids.map((cid) => Buffer.from(again.get(cid)!).toString('hex')), ...unheld.map(() => undefined)],
  );
  again.close();
});

test('putVerified refuses bytes that do not hash to the CID, storing no row', async () => {
  const { blobs, database } = dataDir();
  const store = new BlobStore(blobs, { database });
  const bytes = randomBytes(100);
  const tampered = Uint8Array.from(bytes);
  tampered[0] = tampered[0]! ^ 1;
  await assert.rejects(
    () => store.putVerified(cidOfBytes(bytes), tampered),
    (err: unknown) => err instanceof BlobStoreError && err.code === 'hash_mismatch',
  );
  assert.equal(store.has(cidOfBytes(bytes)), false);
  assert.equal(store.list().length, 0);
  await store.putVerified(cidOfBytes(bytes), bytes);
  assert.deepEqual(Buffer.from(store.get(cidOfBytes(bytes))!), bytes);
  store.close();
});

test('a store over a database without the blob table says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-blob-rows-'));
  tempDirs.push(dir);
  const database = join(dir, 'bare.sqlite');
  new Database(database).close();
  assert.throws(
    () => new BlobStore(join(dir, 'blobs'), { database }),
    (err: unknown) => err instanceof BlobStoreError && /no small_blobs table/.test(err.message),
  );
});

test('remove deletes rows and files not put since `before`, and spares those put again', async () => {
  const { blobs, database } = dataDir();
  const store = new BlobStore(blobs, { database });
  const [oldRow, oldFile, freshRow, freshFile] = [
    randomBytes(64),
    randomBytes(40_000),
    randomBytes(64),
    randomBytes(40_000),
  ];
  await store.putMany([oldRow, oldFile, freshRow, freshFile]);
  const listed = store.list();
  await sleep(20);
  const decided = Date.now(); // the collector decides these four are unneeded...
  await sleep(20);
  await store.putMany([freshRow, freshFile]); // ...then two are put again (a new job names them)
  assert.deepEqual(store.remove(listed, decided), { removed: 2, freed: 64 + 40_000 });
  assert.equal(store.has(cidOfBytes(oldRow)), false);
  assert.equal(store.has(cidOfBytes(oldFile)), false);
  assert.equal(store.has(cidOfBytes(freshRow)), true);
  assert.equal(store.has(cidOfBytes(freshFile)), true);
  store.close();
});

test('a writer killed mid-transaction leaves only whole rows, each hashing to its key', async () => {
  const { blobs, database } = dataDir();
  const storeModule = new URL('../../src-main/node/blobs/store.js', import.meta.url).href;
  // Batches of 20,000 fresh 64-byte blobs, ten transactions each, until killed (ready once one is in).
  const writer = `
    import { randomBytes } from 'node:crypto';
    const { BlobStore } = await import(${JSON.stringify(storeModule)});
    const store = new BlobStore(${JSON.stringify(blobs)}, { database: ${JSON.stringify(database)} });
    const batch = () => store.putMany(Array.from({ length: 20000 }, () => randomBytes(64)));
    await batch();
    process.stdout.write('ready\\n');
    for (;;) await batch();
  `;
  for (let round = 0; round < 5; round++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    await sleep(100 + round * 70);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  const db = new Database(database, { readonly: true });
  const rows = db.prepare<[], { digest: Buffer; bytes: Buffer }>('SELECT digest, bytes FROM small_blobs').all();
  db.close();
  assert.ok(rows.length > 0, 'the writers stored something before they were killed');
  assert.equal(rows.length % 2000, 0, 'whole transactions only (2,000 rows each)');
  for (const { digest, bytes } of rows) {
    assert.equal(bytes.byteLength, 64);
    assert.ok(createHash('sha256').update(bytes).digest().equals(digest));
  }
});
