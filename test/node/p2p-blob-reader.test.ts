// The fetcher's reader of a blob reply, fed bytes the way a network would: in any split.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { BlobReader } from '../../src-main/node/p2p/blob-reader.js';
import type { BlobError } from '../../src-main/node/p2p/index.js';

/** An unsigned LEB128 length prefix, written here independently of the reader. */
function prefix(length: number): number[] {
  const bytes: number[] = [];
  do {
    bytes.push((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
    length = Math.floor(length / 128);
  } while (length > 0);
  return bytes;
}

function frame(payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...prefix(payload.byteLength), ...payload]);
}

/** A whole reply: the header, then `blob` cut into frames at `cuts`. */
function reply(blob: Uint8Array, cuts: number[], header: object = { ok: true, size: blob.byteLength }): Uint8Array {
  const parts = [frame(new TextEncoder().encode(JSON.stringify(header)))];
  let at = 0;
  for (const cut of [...cuts.filter((c) => c < blob.byteLength).sort((a, b) => a - b), blob.byteLength]) {
    parts.push(frame(blob.subarray(at, cut)));
    at = cut;
  }
  return Buffer.concat(parts);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

/** Feeds `bytes` to a fresh reader in pieces split at `splits`; the blob, or the error's code. */
function read(bytes: Uint8Array, splits: number[], digest: Uint8Array, maxBytes = 1 << 20): Uint8Array | string {
  const reader = new BlobReader(digest, maxBytes);
  try {
    let at = 0;
    for (const split of [...splits.filter((s) => s < bytes.byteLength).sort((a, b) => a - b), bytes.byteLength]) {
      reader.push(bytes.subarray(at, split));
      at = split;
    }
    return reader.finish();
  } catch (err) {
    return (err as BlobError).code;
  }
}

const blobs = fc.uint8Array({ maxLength: 3000 });
const offsets = fc.array(fc.nat(4000), { maxLength: 12 });

test('any framing of a blob, arriving in any split, reads back as the blob', () => {
  fc.assert(
    fc.property(blobs, offsets, offsets, (blob, cuts, splits) => {
      const result = read(reply(blob, cuts), splits, sha256(blob));
      assert.ok(result instanceof Uint8Array, String(result));
      assert.deepEqual(Buffer.from(result), Buffer.from(blob));
    }),
  );
});

test('large pieces, each a buffer of its own as a network read is, read back as the blob', () => {
  // Pieces of 16 KiB and more are kept as they came and joined at the end: any framing and any
  // split, fresh buffers or views into a larger one, gives the blob back.
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 300_000 }),
      fc.array(fc.nat(300_000), { maxLength: 6 }),
      fc.array(fc.nat(310_000), { maxLength: 12 }),
      fc.boolean(),
      (size, cuts, splits, fresh) => {
        const blob = randomBytes(size);
        const bytes = reply(blob, cuts);
        const reader = new BlobReader(sha256(blob), 1 << 20);
        let at = 0;
        for (const split of [...splits.filter((s) => s < bytes.byteLength).sort((a, b) => a - b), bytes.byteLength]) {
          const piece = bytes.subarray(at, split);
          reader.push(fresh ? Uint8Array.from(piece) : piece);
          at = split;
        }
        assert.deepEqual(Buffer.from(reader.finish()), blob);
      },
    ),
    { numRuns: 30 },
  );
});

test('bytes of another blob are a hash_mismatch; a reply cut short is a protocol error', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 3000 }),
      offsets,
      fc.integer({ min: 1, max: 100 }),
      (blob, splits, cutShort) => {
        const other = Uint8Array.from(blob, (byte) => byte ^ 1);
        assert.equal(read(reply(other, []), splits, sha256(blob)), 'hash_mismatch');
        const whole = reply(blob, []);
        const truncated = whole.subarray(0, Math.max(0, whole.byteLength - cutShort));
        assert.equal(read(truncated, splits, sha256(blob)), 'protocol');
      },
    ),
  );
});

test('a header over maxBytes is refused as too_large as soon as the header is read', () => {
  const reader = new BlobReader(sha256(new Uint8Array(10)), 5);
  const header = frame(new TextEncoder().encode(JSON.stringify({ ok: true, size: 10 })));
  assert.throws(
    () => reader.push(header),
    (err: BlobError) => err.code === 'too_large',
  );
});

test('refusals, bad headers, surplus bytes and oversized frames are typed errors', () => {
  const digest = sha256(new Uint8Array(4));
  const encode = (value: unknown) => frame(new TextEncoder().encode(JSON.stringify(value)));
  assert.equal(read(encode({ ok: false, error: 'not_found' }), [], digest), 'not_found');
  assert.equal(read(encode({ ok: false, error: 'busy' }), [], digest), 'protocol');
  assert.equal(read(encode({ ok: true, size: -1 }), [], digest), 'protocol');
  assert.equal(read(encode({ ok: true }), [], digest), 'protocol');
  assert.equal(read(frame(new TextEncoder().encode('not json')), [], digest), 'protocol');
  assert.equal(
    read(reply(new Uint8Array(8), [], { ok: true, size: 4 }), [], digest),
    'protocol',
    'more bytes than announced',
  );
  assert.equal(read(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x01]), [], digest), 'protocol', 'a prefix too long');
  assert.equal(read(Uint8Array.from(prefix(1 << 20)), [], digest), 'protocol', 'a header frame over its cap');
  assert.equal(read(new Uint8Array(0), [], digest), 'protocol', 'nothing at all');
});

test('a header announcing a large blob allocates nothing up front: the buffer grows with the bytes that come', () => {
  const announced = 96 << 20;
  const header = frame(new TextEncoder().encode(JSON.stringify({ ok: true, size: announced })));
  const readers: BlobReader[] = [];
  const before = process.memoryUsage().arrayBuffers;
  // Ten peers announce 96 MiB each and send one small chunk: what is held is what came.
  for (let i = 0; i < 10; i++) {
    const reader = new BlobReader(sha256(new Uint8Array(0)), announced);
    reader.push(header);
    reader.push(frame(new Uint8Array(1000)));
    readers.push(reader);
  }
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 16 << 20, `held ${grown} bytes for 10 × 1000 received`);
  assert.equal(readers.length, 10);
});
