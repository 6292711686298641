// When rounds run (node/mesh/basics/round-timer.ts and its three users): a gap after the last, except for
// what would otherwise leave cores idle (a new job, an idle provider's offers), and never so
// that a peer's messages can run rounds back to back. Real timers; each check orders a round
// against a timer of the test's, so a slow machine can delay both but not swap them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshState } from '../../../src-main/core/mesh/state/state.js';
import type { ComputeCommitment, Offer } from '../../../src-main/core/schemas/index.js';
import { Acceptor } from '../../../src-main/node/mesh/requester/offer-acceptance.js';
import { NodeEvents } from '../../../src-main/node/mesh/context/node-events.js';
import { CommitmentPublisher } from '../../../src-main/node/mesh/peers/commitment.js';
import type { NodeContext } from '../../../src-main/node/mesh/context/node-context.js';
import { OfferRounds } from '../../../src-main/node/mesh/provider/offer-round.js';
import { RoundTimer } from '../../../src-main/node/mesh/basics/round-timer.js';
import type { MeshNetwork } from '../../../src-main/node/p2p/index.js';
import { commitment, iso, request, unit } from '../../core/scheduler-fixtures.js';
import { Holdings } from '../../../src-main/core/scheduler/holdings.js';
import { nodeKinds } from '../../../src-main/node/kinds/built-in.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with how many rounds ran by the time a timer of `ms` fires. */
async function roundsWithin(count: () => number, ms: number): Promise<number> {
  await sleep(ms);
  return count();
}

test('a round waits out the gap after the last, and `now` runs at the end of the turn', async () => {
  let rounds = 0;
  const timer = new RoundTimer(200, 5, () => rounds++);
  try {
    timer.soon();
    timer.soon(); // taken together with the first
    assert.equal(await roundsWithin(() => rounds, 50), 1);
    timer.soon();
    assert.equal(await roundsWithin(() => rounds, 100), 1, 'within the gap: not yet');
    timer.soon(true);
    assert.equal(await roundsWithin(() => rounds, 1), 2, 'now: at once, gap or not');
    timer.stop();
    timer.soon(true);
    assert.equal(await roundsWithin(() => rounds, 20), 2, 'stopped: none');
  } finally {
    timer.stop();
  }
});

const PROVIDER = 'peer-provider';
const REQUESTER = 'peer-requester';

function offerRounds() {
  let rounds = 0;
  const ctx = {
    kinds: nodeKinds(() => undefined),
    me: PROVIDER,
    state: new MeshState(PROVIDER),
    commitments: new Map<string, ComputeCommitment>(),
    now: () => Date.now(),
    background: (what: string) => void (what === 'offer round failed' && rounds++),
  } as unknown as NodeContext;
  const provider = new OfferRounds(ctx, { price: () => ({ per_core_second: 1, minimum: 1 }), slots: () => [] });
  const jobCommitment = (...jobs: string[]) =>
    commitment(
      REQUESTER,
      { [PROVIDER]: 1 },
      [],
      jobs.map((job) => request(REQUESTER, job, [unit(`${job}/0`, job, 'a', { cpu_cores: 1, ram_gb: 1 }, 1)])),
    );
  return { provider, jobCommitment, rounds: () => rounds };
}

test("a provider offers for a requester's new job at once, not after the gap between rounds", async () => {
  const { provider, jobCommitment, rounds } = offerRounds();
  try {
    provider.onCommitment(REQUESTER, jobCommitment('job-a'));
    assert.equal(await roundsWithin(rounds, 50), 1);
    provider.onCommitment(REQUESTER, jobCommitment('job-a')); // the same job again: the gap holds
    assert.equal(await roundsWithin(rounds, 60), 1, 'the same job: waits out the 200 ms gap');
    assert.equal(await roundsWithin(rounds, 200), 2, 'then its round');
    provider.onCommitment(REQUESTER, jobCommitment('job-a', 'job-b')); // within the gap after that round
    assert.equal(await roundsWithin(rounds, 1), 3, 'a new job: at once');
  } finally {
    provider.stop();
  }
});

test('commitments that name a new job each time bring a round forward at most once a gap', async () => {
  const { provider, jobCommitment, rounds } = offerRounds();
  try {
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      provider.onCommitment(REQUESTER, jobCommitment(`job-${i}`));
      await sleep(5);
    }
    const gaps = Math.ceil((performance.now() - started) / 200); // one round a gap (~1 here), not 20
    assert.ok(rounds() <= gaps + 1, `${rounds()} rounds for 20 new jobs in ${gaps} gaps`);
  } finally {
    provider.stop();
  }
});

test('a commitment naming a new job is published at once, not after the 250 ms interval', async () => {
  let published = 0;
  const ctx = {
    me: REQUESTER,
    events: new NodeEvents(),
    now: () => Date.now(),
    state: { trust: new Map() },
    commitments: new Map(),
    background: (_what: string, work: Promise<unknown>) => void work.catch(assert.fail),
  } as unknown as NodeContext;
  const network = { connectedPeers: () => [], publish: async () => void published++ } as unknown as MeshNetwork;
  const publisher = new CommitmentPublisher(ctx, network, {
    slots: () => [],
    workRequests: () => [],
    contribution: () => ({}) as never,
    published: () => {},
  });
  try {
    publisher.soon();
    assert.equal(await roundsWithin(() => published, 50), 1);
    publisher.soon();
    assert.equal(await roundsWithin(() => published, 100), 1, 'a change: waits out the interval');
    publisher.soon(true);
    assert.equal(await roundsWithin(() => published, 1), 2, 'a new job: at once');
  } finally {
    publisher.stop();
  }
});

/** A requester's acceptor over a state in which `busy` providers hold an assignment of mine. */
function acceptor(busy: string[]) {
  let rounds = 0;
  const state = new MeshState(REQUESTER);
  const jobUnit = unit('job/0', 'job', 'a', { cpu_cores: 1, ram_gb: 1 }, 1);
  state.units.get = (id: string) =>
    id === jobUnit.unit_id ? ({ requester: REQUESTER, unit: jobUnit } as never) : undefined;
  state.myTrustIn = () => 1;
  state.inFlightAs = () =>
    new Map(busy.map((provider) => [`a-${provider}`, { acceptance: { provider_peer: provider } } as never]));
  const ctx = {
    me: REQUESTER,
    state,
    commitments: new Map(),
    now: () => Date.now(),
    emit: () => {},
    log: () => {},
    background: (what: string) => void (what === 'delivering acceptances' && rounds++),
  } as unknown as NodeContext;
  const source = {
    openUnit: () => undefined,
    wanted: () => 1,
    undecided: () => 1,
    rounded: () => {},
    accepted: () => {},
  };
  const acceptorOf = new Acceptor(ctx, source, { graceSeconds: 5, providerPipeline: 0, holdings: new Holdings(0) });
  let n = 0;
  const offers = (provider: string): Offer[] => [
    {
      offer_id: `${provider}#1.${n++}`,
      unit_id: jobUnit.unit_id,
      job_id: 'job',
      requester_peer: REQUESTER,
      provider_peer: provider,
      price: 1,
      estimated_seconds: 1,
      expected_end: iso(Date.now() + 1000),
      tier: 1,
      timestamp: iso(Date.now()),
    } as Offer,
  ];
  return { acceptor: acceptorOf, offers, rounds: () => rounds };
}

test("an idle provider's offers are accepted at once; a busy one's wait the gap, and an idle one's again once its round gave it something or it was given its pass back", async () => {
  const { acceptor: requester, offers, rounds } = acceptor(['busy']);
  try {
    await requester.onOffers('busy', offers('busy'));
    assert.equal(await roundsWithin(rounds, 30), 1, 'the first round');
    await requester.onOffers('busy', offers('busy'));
    assert.equal(await roundsWithin(rounds, 1), 1, 'a provider running units of mine: the gap holds');
    await requester.onOffers('idle', offers('idle'));
    assert.equal(await roundsWithin(rounds, 1), 2, 'an idle provider: at once, within the gap');
    // That round gave it nothing (its offers lost, as to another provider's on the same units):
    // its next offers, for the units it pulls next, are not held the gap; once a gap only.
    await requester.onOffers('idle', offers('idle'));
    assert.equal(await roundsWithin(rounds, 1), 3, 'its round gave it nothing: at once, once more');
    await requester.onOffers('idle', offers('idle'));
    assert.equal(await roundsWithin(rounds, 40), 3, 'the same provider a third time within the gap: waits');
  } finally {
    await requester.stop();
  }
});

test('a provider whose offers come back to back brings at most two rounds forward a gap (the second when the first gave it nothing)', async () => {
  const { acceptor: requester, offers, rounds } = acceptor([]);
  try {
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      await requester.onOffers('idle', offers('idle'));
      await sleep(2);
    }
    const gaps = Math.ceil((performance.now() - started) / 100); // two rounds a gap (~1 gap here), not 20
    assert.ok(rounds() <= 2 * gaps + 1, `${rounds()} rounds for 20 offers messages in ${gaps} gaps`);
  } finally {
    await requester.stop();
  }
});
