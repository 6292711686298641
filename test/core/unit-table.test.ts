// A batched job's units as the state folds them (core/mesh/state/unit-table.ts, input-cids.ts): each
// unit made from the template and its input's sha256 is the unit a one-by-one journal would hold;
// inputs are found by CID; batches out of order or past the job change nothing; replaying the same
// events gives the same units and the same progress; the pure CID codec agrees with multiformats.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { cidOfSha256, sha256OfCid } from '../../src-main/core/mesh/state/input-cids.js';
import { MeshState, unitIdsOf } from '../../src-main/core/mesh/state/state.js';
import { unitIdOf } from '../../src-main/core/mesh/state/unit-table.js';
import { NodeEventSchema, validate, type NodeEvent, type UnitTemplate } from '../../src-main/core/schemas/index.js';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as Digest from 'multiformats/hashes/digest';
import { sha256 } from 'multiformats/hashes/sha2';
import { cidOfBytes } from '../../src-main/node/blobs/cid.js';

const ME = 'peer-requester';
const AT = '2025-06-01T12:00:00.000Z';
const JOB = 'job-1';

const template: UnitTemplate = {
  job_id: JOB,
  algorithm_id: 'hash/sha256',
  algorithm_version: '1.0.0',
  required_resources: { cpu_cores: 1, ram_gb: 0.0625 },
  estimated_duration_seconds: 0.001,
  priority: 0.5,
  verification_redundancy: 2,
  module_cid: cidOfBytes(new Uint8Array([0, 97, 115, 109])),
  params: {},
  verification: { kind: 'exact_hash' },
};

let seq = 0;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

/** The sha256 multiformats reads in `text` as a raw sha256 CIDv1; undefined for anything else. */
function multiformatsDigest(text: string): Uint8Array | undefined {
  try {
    const cid = CID.parse(text);
    const rawSha256 = cid.version === 1 && cid.code === raw.code && cid.multihash.code === sha256.code;
    return rawSha256 ? cid.multihash.digest : undefined;
  } catch {
    return undefined;
  }
}

/** A submitted job over `chunks`, its units in batches of `perBatch`. */
function batchedJob(chunks: Uint8Array[], perBatch: number): NodeEvent[] {
  const events: NodeEvent[] = [
    {
      type: 'job.submitted',
      event_id: `e${++seq}`,
      at: AT,
      job: { job_id: JOB, requester: ME, name: 'j', unit_count: chunks.length, redundancy: 2, budget: 1000 },
      template,
      input: { cid: cidOfBytes(Buffer.concat(chunks)), bytes: 64 * chunks.length, chunk_bytes: 64 },
    },
  ];
  for (let first = 0; first < chunks.length; first += perBatch)
    events.push({
      type: 'units.created',
      event_id: `e${++seq}`,
      at: AT,
      job_id: JOB,
      first,
      input_digests: Buffer.concat(chunks.slice(first, first + perBatch).map(sha)).toString('base64'),
    });
  return events;
}

/** Unit `i` of JOB verified, on its chunk's sha256. */
const verdictOn = (chunks: Uint8Array[], i: number): NodeEvent => ({
  type: 'unit.verified',
  event_id: `v${i}.${++seq}`,
  at: AT,
  unit_id: unitIdOf(JOB, i),
  verdict: 'verified',
  consensus_hash: cidOfBytes(sha(chunks[i]!)),
});

const fold = (events: NodeEvent[]) => {
  const state = new MeshState(ME);
  for (const event of events) state.apply(event);
  return state;
};

test('the pure CID of a sha256 is the one multiformats makes, and reads back to it', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (digest) => {
      const cid = cidOfSha256(digest);
      assert.equal(cid, CID.createV1(raw.code, Digest.create(sha256.code, digest)).toString());
      assert.deepEqual(sha256OfCid(cid), digest);
    }),
  );
  // A CID spelled with the unused bits of its last character set names the same digest, but is not the canonical form.
  const cid = cidOfSha256(new Uint8Array(32));
  const last = 'abcdefghijklmnopqrstuvwxyz234567'.indexOf(cid.at(-1)!);
  assert.equal(sha256OfCid(cid.slice(0, -1) + 'abcdefghijklmnopqrstuvwxyz234567'[last | 1]), undefined);
  // Any string of the CID's length and alphabet: a digest exactly when multiformats reads a raw sha256 CID that it spells the same.
  fc.assert(
    fc.property(fc.stringMatching(/^bafkrei[a-z2-7]{52}$/), (text) => {
      const digest = multiformatsDigest(text);
      const canonical =
        digest !== undefined && CID.createV1(raw.code, Digest.create(sha256.code, digest)).toString() === text;
      assert.deepEqual(sha256OfCid(text), canonical ? digest : undefined);
    }),
  );
  // Anything else is no CID of a raw sha256 blob.
  for (const bad of ['', 'b', cidOfBytes(randomBytes(4)).toUpperCase(), `${cidOfBytes(randomBytes(4))}a`, 'bafy?'])
    assert.equal(sha256OfCid(bad), undefined, bad);
});

test("a batched job's units are its template, its ids and its inputs' CIDs, in order", () => {
  const chunks = Array.from({ length: 25 }, () => randomBytes(64));
  const state = fold(batchedJob(chunks, 10));
  const job = state.jobs.get(JOB)!;
  assert.equal(job.created, 25);
  assert.deepEqual(
    [...unitIdsOf(job)],
    chunks.map((_, i) => unitIdOf(JOB, i)),
  );
  for (const [i, chunk] of chunks.entries()) {
    const record = state.units.get(unitIdOf(JOB, i))!;
    assert.deepEqual(record.unit, { ...template, unit_id: unitIdOf(JOB, i), input_cid: cidOfBytes(chunk) });
    assert.deepEqual([record.index, record.requester], [i, ME]);
    assert.deepEqual(state.units.findInput(cidOfBytes(chunk)), { jobId: JOB, index: i });
  }
  assert.equal(state.units.get(unitIdOf(JOB, 25)), undefined);
  assert.equal(state.units.findInput(cidOfBytes(randomBytes(64))), undefined);
});

test('a job whose units are still coming is not complete when those in have their verdicts', () => {
  const chunks = Array.from({ length: 4 }, () => randomBytes(64));
  const [submitted, first, second] = batchedJob(chunks, 2) as [NodeEvent, NodeEvent, NodeEvent];
  const state = fold([submitted, first, verdictOn(chunks, 0), verdictOn(chunks, 1)]);
  assert.equal(state.jobs.get(JOB)!.completedAt, undefined, 'two of its four units are journaled');
  state.apply(second);
  state.apply(verdictOn(chunks, 2));
  state.apply(verdictOn(chunks, 3));
  assert.equal(state.jobs.get(JOB)!.completedAt, AT);
});

test('batches out of order, repeated, or past the job add no unit', () => {
  const chunks = Array.from({ length: 20 }, () => randomBytes(64));
  const [submitted, first, second] = batchedJob(chunks, 10) as [NodeEvent, NodeEvent, NodeEvent];
  const extra = batchedJob([...chunks, randomBytes(64)], 21)[1]!;
  assert.equal(fold([submitted, second]).jobs.get(JOB)!.created, 0);
  assert.equal(fold([submitted, first, first, second]).jobs.get(JOB)!.created, 20);
  assert.equal(fold([submitted, extra]).jobs.get(JOB)!.created, 0);
});

test('a verdict on a batched unit is its progress; the job completes when every unit has one; a replay agrees', () => {
  const chunks = Array.from({ length: 3 }, () => randomBytes(64));
  const verdict = (i: number) => verdictOn(chunks, i);
  const events = [...batchedJob(chunks, 2), verdict(0), verdict(2)];
  const state = fold(events);
  assert.equal(state.units.get(unitIdOf(JOB, 0))!.verdict, 'verified');
  assert.equal(state.units.get(unitIdOf(JOB, 1))!.verdict, undefined);
  assert.equal(state.jobs.get(JOB)!.completedAt, undefined);
  state.apply(verdict(1));
  assert.equal(state.jobs.get(JOB)!.completedAt, AT);
  const replayed = fold([...events, verdict(1)]);
  for (let i = 0; i < 3; i++) assert.deepEqual(replayed.units.get(unitIdOf(JOB, i)), state.units.get(unitIdOf(JOB, i)));
  // A withdrawn verdict reopens the job.
  state.apply({ type: 'unit.reopened', event_id: 'r', at: AT, unit_id: unitIdOf(JOB, 1), convicted: 'peer-x' });
  assert.equal(state.jobs.get(JOB)!.completedAt, undefined);
  assert.equal(state.units.get(unitIdOf(JOB, 1))!.reopened, 1);
});

test('a batch event is size-checked: more than unitsPerBatch digests, or a partial digest, is refused', () => {
  const batch = (bytes: number) =>
    validate(NodeEventSchema, {
      type: 'units.created',
      event_id: 'e',
      at: AT,
      job_id: JOB,
      first: 0,
      input_digests: Buffer.alloc(bytes).toString('base64'),
    });
  assert.equal(batch(32 * 10_000).ok, true);
  assert.equal(batch(32 * 10_001).ok, false);
  assert.equal(batch(33).ok, false);
});

test("a job's first undecided unit moves on with verdicts, and back when one is reopened", () => {
  const chunks = Array.from({ length: 6 }, () => randomBytes(64));
  const state = fold(batchedJob(chunks, 6));
  const job = () => state.jobs.get(JOB)!;
  const verdict = (i: number) => verdictOn(chunks, i);
  assert.equal(state.units.firstUndecided(JOB, job().created), 0);
  for (const i of [0, 1, 3]) state.apply(verdict(i));
  assert.equal(state.units.firstUndecided(JOB, job().created), 2);
  state.apply(verdict(2));
  assert.equal(state.units.firstUndecided(JOB, job().created), 4);
  state.apply({ type: 'unit.reopened', event_id: 'fr', at: AT, unit_id: unitIdOf(JOB, 1), convicted: 'peer-x' });
  assert.equal(state.units.firstUndecided(JOB, job().created), 1);
  for (const i of [1, 4, 5]) state.apply(verdict(i));
  assert.equal(state.units.firstUndecided(JOB, job().created), 6);
});

test('a batched unit asked for again shows what changed since (its records are made once), and nothing once its job is dropped', () => {
  const chunks = Array.from({ length: 2 }, () => randomBytes(64));
  const state = fold(batchedJob(chunks, 2));
  const before = state.units.get(unitIdOf(JOB, 0))!;
  assert.equal(before.verdict, undefined);
  state.apply(verdictOn(chunks, 0));
  const after = state.units.get(unitIdOf(JOB, 0))!;
  assert.equal(after.verdict, 'verified');
  assert.equal(before.verdict, undefined, 'a record handed out before is not changed under its holder');
  assert.equal(after.unit, before.unit, 'the same unit, made once');
  state.units.dropJob(JOB);
  assert.equal(state.units.get(unitIdOf(JOB, 0)), undefined);
  assert.equal(state.units.has(unitIdOf(JOB, 1)), false);
});
