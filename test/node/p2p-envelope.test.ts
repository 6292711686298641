// The envelope's sign/verify contract without a network: what we seal, a peer accepts exactly;
// what anyone alters, no peer accepts as something else; nothing thrown escapes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as z from 'zod/mini';
import { canonicalJson } from '../../src-main/core/schemas/index.js';
import { ephemeralIdentity } from '../../src-main/node/identity/identity.js';
import { EnvelopeVerifier, newNonce, sealMessage, type MessageCatalog } from '../../src-main/node/p2p/envelope.js';
import { MeshError } from '../../src-main/node/p2p/errors.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const CATALOG: MessageCatalog = { 'any.json': { schema: z.unknown(), maxBytes: 64 * 1024 } };
const DIRECT = { via: 'request' } as const;

const verifier = () => new EnvelopeVerifier({ catalog: CATALOG, clockSkewMs: 60_000, now: () => NOW });

test('any JSON body sealed by its author (any Unicode in its strings) is accepted as that body', async () => {
  const author = await ephemeralIdentity();
  await fc.assert(
    fc.asyncProperty(fc.jsonValue({ maxDepth: 6, stringUnit: 'grapheme' }), async (body) => {
      const bytes = await sealMessage(CATALOG, author, 'any.json', body, NOW);
      const verdict = await verifier().verify(bytes, author.peerId, DIRECT);
      assert.ok(verdict.ok, verdict.ok ? '' : `${verdict.reason}: ${verdict.detail}`);
      assert.deepEqual(verdict.message.body, JSON.parse(JSON.stringify(body)));
      assert.equal(verdict.message.author, author.peerId);
    }),
    { numRuns: 100 },
  );
});

test('an altered envelope is never accepted as a different message, and verification never throws', async () => {
  const author = await ephemeralIdentity();
  const original = await sealMessage(CATALOG, author, 'any.json', { task: 'render', frame: 12, tiles: [1, 2, 3] }, NOW);
  const accepted = await verifier().verify(original, author.peerId, DIRECT);
  assert.ok(accepted.ok);
  await fc.assert(
    fc.asyncProperty(fc.nat(original.byteLength - 1), fc.integer({ min: 1, max: 255 }), async (index, delta) => {
      const altered = Uint8Array.from(original);
      altered[index] = (altered[index]! + delta) % 256;
      const verdict = await verifier().verify(altered, author.peerId, DIRECT);
      // Base64 lets a signature's last character carry unused bits: such an edit may still verify,
      // but then it must be the very same message.
      if (verdict.ok) assert.deepEqual(verdict.message, accepted.message);
    }),
    { numRuns: 500 },
  );
});

test('the same envelope verifies once; the replay memory forgets the oldest first', async () => {
  const author = await ephemeralIdentity();
  const v = new EnvelopeVerifier({ catalog: CATALOG, clockSkewMs: 60_000, now: () => NOW, seenCapacity: 2 });
  const outcome = async (bytes: Uint8Array) => {
    const verdict = await v.verify(bytes, author.peerId, DIRECT);
    return verdict.ok ? 'accepted' : verdict.reason;
  };
  const [first, second, third] = await Promise.all(
    [1, 2, 3].map((n) => sealMessage(CATALOG, author, 'any.json', n, NOW)),
  );
  assert.equal(await outcome(first!), 'accepted');
  assert.equal(await outcome(first!), 'replayed');
  assert.equal(await outcome(second!), 'accepted');
  assert.equal(await outcome(third!), 'accepted');
  assert.equal(await outcome(third!), 'replayed');
  assert.equal(await outcome(first!), 'accepted', 'forgotten: the memory holds two');
});

test('a reply is taken only as the type its request takes; another is wrong_place, held against its author', async () => {
  const catalog: MessageCatalog = {
    ask: { schema: z.unknown(), maxBytes: 1024, places: { request: true, answer: 'yes' } },
    yes: { schema: z.unknown(), maxBytes: 1024, places: { reply: true } },
    other: { schema: z.unknown(), maxBytes: 1024, places: { reply: true } },
  };
  const author = await ephemeralIdentity();
  const check = async (type: string, to?: string) =>
    new EnvelopeVerifier({ catalog, clockSkewMs: 60_000, now: () => NOW }).verify(
      await sealMessage(catalog, author, type, {}, NOW),
      author.peerId,
      { via: 'reply', to },
    );
  assert.equal((await check('yes', 'ask')).ok, true);
  assert.deepEqual(await check('other', 'ask'), {
    ok: false,
    reason: 'wrong_place',
    detail: 'other in reply to ask, which takes yes',
    culprit: author.peerId,
  });
  // A request with no reply type named, or none given: any reply type may answer it.
  assert.equal((await check('other', 'yes')).ok, true);
  assert.equal((await check('other')).ok, true);
});

test('a body that is not JSON is refused at sealing, named so, not signed as something else', async () => {
  const author = await ephemeralIdentity();
  const bodies: [string, unknown][] = [
    ['undefined', undefined],
    ['a BigInt', { n: 1n }],
    ['a function', { call: () => 1 }],
    ['NaN', { n: Number.NaN }],
    ['a Date', { at: new Date(NOW) }],
    ['a hole', [undefined, 1]],
  ];
  for (const [what, body] of bodies) {
    await assert.rejects(
      sealMessage(CATALOG, author, 'any.json', body, NOW),
      (err: unknown) => err instanceof MeshError && err.code === 'invalid' && /not JSON/.test(err.message),
      what,
    );
  }
});

test('an envelope written as the build before wrote it (its own key order, sig among the fields) is still accepted', async () => {
  const author = await ephemeralIdentity();
  const fields = { type: 'any.json', author: author.peerId, ts: new Date(NOW).toISOString(), nonce: newNonce() };
  const body = { z: 1, a: [2, { y: 3, b: 4 }] }; // keys out of canonical order, as JSON.stringify leaves them
  const signed = new TextEncoder().encode(`mesh/1/envelope\n${canonicalJson({ v: 1, ...fields, body })}`);
  const sig = Buffer.from(await author.sign(signed)).toString('base64');
  const wire = new TextEncoder().encode(JSON.stringify({ v: 1, ...fields, body, sig }));
  const verdict = await verifier().verify(wire, author.peerId, DIRECT);
  assert.ok(verdict.ok, verdict.ok ? '' : `${verdict.reason}: ${verdict.detail}`);
  assert.deepEqual(verdict.message.body, body);
});

test('an envelope signed over its text as sent, sig its last key, is accepted as that text says, in any key order; altered, it is not', async () => {
  const author = await ephemeralIdentity();
  const head = { v: 1, type: 'any.json', author: author.peerId, ts: new Date(NOW).toISOString(), nonce: newNonce() };
  const signedAsSent = async (body: unknown) => {
    const text = JSON.stringify({ ...head, body }); // the body's keys as written, not canonical
    const sig = Buffer.from(await author.sign(new TextEncoder().encode(`mesh/1/envelope\n${text}`))).toString('base64');
    return `${text.slice(0, -1)},"sig":"${sig}"}`;
  };
  const body = { z: 1, a: [2, { y: 3, b: 4 }] };
  const wire = await signedAsSent(body);
  const verdict = await verifier().verify(new TextEncoder().encode(wire), author.peerId, DIRECT);
  assert.ok(verdict.ok, verdict.ok ? '' : `${verdict.reason}: ${verdict.detail}`);
  assert.deepEqual(verdict.message.body, body);

  const altered = wire.replace('"y":3', '"y":4');
  const refused = await verifier().verify(new TextEncoder().encode(altered), author.peerId, DIRECT);
  assert.equal(refused.ok ? 'accepted' : refused.reason, 'bad_signature');
  // A body appended after the sig (JSON.parse takes a repeated key's last): not what was signed.
  const trailing = `${wire.slice(0, -1)},"body":{"z":9}}`;
  const moved = await verifier().verify(new TextEncoder().encode(trailing), author.peerId, DIRECT);
  assert.equal(moved.ok ? 'accepted' : moved.reason, 'bad_signature');
});

test('a received body with no canonical JSON (1e999 reads as Infinity) is a bad signature unless signed as sent, never a throw', async () => {
  const author = await ephemeralIdentity();
  const fields = `{"v":1,"type":"any.json","author":"${author.peerId}","ts":"${new Date(NOW).toISOString()}","nonce":"${newNonce()}","body":{"n":1e999}}`;
  const sign = async (text: string) =>
    Buffer.from(await author.sign(new TextEncoder().encode(`mesh/1/envelope\n${text}`))).toString('base64');
  const wire = (sig: string) => new TextEncoder().encode(`${fields.slice(0, -1)},"sig":"${sig}"}`);
  const forged = await verifier().verify(wire(await sign('{}')), author.peerId, DIRECT);
  assert.equal(forged.ok ? 'accepted' : forged.reason, 'bad_signature');
  // Signed over its text as sent, it is the author's: its body then reads as JSON.parse reads it.
  const signed = await verifier().verify(wire(await sign(fields)), author.peerId, DIRECT);
  assert.ok(signed.ok, signed.ok ? '' : `${signed.reason}: ${signed.detail}`);
});
