// Billing by measured fuel, on real nodes: a provider that prices by fuel is paid what its results
// burned (the escrow at most), whatever the requester claimed; a provider that over-reports its
// fuel is paid no more than the fuel honest runs agree on; both ledgers agree with the honest one.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { workerPart, WORKER_SHARE_BPS } from '../../../src-main/core/ledger/index.js';
import type { WorkUnit } from '../../../src-main/core/schemas/index.js';
import { splitJob } from '../../../src-main/node/mesh/jobs/job-split.js';
import { hashJob, jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

/** One millicredit a fuel, so a price is the fuel it pays for. */
const PRICE = { per_core_second: 1000, per_gfuel: 1_000_000_000, minimum: 1 };

/** The fuel `unit` burns, run on `node`'s own sandbox. */
async function fuelOf(node: TestNode, unit: WorkUnit): Promise<number> {
  const { blobs, signal } = node.node.ctx;
  const ran = await node.node.executor.run({
    module: blobs.get(unit.module_cid!)!,
    input: blobs.get(unit.input_cid!)!,
    params: unit.params ?? {},
    signal,
  });
  return ran.fuel;
}

/**
 * Journals a sha256 job on `requester` whose units claim the fuel `claim` gives for their real
 * fuel, as a requester may claim anything; returns its id and each unit's real fuel.
 */
async function submitClaiming(
  requester: TestNode,
  count: number,
  redundancy: number,
  claim: (fuel: number, index: number) => number,
): Promise<{ jobId: string; fuel: Map<string, number> }> {
  const { params, input, chunk } = hashJob(count, false, 1); // its units made here, one a chunk
  const { input_base64: _, ...terms } = { ...params, redundancy };
  const { job, template } = await splitJob(
    requester.node.ctx,
    terms,
    (async function* () {
      yield input;
    })(),
  );
  // One unit.created each, each input its own blob: each unit can claim its own estimate.
  const units: WorkUnit[] = [];
  for (let i = 0; i < count; i++) {
    const cid = await requester.node.ctx.blobs.put(input.subarray(i * chunk, (i + 1) * chunk));
    units.push({ ...template, unit_id: `${job.job_id}/${i}`, input_cid: cid });
  }
  const fuel = new Map<string, number>();
  for (const unit of units) fuel.set(unit.unit_id, await fuelOf(requester, unit));
  const claimed = units.map((unit, i) => ({ ...unit, estimated_fuel: claim(fuel.get(unit.unit_id)!, i) }));
  await requester.node.ctx.record([
    { type: 'job.submitted', job },
    ...claimed.map((unit) => ({ type: 'unit.created' as const, unit })),
  ]);
  requester.node.ctx.commitmentChanged();
  return { jobId: job.job_id, fuel };
}

/** What each paid assignment of `provider` on the job cost the requester, by its own ledger: [price paid, escrow]. */
function paidTo(requester: TestNode, provider: TestNode, jobId: string): Map<string, [number, number]> {
  const paid = new Map<string, [number, number]>();
  for (const assignment of requester.node.state.assignments.values()) {
    const { acceptance, closing } = assignment;
    if (acceptance.job_id !== jobId || acceptance.provider_peer !== provider.node.peerId) continue;
    if (closing?.kind !== 'settle') continue;
    paid.set(acceptance.unit_id, [closing.amount ?? acceptance.price, acceptance.price]);
  }
  return paid;
}

/** Waits until `provider` has taken the requester's last settlement: nothing held, the same position, no settle refused. */
async function ledgersAgree(requester: TestNode, provider: TestNode): Promise<void> {
  const them = requester.node.peerId;
  await waitFor(
    "the provider's ledger to agree with the requester's",
    () =>
      [...provider.node.state.assignments.values()].every((a) => a.escrow !== 'held') &&
      provider.node.state.positions.get(them) === -requester.node.state.positions.get(provider.node.peerId)!,
    15_000,
  );
  assert.equal(provider.node.state.falseRefunds.get(them) ?? 0, 0, 'no settle was refused as underpaid');
}

test(
  'a requester that under-claims its units’ fuel pays what they burned, up to the offer’s cap; both ledgers agree',
  { timeout: 90_000 },
  async () => {
    const [requester, provider] = [await startNode(), await startNode({ price: PRICE })];
    nodes.push(requester, provider);
    await meshOf([requester, provider]);
    // Units 0, 1 claim 60 % of their fuel (the cap, twice the claim, covers it); 2, 3 a quarter (it does not).
    const { jobId, fuel } = await submitClaiming(requester, 4, 1, (f, i) => Math.ceil(f * (i < 2 ? 0.6 : 0.25)));
    const done = await jobEnded(requester.api, jobId, 75_000);
    assert.equal(done.state, 'completed');
    const paid = paidTo(requester, provider, jobId);
    assert.equal(paid.size, 4);
    let owed = 0;
    for (const [unitId, [price, escrow]] of paid) {
      const index = Number(unitId.split('/').at(-1));
      const claimed = Math.ceil(fuel.get(unitId)! * (index < 2 ? 0.6 : 0.25));
      // Before: the claimed price. Now: the measured fuel, the cap at most.
      assert.equal(price, Math.min(2 * claimed, fuel.get(unitId)!), `unit ${index} pays its measured fuel, capped`);
      assert.equal(escrow, 2 * claimed, `the offer's cap is twice the claim (unit ${index})`);
      owed += workerPart(price, WORKER_SHARE_BPS);
    }
    // Both ledgers: the provider took every settle (none refused as underpaid), at the same amounts.
    assert.equal(requester.node.state.positions.get(provider.node.peerId), -owed);
    await ledgersAgree(requester, provider);
    assert.equal(provider.node.state.positions.get(requester.node.peerId), owed);
  },
);

test(
  'a provider that over-reports its fuel is paid no more than the fuel honest runs agree on',
  { timeout: 90_000 },
  async () => {
    const requester = await startNode();
    const honest = await startNode({ price: PRICE });
    const liar = await startNode({ price: PRICE });
    nodes.push(requester, honest, liar);
    // The liar's sandbox is real; only the fuel it reports (in its result and its signed receipt) is tripled.
    const run = liar.node.executor.run.bind(liar.node.executor);
    liar.node.executor.run = async (request) => {
      const ran = await run(request);
      return { ...ran, fuel: ran.fuel * 3 };
    };
    await meshOf([requester, honest, liar]);
    // A generous claim: the cap (twice it) would pay the liar's tripled fuel in full.
    const { jobId, fuel } = await submitClaiming(requester, 4, 2, (f) => 2 * f);
    const done = await jobEnded(requester.api, jobId, 75_000);
    assert.equal(done.state, 'completed');
    const toLiar = paidTo(requester, liar, jobId);
    const toHonest = paidTo(requester, honest, jobId);
    assert.ok(toLiar.size > 0, 'the liar delivered results that were paid');
    for (const [unitId, [price, escrow]] of toLiar) {
      assert.ok(price <= fuel.get(unitId)!, `the liar is paid ${price} for ${fuel.get(unitId)} fuel`);
      assert.equal(escrow, 4 * fuel.get(unitId)!);
    }
    for (const [unitId, [price]] of toHonest) assert.equal(price, fuel.get(unitId)!);
    await ledgersAgree(requester, honest);
  },
);
