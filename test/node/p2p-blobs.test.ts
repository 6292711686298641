import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { cidOfBytes } from '../../src-main/node/blobs/cid.js';
import type { BlobError, BlobSource, MeshNetwork } from '../../src-main/node/p2p/index.js';
import { startNetwork } from './fixtures/p2p-peers.js';

const MiB = 1024 * 1024;

/** Serves `blobs` by CID in 1 MiB pieces, to anyone, announcing the size `announce` gives. */
function memorySource(blobs: Map<string, Uint8Array>, announce = (bytes: Uint8Array) => bytes.byteLength): BlobSource {
  return {
    allows: () => true,
    open(cid) {
      const bytes = blobs.get(cid);
      if (bytes === undefined) return undefined;
      async function* chunks() {
        for (let offset = 0; offset < bytes!.byteLength; offset += MiB) yield bytes!.subarray(offset, offset + MiB);
      }
      return { size: announce(bytes), chunks: chunks() };
    },
  };
}

async function pair(t: Parameters<typeof startNetwork>[0], source: BlobSource): Promise<[MeshNetwork, MeshNetwork]> {
  const [fetcher, holder] = [await startNetwork(t), await startNetwork(t)];
  holder.serveBlobs(source);
  await fetcher.connect(holder.listenAddresses()[0]!);
  return [fetcher, holder];
}

const failsWith = (code: string) => (err: BlobError) => {
  assert.equal(err.code, code, err.message);
  return true;
};

test('a 20 MB blob arrives whole and verified', async (t) => {
  const bytes = randomBytes(20 * 1000 * 1000);
  const cid = cidOfBytes(bytes);
  const [fetcher, holder] = await pair(t, memorySource(new Map([[cid, bytes]])));
  const fetched = await fetcher.fetchBlob(holder.peerId, cid, { maxBytes: 32 * MiB });
  assert.equal(fetched.byteLength, bytes.byteLength);
  assert.ok(Buffer.from(fetched).equals(bytes));
});

test('an empty blob arrives as zero bytes', async (t) => {
  const empty = new Uint8Array(0);
  const cid = cidOfBytes(empty);
  const [fetcher, holder] = await pair(t, memorySource(new Map([[cid, empty]])));
  assert.equal((await fetcher.fetchBlob(holder.peerId, cid, { maxBytes: 1 })).byteLength, 0);
});

test('bytes that do not hash to the CID are rejected as hash_mismatch', async (t) => {
  const claimed = cidOfBytes(randomBytes(1000));
  const [fetcher, holder] = await pair(t, memorySource(new Map([[claimed, randomBytes(1000)]])));
  await assert.rejects(fetcher.fetchBlob(holder.peerId, claimed, { maxBytes: MiB }), failsWith('hash_mismatch'));
});

test('a blob larger than maxBytes is refused from its header, before its bytes are sent', async (t) => {
  const size = 64 * MiB;
  const served = { bytes: 0 };
  const lazyZeros: BlobSource = {
    allows: () => true,
    open: () => ({
      size,
      chunks: (async function* () {
        for (; served.bytes < size; served.bytes += MiB) yield new Uint8Array(MiB);
      })(),
    }),
  };
  const [fetcher, holder] = await pair(t, lazyZeros);
  await assert.rejects(
    fetcher.fetchBlob(holder.peerId, cidOfBytes(new Uint8Array(size)), { maxBytes: MiB }),
    failsWith('too_large'),
  );
  await new Promise((resolve) => setTimeout(resolve, 100)); // room for the holder to run on
  assert.ok(served.bytes < 16 * MiB, `${served.bytes} bytes left the holder`);
});

test('fewer bytes than the header announced is a protocol error', async (t) => {
  const bytes = randomBytes(1000);
  const cid = cidOfBytes(bytes);
  const [fetcher, holder] = await pair(
    t,
    memorySource(new Map([[cid, bytes]]), () => 2000),
  );
  await assert.rejects(fetcher.fetchBlob(holder.peerId, cid, { maxBytes: MiB }), failsWith('protocol'));
});

test('an unknown CID is not_found, and a string that is no CID is refused before dialling', async (t) => {
  const [fetcher, holder] = await pair(t, memorySource(new Map()));
  await assert.rejects(
    fetcher.fetchBlob(holder.peerId, cidOfBytes(randomBytes(8)), { maxBytes: MiB }),
    failsWith('not_found'),
  );
  await assert.rejects(fetcher.fetchBlob(holder.peerId, 'bafy-not-a-cid', { maxBytes: MiB }), failsWith('invalid_cid'));
});

test('a holder that serves no blobs answers not_found', async (t) => {
  const [fetcher, holder] = [await startNetwork(t), await startNetwork(t)];
  await fetcher.connect(holder.listenAddresses()[0]!);
  await assert.rejects(
    fetcher.fetchBlob(holder.peerId, cidOfBytes(randomBytes(8)), { maxBytes: MiB }),
    failsWith('not_found'),
  );
});

test('a blob the source does not allow the fetcher is forbidden, before it is opened, whether the holder has it or not', async (t) => {
  const bytes = randomBytes(1000);
  const held = cidOfBytes(bytes);
  const [elsewhere, allowed] = [cidOfBytes(randomBytes(8)), cidOfBytes(randomBytes(8))];
  const asked: string[] = [];
  const opened: string[] = [];
  const blobs = memorySource(new Map([[held, bytes]]));
  const [fetcher, holder] = await pair(t, {
    allows: (peer, cid) => {
      asked.push(`${peer} ${cid}`);
      return cid === allowed;
    },
    open: (cid) => {
      opened.push(cid);
      return blobs.open(cid);
    },
  });
  for (const cid of [held, elsewhere])
    await assert.rejects(fetcher.fetchBlob(holder.peerId, cid, { maxBytes: MiB }), failsWith('forbidden'));
  await assert.rejects(fetcher.fetchBlob(holder.peerId, allowed, { maxBytes: MiB }), failsWith('not_found'));
  assert.deepEqual(
    asked,
    [held, elsewhere, allowed].map((cid) => `${fetcher.peerId} ${cid}`),
  );
  assert.deepEqual(opened, [allowed], 'nothing forbidden was opened');
});

test("sixty blobs fetched at once from one holder all arrive: fetches past the holder's stream limit wait their turn", async (t) => {
  const blobs = new Map(
    Array.from({ length: 60 }, () => randomBytes(640 * 1024)).map((bytes) => [cidOfBytes(bytes), bytes] as const),
  );
  const [fetcher, holder] = await pair(t, memorySource(blobs));
  const fetched = await Promise.allSettled(
    [...blobs.keys()].map((cid) => fetcher.fetchBlob(holder.peerId, cid, { maxBytes: MiB })),
  );
  const failed = fetched.flatMap((f) => (f.status === 'rejected' ? [String(f.reason)] : []));
  assert.deepEqual(failed, [], `${failed.length} of 60 failed`);
  for (const [i, bytes] of [...blobs.values()].entries()) {
    const got = fetched[i]!;
    assert.ok(got.status === 'fulfilled' && Buffer.from(got.value).equals(bytes));
  }
});
