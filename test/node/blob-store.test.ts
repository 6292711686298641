import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { base58btc } from 'multiformats/bases/base58';
import * as Digest from 'multiformats/hashes/digest';
import { sha256 } from 'multiformats/hashes/sha2';
import {
  BlobStore,
  BlobStoreError,
  cidOfBytes,
  OPEN_CHUNK_BYTES,
  type BlobStoreErrorCode,
} from '../../src-main/node/blobs/index.js';

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-blobs-'));
  tempDirs.push(dir);
  return dir;
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

async function rejectsCode(code: BlobStoreErrorCode, action: () => Promise<unknown>): Promise<void> {
  await assert.rejects(action, (err: unknown) => err instanceof BlobStoreError && err.code === code);
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; sizes: number[] }> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return { bytes: Buffer.concat(parts), sizes: parts.map((part) => part.byteLength) };
}

test('put stores the bytes under their CID; get, has and size find them', async () => {
  const dir = tempDir();
  const store = new BlobStore(dir);
  const bytes = new TextEncoder().encode('hello, mesh');
  const cid = await store.put(bytes);
  assert.equal(cid, cidOfBytes(bytes));
  assert.match(cid, /^bafkrei[a-z2-7]+$/);
  assert.equal(store.has(cid), true);
  assert.equal(store.size(cid), bytes.byteLength);
  assert.deepEqual(store.get(cid), bytes);
  assert.deepEqual(filesUnder(dir), [join(cid.slice(-3, -1), cid)]);
});

test('a blob the store does not hold: has false, size, get and open undefined', async () => {
  const store = new BlobStore(tempDir());
  const absent = cidOfBytes(new Uint8Array([1, 2, 3]));
  assert.equal(store.has(absent), false);
  assert.equal(store.size(absent), undefined);
  assert.equal(store.get(absent), undefined);
  assert.equal(store.open(absent), undefined);
});

test('putting the same bytes twice returns the same CID and keeps one file; the empty blob is a blob', async () => {
  const dir = tempDir();
  const store = new BlobStore(dir);
  const bytes = randomBytes(1000);
  assert.equal(await store.put(bytes), await store.put(Uint8Array.from(bytes)));
  const empty = await store.put(new Uint8Array(0));
  assert.equal(store.size(empty), 0);
  assert.deepEqual(store.get(empty), new Uint8Array(0));
  assert.equal(filesUnder(dir).length, 2);
  assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'no temp file left behind');
});

test('putVerified stores bytes that hash to the CID and refuses others, storing nothing', async () => {
  const store = new BlobStore(tempDir());
  const bytes = randomBytes(4096);
  const cid = cidOfBytes(bytes);
  const tampered = Uint8Array.from(bytes);
  tampered[100] = tampered[100]! ^ 1;
  await rejectsCode('hash_mismatch', () => store.putVerified(cid, tampered));
  assert.equal(store.has(cid), false);
  await store.putVerified(cid, bytes);
  assert.deepEqual(store.get(cid), new Uint8Array(bytes));
});

test('blobs over maxBlobBytes are refused by put and putVerified', async () => {
  const store = new BlobStore(tempDir(), { maxBlobBytes: 1024 });
  const big = randomBytes(1025);
  await rejectsCode('too_large', () => store.put(big));
  await rejectsCode('too_large', () => store.putVerified(cidOfBytes(big), big));
  assert.equal(store.has(cidOfBytes(big)), false);
  assert.equal(store.size(await store.put(randomBytes(1024))), 1024);
});

test('strings that are not canonical raw sha256 CIDs are refused and never reach the file system', async () => {
  const dir = tempDir();
  const store = new BlobStore(dir);
  const bytes = new TextEncoder().encode('payload');
  const cid = cidOfBytes(bytes);
  const parsed = CID.parse(cid);
  const notCids = [
    '',
    '..',
    '../../../etc/passwd',
    `../${cid}`,
    `${cid}/../../x`,
    `ab/${cid}`,
    cid.toUpperCase(), // base32 upper: the same blob under another name
    parsed.toString(base58btc), // base58btc: likewise
    CID.createV1(dagCbor.code, parsed.multihash).toString(), // a dag-cbor CID, not a blob's
    CID.createV0(Digest.create(sha256.code, parsed.multihash.digest)).toString(), // CIDv0 (Qm...)
    `${cid}x`,
    cid.slice(0, -1),
    'b'.repeat(10_000),
  ];
  for (const bad of notCids) {
    assert.equal(store.has(bad), false, bad);
    assert.equal(store.size(bad), undefined, bad);
    assert.equal(store.get(bad), undefined, bad);
    assert.equal(store.open(bad), undefined, bad);
    await rejectsCode('bad_cid', () => store.putVerified(bad, bytes));
  }
  assert.deepEqual(filesUnder(dir), []);
  await store.putVerified(cid, bytes);
  assert.equal(store.has(cid), true);
});

test('open() streams a 5 MB blob in chunks of at most 256 KiB, the same bytes as get(), as often as asked', async () => {
  const store = new BlobStore(tempDir());
  const bytes = randomBytes(5 * 1000 * 1000);
  const cid = await store.put(bytes);
  const opened = store.open(cid);
  assert.ok(opened);
  assert.equal(opened.size, bytes.byteLength);
  const first = await collect(opened.chunks);
  assert.ok(first.bytes.equals(Buffer.from(store.get(cid)!)));
  assert.ok(first.bytes.equals(bytes));
  assert.ok(first.sizes.every((size) => size > 0 && size <= OPEN_CHUNK_BYTES));
  assert.equal(first.sizes.length, Math.ceil(bytes.byteLength / OPEN_CHUNK_BYTES));
  const second = await collect(opened.chunks);
  assert.ok(second.bytes.equals(bytes));
});

test('a process killed while putting leaves only whole blobs under CID names; the next store sweeps its temp files', async () => {
  const dir = tempDir();
  const storeModule = new URL('../../src-main/node/blobs/store.js', import.meta.url).href;
  // Puts fresh 16 MiB blobs until killed (new first bytes each time, so every put writes); about
  // half of each put is write and fsync, so a kill often lands between the temp file and the rename.
  const writer = `
    import { randomBytes } from 'node:crypto';
    const { BlobStore } = await import(${JSON.stringify(storeModule)});
    const store = new BlobStore(${JSON.stringify(dir)});
    const blob = randomBytes(16 * 1024 * 1024);
    process.stdout.write('ready\\n');
    for (;;) {
      blob.set(randomBytes(16), 0);
      await store.put(blob);
    }
  `;
  const storedBlobs = () => filesUnder(dir).filter((path) => !path.startsWith('tmp'));
  let killedMidPut = false;
  for (let round = 0; round < 20 && !(killedMidPut && storedBlobs().length > 0); round++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    await sleep(50 + ((round * 37) % 200));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    killedMidPut ||= readdirSync(join(dir, 'tmp')).length > 0;
  }
  assert.ok(killedMidPut, 'some kill landed while a temp file was being written');
  const blobs = storedBlobs();
  assert.ok(blobs.length > 0, 'the writers stored something before they were killed');
  for (const path of blobs) {
    assert.equal(cidOfBytes(readFileSync(join(dir, path))), basename(path), `${path} holds the bytes its name says`);
  }
  void new BlobStore(dir); // opening the store sweeps its tmp folder
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  assert.deepEqual(storedBlobs(), blobs, 'the sweep leaves blobs alone');
});
