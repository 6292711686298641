import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import type { ExecutionBatchReceipt, ExecutionReceipt, Receipt } from '../../src-main/core/schemas/index.js';
import { ephemeralIdentity, verifySignature, type Identity } from '../../src-main/node/identity/identity.js';
import {
  encodeReceipt,
  RECEIPT_SIGNING_DOMAIN,
  ReceiptChain,
  ReceiptError,
  signReceipt,
  verifyChain,
  verifyReceipt,
  type ReceiptCheckCode,
  type ReceiptCheckFailure,
  type ReceiptFields,
  type SignedReceipt,
} from '../../src-main/node/receipts/index.js';
import { idArb, isoTimeArb, signableReceiptArb } from '../core/arbitraries.js';

const alice = await ephemeralIdentity();
const mallory = await ephemeralIdentity();

function executionFields(n: number): ReceiptFields {
  return {
    kind: 'execution_batch',
    timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    requester_peer: mallory.peerId,
    results: [
      {
        assignment_id: `assignment-${n}`,
        unit_id: `unit-${n}`,
        job_id: 'job-1',
        output_cid: `output-${n}`,
        fuel: 1000 + n,
        wall_ms: 10 + n,
      },
    ],
  };
}

async function chainOf(identity: Identity, length: number): Promise<SignedReceipt[]> {
  const chain = new ReceiptChain(identity);
  const signed: SignedReceipt[] = [];
  for (let n = 0; n < length; n++) signed.push((await chain.next(executionFields(n))).signed);
  return signed;
}

/** A deep copy, so a test can tamper with it without touching the original. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

function assertFails(
  result: { ok: true } | ReceiptCheckFailure,
  code: ReceiptCheckCode,
  index?: number,
  message?: RegExp,
): void {
  if (result.ok) assert.fail(`expected ${code}, but it verified`);
  assert.equal(result.code, code, result.error);
  assert.equal(result.index, index, result.error);
  if (message) assert.match(result.error, message);
}

test('a chain of 50 receipts verifies: seqs 0..49, each linked to the one before, head the last CID', async () => {
  const chain = new ReceiptChain(alice);
  const made = [];
  for (let n = 0; n < 50; n++) made.push(await chain.next(executionFields(n)));
  assert.deepEqual(
    made.map(({ receipt }) => receipt.seq),
    Array.from({ length: 50 }, (_, n) => n),
  );
  assert.equal(made[0]!.receipt.prev, null);
  for (let n = 1; n < 50; n++) assert.equal(made[n]!.receipt.prev, made[n - 1]!.cid);
  for (const { receipt, cid } of made) assert.equal(encodeReceipt(receipt).cid, cid);
  const result = await verifyChain(made.map(({ signed }) => signed));
  assert.deepEqual(result, { ok: true, author: alice.peerId, length: 50, head: made[49]!.cid });
});

test('concurrent next() calls are served in call order and still make one proper chain', async () => {
  const chain = new ReceiptChain(alice);
  const made = await Promise.all(Array.from({ length: 20 }, (_, n) => chain.next(executionFields(n))));
  assert.deepEqual(
    made.map(({ receipt }) => [receipt.seq, receipt.kind === 'execution_batch' && receipt.results[0]!.unit_id]),
    Array.from({ length: 20 }, (_, n) => [n, `unit-${n}`]),
  );
  const result = await verifyChain(made.map(({ signed }) => signed));
  assert.equal(result.ok, true);
});

test('fields that make no valid receipt are refused and leave the chain where it was', async () => {
  const chain = new ReceiptChain(alice);
  const fields = executionFields(0) as ExecutionBatchReceipt;
  const bad = { ...fields, results: [{ ...fields.results[0]!, unit_id: '' }] };
  const refused = chain.next(bad);
  const after = chain.next(executionFields(1)); // queued behind the refused one
  await assert.rejects(
    refused,
    (err: unknown) => err instanceof ReceiptError && err.code === 'invalid_receipt' && /unit_id/.test(err.message),
  );
  const { receipt } = await after;
  assert.equal(receipt.seq, 0);
  assert.equal(receipt.prev, null);
});

test('a receipt dropped while it is the head (its journal step failed) is no link: the next takes its seq and prev', async () => {
  const chain = new ReceiptChain(alice);
  const first = await chain.next(executionFields(0));
  const failed = await chain.next(executionFields(1));
  assert.equal(chain.dropped(failed), true);
  const third = await chain.next(executionFields(2));
  assert.equal(third.receipt.seq, 1);
  assert.equal(third.receipt.prev, first.cid);
  assert.equal((await verifyChain([first.signed, third.signed])).ok, true, 'what is kept is one chain, with no gap');

  // One that a later receipt names already is a link: it cannot be dropped, and must be journaled still.
  const fourth = await chain.next(executionFields(3));
  await chain.next(executionFields(4));
  assert.equal(chain.dropped(fourth), false);
  // A next receipt asked for but not begun yet reads the head once it begins: it takes the dropped one's place.
  const fifth = await chain.next(executionFields(5));
  const queued = chain.next(executionFields(6));
  assert.equal(chain.dropped(fifth), true);
  assert.equal((await queued).receipt.seq, fifth.receipt.seq);
  assert.equal((await queued).receipt.prev, fifth.receipt.prev);
});

test('a chain resumed from its last link continues it, and verifies from that start', async () => {
  const first = await chainOf(alice, 3);
  const last = { cid: encodeReceipt(first[2]!.receipt).cid, seq: 2 };
  const resumed = new ReceiptChain(alice, last);
  const rest = [(await resumed.next(executionFields(3))).signed, (await resumed.next(executionFields(4))).signed];
  assert.equal(rest[0]!.receipt.seq, 3);
  assert.equal(rest[0]!.receipt.prev, last.cid);
  assert.equal((await verifyChain([...first, ...rest])).ok, true);
  assert.equal((await verifyChain(rest, { start: { seq: 3, prev: last.cid } })).ok, true);
  assertFails(await verifyChain(rest), 'wrong_seq', 0, /has seq 3, expected 0/);
  assertFails(await verifyChain(rest, { start: { seq: 3, prev: null } }), 'wrong_prev', 0);
});

test('tampering is caught at the receipt tampered with, and the message says how', async (t) => {
  const chain = await chainOf(alice, 8);
  const cases: Array<
    [string, (c: SignedReceipt[]) => Promise<SignedReceipt[]> | SignedReceipt[], ReceiptCheckCode, number, RegExp]
  > = [
    [
      'a changed field',
      (c) => (((c[4]!.receipt as ExecutionBatchReceipt).results[0]!.wall_ms += 1), c),
      'bad_signature',
      4,
      /receipt 4: signature is not/,
    ],
    [
      'a removed optional field',
      (c) => (delete (c[2]!.receipt as ExecutionBatchReceipt).results[0]!.fuel, c),
      'bad_signature',
      2,
      /signature/,
    ],
    [
      'two receipts swapped',
      (c) => (([c[3], c[5]] = [c[5]!, c[3]!]), c),
      'wrong_seq',
      3,
      /receipt 3: has seq 5, expected 3/,
    ],
    ['one dropped', (c) => (c.splice(6, 1), c), 'wrong_seq', 6, /has seq 7, expected 6/],
    ['one repeated', (c) => (c.splice(2, 0, c[1]!), c), 'wrong_seq', 2, /has seq 1, expected 2/],
    [
      'a changed prev',
      (c) => ((c[5]!.receipt.prev = encodeReceipt(c[3]!.receipt).cid), c),
      'wrong_prev',
      5,
      /receipt 5: links to/,
    ],
    [
      'a receipt signed by another key',
      async (c) => {
        const message = Buffer.concat([Buffer.from(RECEIPT_SIGNING_DOMAIN), encodeReceipt(c[3]!.receipt).bytes]);
        c[3]!.sig = Buffer.from(await mallory.sign(message)).toString('base64');
        return c;
      },
      'bad_signature',
      3,
      new RegExp(`receipt 3: signature is not ${alice.peerId}'s`),
    ],
    [
      'a forged author field',
      (c) => ((c[5]!.receipt.author = mallory.peerId), c),
      'wrong_author',
      5,
      /receipt 5: by .*, but the chain is by/,
    ],
    [
      'a forged author on the first receipt',
      (c) => ((c[0]!.receipt.author = mallory.peerId), c),
      'bad_signature',
      0,
      new RegExp(mallory.peerId),
    ],
    [
      "another author's own receipt spliced in",
      async (c) => {
        const theirs = await signReceipt(mallory, { ...c[4]!.receipt, author: mallory.peerId });
        c[4] = theirs.signed;
        return c;
      },
      'wrong_author',
      4,
      /by .*, but the chain is by/,
    ],
    [
      'an extra key',
      (c) => (Object.assign(c[1]!.receipt, { bonus: 1 }), c),
      'invalid',
      1,
      /not a signed receipt: .*bonus/,
    ],
    ['a sig that is not base64', (c) => ((c[7]!.sig = 'not base64!'), c), 'invalid', 7, /sig/],
  ];
  for (const [what, tamper, code, index, message] of cases) {
    const tampered = await tamper(copy(chain));
    await t.test(what, async () => assertFails(await verifyChain(tampered), code, index, message));
  }
  assert.equal((await verifyChain(chain)).ok, true, 'the original is untouched');
});

test('a signature in a second base64 spelling (different unused bits) is refused', async () => {
  const [signed] = await chainOf(alice, 1);
  const sig = signed!.sig; // 64 bytes: 88 characters ending '==', whose last letter carries 4 unused bits
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const last = sig.at(-3)!;
  const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
  const respelled = `${sig.slice(0, -3)}${sibling}==`;
  assert.deepEqual(Buffer.from(respelled, 'base64'), Buffer.from(sig, 'base64'), 'the same bytes');
  assertFails(await verifyChain([{ ...signed!, sig: respelled }]), 'bad_signature', 0);
});

test('verifyReceipt checks one receipt, and that it is the one expected', async () => {
  const [signed] = await chainOf(alice, 1);
  const cid = encodeReceipt(signed!.receipt).cid;
  assert.deepEqual(await verifyReceipt(signed, cid), { ok: true, receipt: signed!.receipt, cid });
  assert.equal((await verifyReceipt(signed)).ok, true);
  const other = encodeReceipt({ ...signed!.receipt, wall_ms: 1 } as Receipt).cid;
  assertFails(
    await verifyReceipt(signed, other),
    'wrong_cid',
    undefined,
    new RegExp(`receipt is ${cid}, expected ${other}`),
  );
  const tampered = copy(signed!);
  tampered.receipt.timestamp = '2030-01-01T00:00:00Z';
  assertFails(await verifyReceipt(tampered), 'bad_signature');
});

test('hostile values are refused as invalid, never thrown', async () => {
  const deep: unknown[] = [];
  let cursor = deep;
  for (let i = 0; i < 10_000; i++) cursor.push((cursor = []));
  const hostile = [
    null,
    undefined,
    42,
    'receipt',
    [],
    deep,
    { receipt: null, sig: 'AA==' },
    JSON.parse('{"__proto__": {"x": 1}}'),
  ];
  for (const value of hostile) {
    assertFails(await verifyReceipt(value), 'invalid');
    assertFails(await verifyChain([value]), 'invalid', 0);
  }
  assertFails(await verifyChain([]), 'empty');
});

test('signReceipt refuses a receipt that names another author', async () => {
  const [signed] = await chainOf(alice, 1);
  await assert.rejects(
    signReceipt(mallory, signed!.receipt),
    (err: unknown) => err instanceof ReceiptError && err.code === 'not_author',
  );
});

test('the signature is over "mesh/1/receipt\\n" and the dag-cbor bytes, nothing else', async () => {
  const [signed] = await chainOf(alice, 1);
  const { bytes } = encodeReceipt(signed!.receipt);
  const sig = Buffer.from(signed!.sig, 'base64');
  const domain = new TextEncoder().encode('mesh/1/receipt\n');
  assert.equal(await verifySignature(alice.peerId, Buffer.concat([domain, bytes]), sig), true);
  assert.equal(await verifySignature(alice.peerId, bytes, sig), false);
});

const FIXED: ExecutionReceipt = {
  kind: 'execution',
  author: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
  seq: 7,
  prev: 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
  timestamp: '2025-01-01T00:00:00.000Z',
  assignment_id: 'a-1',
  unit_id: 'u-1',
  job_id: 'j-1',
  requester_peer: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
  output_cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
  verification_hash: 'sha256:00',
  wall_ms: 12,
};

test('a receipt has one CID: dag-cbor codec, sha256 of its bytes, whatever its key order or undefined fields', () => {
  const { bytes, cid } = encodeReceipt(FIXED);
  // Pinned: a change here means every receipt already issued would get a new id.
  assert.equal(cid, 'bafyreihhwn34w3ekltmhlumspo3a7aya6j3ycq7vs2jsqwk2kltwdssqha');
  const parsed = CID.parse(cid);
  assert.equal(parsed.version, 1);
  assert.equal(parsed.code, dagCbor.code);
  assert.deepEqual(parsed.multihash.digest, new Uint8Array(createHash('sha256').update(bytes).digest()));
  assert.deepEqual(dagCbor.decode(bytes), FIXED);
  const reversed = Object.fromEntries(Object.entries(FIXED).reverse()) as ExecutionReceipt;
  assert.deepEqual(encodeReceipt(reversed), { bytes, cid });
  assert.deepEqual(encodeReceipt({ ...FIXED, fuel: undefined }), { bytes, cid });
  assert.notEqual(encodeReceipt({ ...FIXED, fuel: 0 }).cid, cid);
});

// ---- property: any single-field change to a chain is caught at the receipt changed ----------------

const fieldsArb: fc.Arbitrary<ReceiptFields> = signableReceiptArb.map(
  ({ author: _a, seq: _s, prev: _p, ...fields }) => fields,
);

/** Candidate new values; one in eight changes is to anything at all, the rest keep the field's type. */
const replacementsArb = fc.record({
  id: idArb,
  time: isoTimeArb,
  count: fc.maxSafeNat(),
  ids: fc.array(idArb, { maxLength: 3 }),
  sig: fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  anything: fc.anything(),
  wild: fc.nat(7).map((n) => n === 0),
});

type Replacements = typeof replacementsArb extends fc.Arbitrary<infer R> ? R : never;

/** A new value for `field` (now `old`), well-formed where possible so the change reaches the signature and links. */
function replacementFor(field: string, old: unknown, r: Replacements): unknown {
  if (r.wild) return r.anything;
  if (field === 'sig') return r.sig;
  if (field === 'timestamp') return r.time;
  if (field === 'verdict') return old === 'verified' ? 'rejected' : 'verified';
  if (typeof old === 'number' || field === 'fuel') return r.count;
  if (Array.isArray(old)) return r.ids;
  return r.id; // ids, and the null or absent ones (prev, consensus_hash, module_cid, input_cid)
}

test('property: any single-field change in a random chain is caught at the receipt changed', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fieldsArb, { minLength: 1, maxLength: 6 }),
      fc.nat(),
      fc.nat(),
      replacementsArb,
      async (fieldsList, pickReceipt, pickField, replacements) => {
        const chain = new ReceiptChain(alice);
        const signed: SignedReceipt[] = [];
        for (const fields of fieldsList) signed.push((await chain.next(fields)).signed);
        const index = pickReceipt % signed.length;
        const target = signed[index]!;
        const receipt = target.receipt as Record<string, unknown>;
        const fields = [...Object.keys(receipt), 'sig'];
        const field = fields[pickField % fields.length]!;
        const holder: Record<string, unknown> = field === 'sig' ? target : receipt;
        // JSON is what crosses the wire: a "change" JSON cannot see (0 to -0) is no change.
        const replacement = replacementFor(field, holder[field], replacements);
        fc.pre(JSON.stringify(holder[field]) !== JSON.stringify(replacement));
        holder[field] = replacement;
        const result = await verifyChain(signed);
        assert.equal(result.ok, false, `changing ${field} of receipt ${index} went unnoticed`);
        assert.equal((result as { index?: number }).index, index);
      },
    ),
    { numRuns: 200 },
  );
});
