import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  MemoryLedger,
  planLedgerEntry,
  verifierRewards,
  workerPart,
  type LedgerPlan,
  type PaidResult,
} from '../../src-main/core/ledger/index.js';
import {
  ledgerEntryId,
  type EscrowEntry,
  type LedgerEntry,
  type RefundEntry,
  type RewardEntry,
  type SettleEntry,
} from '../../src-main/core/schemas/index.js';

const AT = '2025-01-01T00:00:00Z';

function escrow(assignment_id: string, amount: number, extra: Partial<EscrowEntry> = {}): EscrowEntry {
  return {
    kind: 'escrow',
    entry_id: ledgerEntryId('escrow', assignment_id),
    assignment_id,
    job_id: 'job1',
    unit_id: `unit-${assignment_id}`,
    requester: 'alice',
    worker: 'bob',
    amount,
    job_budget: 10_000,
    at: AT,
    ...extra,
  };
}

function settle(assignment_id: string, worker_share_bps = 9_000, amount?: number): SettleEntry {
  return {
    kind: 'settle',
    entry_id: ledgerEntryId('settle', assignment_id),
    assignment_id,
    ...(amount === undefined ? {} : { amount }),
    worker_share_bps,
    at: AT,
  };
}

function refund(assignment_id: string): RefundEntry {
  return { kind: 'refund', entry_id: ledgerEntryId('refund', assignment_id), assignment_id, reason: 'failed', at: AT };
}

function errorCode(plan: LedgerPlan): string | undefined {
  return plan.ok ? undefined : plan.error.code;
}

test('escrow holds the amount against the job, with no transfer yet', () => {
  const ledger = new MemoryLedger();
  const plan = ledger.apply(escrow('a1', 1000));
  assert.ok(plan.ok);
  assert.deepEqual(plan.effects.transfers, []);
  assert.equal(plan.effects.jobCommittedDelta, 1000);
  assert.equal(plan.effects.jobHeldDelta, 1000);
  assert.equal(ledger.escrow('a1')?.status, 'held');
  assert.equal(ledger.held('alice'), 1000);
  assert.equal(ledger.jobCommitted('job1'), 1000);
  assert.equal(ledger.balance('alice'), 0);
});

test('settle pays the worker 90 %; the verifier share goes back to the job until a reward pays it', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('a1', 1000));
  const plan = ledger.apply(settle('a1'));
  assert.ok(plan.ok);
  assert.deepEqual(
    plan.effects.transfers.map(({ from, to, amount }) => [from, to, amount]),
    [['alice', 'bob', 900]],
  );
  assert.equal(plan.effects.jobCommittedDelta, -100);
  assert.equal(plan.effects.jobHeldDelta, -1000, 'the whole hold closes');
  assert.deepEqual(Object.fromEntries(ledger.balances()), { alice: -900, bob: 900 });
  assert.equal(ledger.held('alice'), 0);
  assert.equal(ledger.jobCommitted('job1'), 900);
  assert.equal(ledger.escrow('a1')?.status, 'paid');
});

test('a settle billed by fuel pays its shares of its price and gives the rest of the escrow back, in one entry', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('a1', 1000));
  const plan = ledger.apply(settle('a1', 9_000, 400));
  assert.ok(plan.ok);
  assert.deepEqual(
    plan.effects.transfers.map(({ from, to, amount }) => [from, to, amount]),
    [['alice', 'bob', 360]],
  );
  // 600 not spent and the 40 verifier share go back to the job at once.
  assert.equal(plan.effects.jobCommittedDelta, -640);
  assert.equal(plan.effects.jobHeldDelta, -1000, 'the whole hold closes, not only the price');
  assert.equal(ledger.jobCommitted('job1'), 360);
  assert.equal(ledger.held('alice'), 0);
  assert.deepEqual(ledger.escrow('a1'), { ...ledger.escrow('a1')!, amount: 400, status: 'paid' });
  // A settle for more than the escrow holds is refused and changes nothing.
  ledger.apply(escrow('a2', 1000));
  assert.equal(errorCode(ledger.apply(settle('a2', 9_000, 1001))), 'over_escrow');
  assert.equal(ledger.escrow('a2')?.status, 'held');
  assert.ok(ledger.apply(settle('a2', 9_000, 1000)).ok, 'exactly the escrow is allowed');
});

test('a reward is bounded by what the least worker share a circle may set leaves of the prices paid, not of the escrows held', () => {
  const ledger = new MemoryLedger();
  for (const [id, worker] of [
    ['r0', 'bob'],
    ['r1', 'carol'],
  ] as const) {
    ledger.apply(escrow(id, 1000, { worker, unit_id: 'u' }));
    assert.ok(ledger.apply(settle(id, 9_000, 500)).ok);
  }
  // 1 % of 500 is the worker's at the least: the other 495 may go to verifiers.
  assert.equal(errorCode(ledger.apply(reward('r0', ['r1'], 496))), 'invalid_reward');
  assert.ok(ledger.apply(reward('r0', ['r1'], 495)).ok);
});

test('the worker part stays exact for amounts beyond 2^53 / 10000', () => {
  const amount = Number.MAX_SAFE_INTEGER;
  assert.equal(workerPart(amount, 9_999), Number((BigInt(amount) * 9_999n) / 10_000n));
  assert.equal(workerPart(1001, 9_000), 900);
});

/** Three workers' escrows on one unit of alice's, each settled. */
function threeReplicas(): { ledger: MemoryLedger; paid: PaidResult[] } {
  const ledger = new MemoryLedger();
  const paid = ['bob', 'carol', 'dave'].map((worker, i) => ({ assignment_id: `r${i}`, worker, amount: 1000 }));
  for (const { assignment_id, worker, amount } of paid) {
    ledger.apply(escrow(assignment_id, amount, { worker, unit_id: 'u' }));
    assert.ok(ledger.apply(settle(assignment_id)).ok);
  }
  return { ledger, paid };
}

function reward(assignment_id: string, verified: string[], amount: number): RewardEntry {
  return { kind: 'reward', entry_id: `reward/${assignment_id}`, assignment_id, verified, amount, at: AT };
}

test("replicas that agreed are paid each other's verifier shares: 90 % + 10 % each", () => {
  const { ledger, paid } = threeReplicas();
  const rewards = verifierRewards(paid, false);
  assert.deepEqual(
    rewards.map((r) => [r.assignment_id, r.verified, r.amount]),
    [
      ['r1', ['r0', 'r2'], 100],
      ['r2', ['r0', 'r1'], 100],
      ['r0', ['r1', 'r2'], 100],
    ],
  );
  for (const r of rewards) assert.ok(ledger.apply(reward(r.assignment_id, r.verified, r.amount)).ok);
  assert.deepEqual(Object.fromEntries(ledger.balances()), { alice: -3000, bob: 1000, carol: 1000, dave: 1000 });
  assert.equal(ledger.jobCommitted('job1'), 3000);
});

test('when the requester re-ran the unit it is one of the verifiers, and keeps its part', () => {
  const { ledger, paid } = threeReplicas();
  const rewards = verifierRewards(paid, true);
  // Each 100 splits three ways (two replicas and the requester): 33 each, the remainder kept.
  assert.deepEqual(
    rewards.map((r) => r.amount),
    [66, 66, 66],
  );
  for (const r of rewards) assert.ok(ledger.apply(reward(r.assignment_id, r.verified, r.amount)).ok);
  assert.equal(ledger.balance('alice'), -3000 + 3 * 34);
  // A result nobody else confirmed earns no reward.
  assert.deepEqual(verifierRewards(paid.slice(0, 1), true), []);
});

test('a reward is refused before its own result is paid, for another unit or worker, or beyond the shares', () => {
  const { ledger } = threeReplicas();
  ledger.apply(escrow('held', 1000, { worker: 'erin', unit_id: 'u' }));
  ledger.apply(escrow('other', 1000, { worker: 'erin', unit_id: 'v' }));
  ledger.apply(settle('other'));
  const cases: Array<[RewardEntry, string]> = [
    [reward('held', ['r0'], 50), 'invalid_reward'],
    [reward('r0', ['other'], 50), 'invalid_reward'],
    [reward('r0', ['r0'], 50), 'invalid_reward'],
    [reward('r0', ['r1'], 991), 'invalid_reward'],
    [reward('nobody', ['r1'], 10), 'unknown_assignment'],
    [{ ...reward('r0', [], 10) }, 'invalid_entry'],
    [{ ...reward('r0', ['r1'], 0) }, 'invalid_entry'],
  ];
  const before = Object.fromEntries(ledger.balances());
  for (const [entry, code] of cases) assert.equal(errorCode(ledger.apply(entry)), code, JSON.stringify(entry));
  assert.deepEqual(Object.fromEntries(ledger.balances()), before);
  // Within the shares it is paid, once.
  assert.ok(ledger.apply(reward('r0', ['r1', 'r2'], 200)).ok);
  assert.equal(errorCode(ledger.apply(reward('r0', ['r1'], 1))), 'duplicate_entry');
});

test('refund releases the hold and moves no credit', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('a1', 1000));
  const plan = ledger.apply(refund('a1'));
  assert.ok(plan.ok);
  assert.equal(ledger.escrow('a1')?.status, 'refunded');
  assert.equal(ledger.held('alice'), 0);
  assert.equal(ledger.jobCommitted('job1'), 0);
  assert.equal(ledger.balance('alice'), 0);
});

test('a unit is never paid twice, nor paid after a refund', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('a1', 1000));
  assert.ok(ledger.apply(settle('a1')).ok);
  assert.equal(errorCode(ledger.apply(settle('a1'))), 'duplicate_entry', 'its settle, again');
  assert.equal(errorCode(ledger.apply(settle('a1', 10_000))), 'duplicate_entry', 'another settle of it');
  assert.equal(errorCode(ledger.apply(refund('a1'))), 'already_settled');
  ledger.apply(escrow('a2', 1000));
  assert.ok(ledger.apply(refund('a2')).ok);
  assert.equal(errorCode(ledger.apply(settle('a2'))), 'already_settled');
  assert.equal(ledger.balance('bob'), 900);
});

test('refusals: duplicate entry, an id not its kind and assignment, unknown assignment, self-dealing, over budget', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('a1', 6000));
  assert.equal(errorCode(ledger.apply(escrow('a1', 10))), 'duplicate_entry', 'an assignment has one escrow');
  assert.equal(errorCode(ledger.apply({ ...escrow('a9', 10), entry_id: 'escrow/a1' })), 'invalid_entry');
  assert.equal(errorCode(ledger.apply({ ...settle('a1'), entry_id: 'pay-me' })), 'invalid_entry');
  assert.equal(errorCode(ledger.apply(settle('nope'))), 'unknown_assignment');
  assert.equal(errorCode(ledger.apply(refund('nope'))), 'unknown_assignment');
  assert.equal(errorCode(ledger.apply(escrow('a3', 10, { worker: 'alice' }))), 'self_dealing');
  assert.equal(errorCode(ledger.apply(escrow('a4', 4001))), 'over_budget');
  assert.ok(ledger.apply(escrow('a5', 4000)).ok, 'exactly the budget is allowed');
});

test('an entry that breaks its schema is refused, not applied', () => {
  const ledger = new MemoryLedger();
  assert.equal(errorCode(ledger.apply(escrow('a1', 10.5))), 'invalid_entry');
  assert.equal(errorCode(ledger.apply(escrow('a2', -5))), 'invalid_entry');
  const garbage = { kind: 'settle', entry_id: 'x' } as unknown as LedgerEntry;
  assert.equal(errorCode(ledger.apply(garbage)), 'invalid_entry');
  assert.equal(ledger.escrow('a1'), undefined);
});

test('planLedgerEntry only reads the view', () => {
  const ledger = new MemoryLedger();
  const plan = planLedgerEntry(ledger, escrow('a1', 1000));
  assert.ok(plan.ok);
  assert.equal(ledger.escrow('a1'), undefined);
});

// --- properties over random sequences of entries, valid and invalid ---

const PEERS = ['alice', 'bob', 'carol', 'dave'];
const ASSIGNMENTS = ['a1', 'a2', 'a3', 'a4', 'a5'];
const JOB_BUDGETS: Record<string, number> = { j1: 3000, j2: 5000 };
/** An entry's id is its kind and assignment (the schema refuses any other). */
const withItsId = <E extends LedgerEntry>(e: Omit<E, 'entry_id'>): E =>
  ({ ...e, entry_id: ledgerEntryId(e.kind, e.assignment_id) }) as E;

const arbEscrow = fc
  .record({
    kind: fc.constant('escrow' as const),
    assignment_id: fc.constantFrom(...ASSIGNMENTS),
    job_id: fc.constantFrom('j1', 'j2'),
    unit_id: fc.constant('u'),
    requester: fc.constantFrom(...PEERS),
    worker: fc.constantFrom(...PEERS),
    amount: fc.integer({ min: 0, max: 2500 }),
    at: fc.constant(AT),
  })
  .map((e) => withItsId<EscrowEntry>({ ...e, job_budget: JOB_BUDGETS[e.job_id]! }));

const arbSettle = fc
  .record(
    {
      kind: fc.constant('settle' as const),
      assignment_id: fc.constantFrom(...ASSIGNMENTS),
      // Billed by fuel: a price at, under or (refused) over the escrow.
      amount: fc.integer({ min: 0, max: 2600 }),
      worker_share_bps: fc.integer({ min: 0, max: 10_000 }),
      at: fc.constant(AT),
    },
    { requiredKeys: ['kind', 'assignment_id', 'worker_share_bps', 'at'] },
  )
  .map((e) => withItsId<SettleEntry>(e));

const arbRefund = fc
  .record({
    kind: fc.constant('refund' as const),
    assignment_id: fc.constantFrom(...ASSIGNMENTS),
    reason: fc.constantFrom('rejected' as const, 'late' as const, 'cancelled' as const, 'failed' as const),
    at: fc.constant(AT),
  })
  .map((e) => withItsId<RefundEntry>(e));

const arbReward = fc
  .record({
    kind: fc.constant('reward' as const),
    assignment_id: fc.constantFrom(...ASSIGNMENTS),
    verified: fc.array(fc.constantFrom(...ASSIGNMENTS), { minLength: 1, maxLength: 3 }),
    amount: fc.integer({ min: 1, max: 500 }),
    at: fc.constant(AT),
  })
  .map((e) => withItsId<RewardEntry>(e));

const arbEntries = fc.array(fc.oneof(arbEscrow, arbSettle, arbRefund, arbReward), { maxLength: 40 });

/** Everything observable about the ledger, over every id the generators can produce. */
function snapshot(ledger: MemoryLedger) {
  return {
    balances: [...ledger.balances()].sort(([a], [b]) => a.localeCompare(b)),
    held: PEERS.map((p) => ledger.held(p)),
    escrows: ASSIGNMENTS.map((assignmentId) => ledger.escrow(assignmentId)),
    committed: Object.keys(JOB_BUDGETS).map((j) => ledger.jobCommitted(j)),
  };
}

test('property: balances sum to zero, a refusal changes nothing, budgets and holds stay in bounds', () => {
  fc.assert(
    fc.property(arbEntries, (entries) => {
      const ledger = new MemoryLedger();
      let rewarded = false;
      for (const entry of entries) {
        const before = snapshot(ledger);
        const plan = ledger.apply(entry);
        if (!plan.ok) assert.deepEqual(snapshot(ledger), before);
        rewarded ||= plan.ok && entry.kind === 'reward';

        const sum = [...ledger.balances().values()].reduce((a, b) => a + b, 0);
        assert.equal(sum, 0);
        // A reward spends verifier shares that settles gave back; these random ones may name a share twice.
        if (!rewarded)
          for (const [job, budget] of Object.entries(JOB_BUDGETS)) assert.ok(ledger.jobCommitted(job) <= budget);
        for (const peer of PEERS) assert.ok(ledger.held(peer) >= 0);
      }
    }),
  );
});

test('property: every escrow held ends as what its settle paid plus what went back, exactly, and the job’s committed credits say so', () => {
  fc.assert(
    fc.property(arbEntries, (entries) => {
      const ledger = new MemoryLedger();
      const held = new Map<string, { job: string; amount: number }>();
      const expected = new Map<string, number>(Object.keys(JOB_BUDGETS).map((j) => [j, 0]));
      const add = (job: string, delta: number) => expected.set(job, expected.get(job)! + delta);
      for (const entry of entries) {
        const plan = ledger.apply(entry);
        if (!plan.ok) continue;
        if (entry.kind === 'escrow') {
          held.set(entry.assignment_id, { job: entry.job_id, amount: entry.amount });
          add(entry.job_id, entry.amount);
        } else if (entry.kind === 'reward') add(plan.effects.escrow.job_id, entry.amount);
        else {
          const { job, amount } = held.get(entry.assignment_id)!;
          const escrowed = ledger.escrow(entry.assignment_id)!;
          const price = entry.kind === 'settle' ? (entry.amount ?? amount) : 0;
          const toWorker = plan.effects.transfers.reduce((sum, t) => sum + t.amount, 0);
          // escrow = price + refunded remainder; the price = worker part + verifier share.
          assert.ok(price <= amount);
          assert.equal(escrowed.amount, entry.kind === 'settle' ? price : amount);
          assert.equal(toWorker, entry.kind === 'settle' ? workerPart(price, entry.worker_share_bps) : 0);
          assert.ok(Number.isSafeInteger(toWorker));
          add(job, toWorker - amount);
        }
        for (const [job, committed] of expected) assert.equal(ledger.jobCommitted(job), committed);
      }
    }),
  );
});

test('property: no assignment is ever closed twice, nor paid more than its escrow', () => {
  fc.assert(
    fc.property(arbEntries, (entries) => {
      const ledger = new MemoryLedger();
      const closings = new Map<string, number>();
      const paid = new Map<string, number>();
      for (const entry of entries) {
        const plan = ledger.apply(entry);
        if (!plan.ok || entry.kind === 'escrow' || entry.kind === 'reward') continue;
        closings.set(entry.assignment_id, (closings.get(entry.assignment_id) ?? 0) + 1);
        for (const t of plan.effects.transfers) paid.set(t.assignment_id, (paid.get(t.assignment_id) ?? 0) + t.amount);
      }
      for (const count of closings.values()) assert.equal(count, 1);
      for (const [assignment, amount] of paid) assert.ok(amount <= ledger.escrow(assignment)!.amount);
    }),
  );
});
