// Writes the fuzz targets' seed inputs into test/fuzz/corpus/<target>/ (committed; rerun with
// `node dist/test/fuzz/make-seeds.js` after a message format changes). Each is a valid input of
// its decoder, in the target's input format, so the fuzzer starts from what passes: message bodies
// from the schemas' own arbitraries (test/core/arbitraries), signed with the targets' fixed key at
// the targets' clock, the example scenes, small OBJ files, and a few API calls and frames.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  acceptedOffersOf,
  MESSAGE_TYPES,
  offerGroupsOf,
  unitGroupsOf,
  type MessageType,
} from '../../src-main/core/protocol/messages.js';
import { API_METHODS } from '../../src-main/core/api/contract.js';
import { INVITE_PREFIX } from '../../src-main/core/reach/invite.js';
import { encodeInvite } from '../../src-main/node/invites/code.js';
import { sealEnvelope } from '../../src-main/node/p2p/envelope.js';
import { signReceipt, ReceiptChain } from '../../src-main/node/receipts/index.js';
import * as A from '../core/arbitraries.js';
import { REPO_ROOT, seedsOf } from './fuzzer.js';
import { fixedIdentity, FUZZ_NOW } from './targets/expect.js';

const MAX_SEED_BYTES = 3000;
const identity = await fixedIdentity();
const TS = new Date(FUZZ_NOW).toISOString();

/** Up to `count` samples of `arb` whose JSON fits a seed, always the same ones. */
function samples<T>(arb: fc.Arbitrary<T>, count: number): T[] {
  return fc
    .sample(arb, { numRuns: 200, seed: 19 })
    .filter((value) => JSON.stringify(value).length <= MAX_SEED_BYTES)
    .slice(0, count);
}

const bodies: Record<MessageType, fc.Arbitrary<unknown>> = {
  advert: A.advertArb,
  commitment: A.computeCommitmentArb,
  pull: fc.record({ job_id: A.idArb, max: fc.integer({ min: 1, max: 1000 }) }),
  units: fc.array(A.workUnitArb, { maxLength: 2 }).map((units) => ({ groups: unitGroupsOf(units) })),
  offers: fc.array(A.offerArb, { minLength: 1, maxLength: 2 }).map((offers) => ({ groups: offerGroupsOf(offers) })),
  acceptances: fc.record({
    acceptances: fc.array(A.acceptanceArb, { minLength: 1, maxLength: 2 }).map(acceptedOffersOf),
  }),
  accepted: fc.record({ refused: fc.constant([]) }),
  results: fc.constant(undefined), // signed below: results travel with their receipt
  progress: fc.record({
    units: fc.array(
      fc.record({ assignment_id: A.idArb, sample: fc.integer({ min: 0, max: 32 }), of: fc.constant(32) }),
      {
        maxLength: 2,
      },
    ),
  }),
  blender_preflight: fc.record({
    cid: A.idArb,
    bytes: fc.integer({ min: 0, max: 16 * 2 ** 20 }),
    file: fc.constant('scene.blend'),
    zip: fc.boolean(),
  }),
  blender_report: fc.oneof(
    fc.record({
      report: fc.record({
        blender: fc.constant([3, 4, 1]),
        saved_by: fc.constant([3, 4, 1]),
        engine: fc.constant('CYCLES'),
        frame_start: fc.integer({ min: 0, max: 10 }),
        frame_end: fc.integer({ min: 0, max: 250 }),
        width: fc.integer({ min: 1, max: 4096 }),
        height: fc.integer({ min: 1, max: 4096 }),
        percentage: fc.constant(100),
        samples: fc.integer({ min: 1, max: 4096 }),
        denoising: fc.boolean(),
        compositing: fc.boolean(),
        glare: fc.boolean(),
        images: fc.constant([{ name: 'rock', source: 'FILE', packed: false, path: '//rock.png', exists: true }]),
        libraries: fc.constant([]),
      }),
      algorithm: fc.constant('blender-cycles/3.4'),
    }),
    fc.record({ refused: fc.constant('busy: a preflight of yours is running here') }),
    fc.record({ unreadable: fc.constant('Blender printed no preflight report (the file did not load)') }),
  ),
  release: fc.record({ assignments: fc.array(A.idArb, { maxLength: 2 }), reason: fc.constant('failed') }),
  settlement: fc.record({ entries: fc.array(A.ledgerEntryArb, { maxLength: 2 }), receipts: fc.constant([]) }),
  ack: fc.constant({}),
  circle_entries: fc.record({ circle: A.idArb, entries: fc.constant([]) }),
  circle_sync: fc.record({ circle: A.idArb, digest: fc.constant('0'.repeat(64)), count: fc.nat(100) }),
  circle_have: fc.record({
    circle: A.idArb,
    known: fc.boolean(),
    same: fc.boolean(),
    cids: fc.array(A.idArb, { maxLength: 3 }),
  }),
  circle_want: fc.record({ circle: A.idArb, cids: fc.array(A.idArb, { maxLength: 3 }) }),
};

async function messageBodies(): Promise<[MessageType, unknown][]> {
  const out: [MessageType, unknown][] = [];
  for (const type of Object.keys(MESSAGE_TYPES) as MessageType[]) {
    if (type === 'results') {
      for (const [result, fields] of fc.sample(fc.tuple(A.workResultArb, A.executionBatchReceiptArb), {
        numRuns: 2,
        seed: 19,
      })) {
        const { signed } = await signReceipt(identity, { ...fields, author: identity.peerId });
        const { assignment_id, output_bytes, computation_time_seconds, timestamp } = result;
        out.push([
          type,
          { results: [{ assignment_id, output_bytes, computation_time_seconds, timestamp }], receipts: [signed] },
        ]);
      }
    } else for (const body of samples(bodies[type], 2)) out.push([type, body]);
  }
  return out;
}

const seeds: Record<string, Buffer[]> = {};
const add = (target: string, ...inputs: (Buffer | string)[]) =>
  (seeds[target] ??= []).push(...inputs.map((input) => Buffer.from(input)));

for (const [index, [type, body]] of (await messageBodies()).entries()) {
  add('messages', `${type}\n${JSON.stringify(body)}`);
  const nonce = createHash('sha256').update(String(index)).digest('base64url').slice(0, 22);
  const fields = { type, author: identity.peerId, ts: TS, nonce, body };
  add('envelope', Buffer.concat([Buffer.from([0]), await sealEnvelope((d) => identity.sign(d), fields)]));
  add('envelope', `\u0001${JSON.stringify({ type, ts: TS, nonce: fields.nonce, body })}`);
}

const chain = new ReceiptChain(identity);
const receipts = [];
for (const fields of samples(A.signableReceiptArb, 2)) {
  const { author: _a, seq: _s, prev: _p, ...rest } = fields;
  receipts.push((await chain.next(rest)).signed);
  add('receipts', `\u0001${JSON.stringify(fields)}`);
}
add('receipts', `\u0000${JSON.stringify(receipts[0])}`, `\u0000${JSON.stringify(receipts)}`);

/** A blob reply as a holder sends it: the framed header, then the bytes in framed chunks. */
const frame = (bytes: Buffer) => Buffer.concat([Buffer.from([bytes.length]), bytes]);
const header = (value: unknown) => frame(Buffer.from(JSON.stringify(value)));
add('blob-reader', Buffer.concat([Buffer.from([0x40]), header({ ok: true, size: 0 })]));
add('blob-reader', Buffer.concat([Buffer.from([0x43]), header({ ok: true, size: 5 }), frame(Buffer.from('hello'))]));
add('blob-reader', Buffer.concat([Buffer.from([0x21]), header({ ok: false, error: 'not_found' })]));

const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
add('frames', `\u0000${JSON.stringify({ error: 'busy' })}`, `\u0001${JSON.stringify({ cid })}`);
const inviteHex = createHash('sha256').update('invite').digest('hex');
const [inviteId, inviteSecret] = [inviteHex.slice(0, 16), inviteHex.slice(16, 48)];
add('frames', `\u0002${JSON.stringify({ v: 1, id: inviteId, secret: inviteSecret, name: 'bob' })}`);
add('frames', `\u0003${JSON.stringify({ ok: false, code: 'expired', message: 'expired' })}`);
add('frames', Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 7]), Buffer.from('{"v":1}')]));

for (const name of ['sample.json', 'model.json', 'orbit.json'])
  add('scene', readFileSync(join(REPO_ROOT, 'assets', 'scenes', name)));
add('obj', 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n');
add('obj', 'o quad\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvn 0 0 1\nvt 0 0\nf 1/1/1 2/1/1 3/1/1 4/1/1\nl 1 2\n');
add('obj', 'v -1 -1 -1\nv 1 -1 -1\nv 1 1 -1\nv -1 1 1\ng a\nf -4 -3 -2\nf 1 3 4\n');

for (const method of Object.keys(API_METHODS)) add('api', `${method}\n{}`);
add('api', `peers.add\n${JSON.stringify({ multiaddr: '/ip4/127.0.0.1/tcp/4001' })}`);
add('api', `trust.set\n${JSON.stringify({ peer_id: identity.peerId, weight: 0.5 })}`);
add('api', `jobs.status\n${JSON.stringify({ job_id: 'job-1' })}`);

const expires = Math.floor(FUZZ_NOW / 1000) + 3600;
const invite = { v: 1 as const, peer: identity.peerId, addrs: ['/ip4/127.0.0.1/tcp/4001'], expires, name: 'alice' };
const relayed = '/dns4/relay.example.org/tcp/4001/p2p/12D3KooWRLfh8QDMoiVrVSzYvD5zGAvjJzHhyHBeXQGHKJXJo4Cm/p2p-circuit';
for (const addrs of [invite.addrs, [relayed]]) {
  const code = await encodeInvite({ ...invite, addrs, id: inviteId, secret: inviteSecret }, identity);
  add('invite', `\u0001${code}`);
  add('invite', Buffer.concat([Buffer.from([0]), Buffer.from(code.slice(INVITE_PREFIX.length), 'base64url')]));
}

for (const [target, inputs] of Object.entries(seeds)) {
  const dir = seedsOf(target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const input of inputs) {
    const name = createHash('sha256').update(input).digest('hex').slice(0, 16);
    writeFileSync(join(dir, name), input);
  }
  console.log(`${target}: ${inputs.length} seeds`);
}
