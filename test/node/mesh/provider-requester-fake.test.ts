// A Provider and a Requester built from fakes of just what each declares it needs (ProviderNeeds,
// RequesterNeeds: a state, a clock, a journal and a network in memory), with no sockets and no
// journal file: the requester's job reaches the provider as a commitment, comes back as offers, is
// accepted, runs in the sandbox (real worker threads, the real hash kernel), and returns as results
// that the requester verifies and pays. Each message passes between them as a peer's would.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { ALGORITHM_VERSION } from '../../../src-main/core/protocol/algorithm-ids.js';
import { offersOf, type MessageBody, type MessageType } from '../../../src-main/core/protocol/messages.js';
import type { AvailabilitySlot } from '../../../src-main/core/schemas/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { loadKernel } from '../../../src-main/node/exec/kernels.js';
import { Provider, type ProviderNeeds } from '../../../src-main/node/mesh/provider/provider.js';
import { Requester, type RequesterNeeds } from '../../../src-main/node/mesh/requester/requester.js';
import { commitment, slot } from '../../core/scheduler-fixtures.js';
import { waitFor } from '../fixtures/p2p-peers.js';
import { hashUnit } from './fixtures/accepted-unit.js';
import { fakeContext, type FakeContext } from './fixtures/fake-context.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const JOB = 'job-narrow';
const UNITS = 6;

/** One core for an hour from `nowMs`, for the hash kernel at the version units name. */
const hashSlot = (nowMs: number): AvailabilitySlot => {
  const hour = slot('slot-1', 1, { cpu_cores: 1, ram_gb: 1 }, [['hash/sha256', 1]], nowMs);
  return { ...hour, algorithms: hour.algorithms.map((a) => ({ ...a, version: ALGORITHM_VERSION })) };
};

type Reply = { type: string; body: unknown } | undefined;

/** Each node's halves, by peer id: a message sent to a peer is answered by the half it concerns. */
const halves = new Map<string, { provider?: Provider; requester?: Requester }>();

async function deliver(from: string, to: string, type: MessageType, body: unknown): Promise<Reply> {
  const { provider, requester } = halves.get(to) ?? {};
  if (type === 'offers' && requester) {
    await requester.onOffers(from, offersOf((body as MessageBody<'offers'>).groups, from, to));
    return { type: 'ack', body: {} };
  }
  if (type === 'pull' && requester) return { type: 'units', body: requester.onPull(from, body as MessageBody<'pull'>) };
  if (type === 'acceptances' && provider)
    return { type: 'accepted', body: await provider.onAcceptances(from, body as MessageBody<'acceptances'>) };
  if (type === 'results' && requester)
    return { type: 'settlement', body: await requester.onResults(from, body as MessageBody<'results'>) };
  if (type === 'settlement' && provider) {
    await provider.applySettlement(from, body as MessageBody<'settlement'>);
    return { type: 'ack', body: {} };
  }
  return undefined; // nobody there: undelivered, as an unreachable peer's
}

/** A fake node whose sends reach the other fake nodes' halves. */
async function fakeNode(): Promise<FakeContext> {
  const ctx: FakeContext = await fakeContext({
    nowMs: Date.now(),
    respond: ({ peer, type, body }) => deliver(ctx.me, peer, type, body),
  });
  return ctx;
}

test('a Provider and a Requester from narrow fakes: commitment, offers, acceptances, results, verdicts, pay', async () => {
  const [a, b] = await Promise.all([fakeNode(), fakeNode()]);

  // The requester: a job of sha256 units over random chunks, the hash kernel stored as its module.
  const moduleCid = await a.blobs.put(loadKernel('hash'));
  const chunks = Array.from({ length: UNITS }, () => new Uint8Array(randomBytes(64)));
  const inputs = await Promise.all(chunks.map((chunk) => a.blobs.put(chunk)));
  await a.record([
    { type: 'trust.set', peer_id: b.me, weight: 1 },
    {
      type: 'job.submitted',
      job: { job_id: JOB, requester: a.me, name: JOB, unit_count: UNITS, redundancy: 1, budget: 1_000_000 },
    },
    ...inputs.map((input, i) => ({
      type: 'unit.created' as const,
      unit: hashUnit(`${JOB}/${i}`, JOB, moduleCid, input),
    })),
  ]);
  const requesterNeeds: RequesterNeeds = a;
  const requester = new Requester(requesterNeeds, executor, { graceSeconds: 30, providerPipeline: 8 });

  // The provider: it trusts the requester and shares one core for an hour.
  await b.record([
    { type: 'trust.set', peer_id: a.me, weight: 1 },
    { type: 'sharing.set', on: true },
  ]);
  // What the provider fetches of the requester's (a unit's module and input) is there to fetch.
  for (const cid of [moduleCid, ...inputs]) b.peerBlobs.set(cid, a.blobs.get(cid)!);
  const providerNeeds: ProviderNeeds = b;
  const provider = new Provider(providerNeeds, executor, {
    price: () => ({ per_core_second: 1000, minimum: 10 }),
    slots: () => [hashSlot(b.now())],
    concurrency: 2,
  });
  halves.set(a.me, { requester });
  halves.set(b.me, { provider });
  after(() => Promise.all([provider.stop(), requester.stop()]));
  await requester.start();
  provider.start();

  // The requester's commitment, as the provider takes it from the peer it follows.
  const published = commitment(a.me, { [b.me]: 1 }, [], requester.workRequests('trusted'));
  b.commitments.set(a.me, published);
  provider.onCommitment(a.me, published);

  const job = () => a.state.jobs.get(JOB)!;
  await waitFor(() => job().decided === UNITS, 'every unit to have its verdict', 20_000);

  const sentTypes = (ctx: FakeContext) => new Set(ctx.sent.map((m) => m.type));
  assert.ok(sentTypes(b).has('offers'), 'the provider offered');
  assert.ok(sentTypes(a).has('acceptances'), 'the requester accepted');
  assert.ok(sentTypes(b).has('results'), 'the provider returned results');
  for (let i = 0; i < UNITS; i++) {
    const unit = a.state.units.get(`${JOB}/${i}`)!;
    assert.equal(unit.verdict, 'verified', `unit ${i}'s verdict`);
    const digest = new Uint8Array(createHash('sha256').update(chunks[i]!).digest());
    assert.equal(unit.consensusHash, cidOfBytes(digest), `unit ${i}'s output is the sha256 of its input`);
  }
  // Both journals hold the assignments, and the provider's ledger the requester's pay for them.
  const assignments = [...a.state.assignments.values()];
  assert.ok(assignments.length >= UNITS);
  assert.ok(assignments.every((x) => b.state.assignments.has(x.acceptance.assignment_id)));
  await waitFor(
    () => b.recordedOf('ledger.entry').filter((e) => e.entry.kind === 'settle').length > 0,
    'the provider to be paid',
    20_000,
  );
});
