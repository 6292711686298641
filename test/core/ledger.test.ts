import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MemoryLedger, planLedgerEntry, splitPayment, type LedgerPlan } from '../../src-main/core/ledger/index.js';
import type { EscrowEntry, LedgerEntry, RefundEntry, SettleEntry } from '../../src-main/core/schemas/index.js';

const AT = '2025-01-01T00:00:00Z';

function escrow(
  entry_id: string,
  assignment_id: string,
  amount: number,
  extra: Partial<EscrowEntry> = {},
): EscrowEntry {
  return {
    kind: 'escrow',
    entry_id,
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

function settle(
  entry_id: string,
  assignment_id: string,
  verifiers: string[] = [],
  worker_share_bps = 9_000,
): SettleEntry {
  return { kind: 'settle', entry_id, assignment_id, verifiers, worker_share_bps, at: AT };
}

function refund(entry_id: string, assignment_id: string): RefundEntry {
  return { kind: 'refund', entry_id, assignment_id, reason: 'failed', at: AT };
}

function errorCode(plan: LedgerPlan): string | undefined {
  return plan.ok ? undefined : plan.error.code;
}

test('escrow holds the amount against the job, with no transfer yet', () => {
  const ledger = new MemoryLedger();
  const plan = ledger.apply(escrow('e1', 'a1', 1000));
  assert.ok(plan.ok);
  assert.deepEqual(plan.effects.transfers, []);
  assert.equal(plan.effects.jobCommittedDelta, 1000);
  assert.equal(ledger.escrow('a1')?.status, 'held');
  assert.equal(ledger.held('alice'), 1000);
  assert.equal(ledger.jobCommitted('job1'), 1000);
  assert.equal(ledger.balance('alice'), 0);
});

test('settle pays the worker 90% and splits 10% among the verifiers', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('e1', 'a1', 1000));
  const plan = ledger.apply(settle('s1', 'a1', ['carol', 'dave']));
  assert.ok(plan.ok);
  assert.deepEqual(
    plan.effects.transfers.map(({ from, to, amount }) => [from, to, amount]),
    [
      ['alice', 'bob', 900],
      ['alice', 'carol', 50],
      ['alice', 'dave', 50],
    ],
  );
  assert.equal(plan.effects.jobCommittedDelta, 0);
  assert.deepEqual(Object.fromEntries(ledger.balances()), { alice: -1000, bob: 900, carol: 50, dave: 50 });
  assert.equal(ledger.held('alice'), 0);
  assert.equal(ledger.escrow('a1')?.status, 'paid');
});

test('rounding remainders go to the worker, so nothing is lost', () => {
  // 1001 * 90% = 900.9 -> 900; the verifiers' 101 splits 33 + 33 + 33, remainder 2 to the worker.
  assert.deepEqual(splitPayment(1001, 9_000, 3), { toWorker: 902, toEachVerifier: 33, unpaid: 0 });
  assert.deepEqual(splitPayment(7, 10_000, 2), { toWorker: 7, toEachVerifier: 0, unpaid: 0 });
});

test('the split stays exact for amounts beyond 2^53 / 10000', () => {
  const amount = Number.MAX_SAFE_INTEGER;
  const { toWorker, toEachVerifier, unpaid } = splitPayment(amount, 9_999, 1);
  assert.equal(toWorker + toEachVerifier + unpaid, amount);
  assert.equal(toWorker, Number((BigInt(amount) * 9_999n) / 10_000n));
});

test('with no verifiers the requester keeps the verifier share', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('e1', 'a1', 1000));
  const plan = ledger.apply(settle('s1', 'a1', []));
  assert.ok(plan.ok);
  assert.equal(plan.effects.jobCommittedDelta, -100);
  assert.equal(ledger.balance('alice'), -900);
  assert.equal(ledger.balance('bob'), 900);
  assert.equal(ledger.jobCommitted('job1'), 900);
});

test('refund releases the hold and moves no credit', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('e1', 'a1', 1000));
  const plan = ledger.apply(refund('r1', 'a1'));
  assert.ok(plan.ok);
  assert.equal(ledger.escrow('a1')?.status, 'refunded');
  assert.equal(ledger.held('alice'), 0);
  assert.equal(ledger.jobCommitted('job1'), 0);
  assert.equal(ledger.balance('alice'), 0);
});

test('a unit is never paid twice, nor paid after a refund', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('e1', 'a1', 1000));
  assert.ok(ledger.apply(settle('s1', 'a1')).ok);
  assert.equal(errorCode(ledger.apply(settle('s2', 'a1'))), 'already_settled');
  assert.equal(errorCode(ledger.apply(refund('r1', 'a1'))), 'already_settled');
  ledger.apply(escrow('e2', 'a2', 1000));
  assert.ok(ledger.apply(refund('r2', 'a2')).ok);
  assert.equal(errorCode(ledger.apply(settle('s3', 'a2'))), 'already_settled');
  assert.equal(ledger.balance('bob'), 900);
});

test('refusals: duplicate entry, duplicate escrow, unknown assignment, self-dealing, over budget', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('e1', 'a1', 6000));
  assert.equal(errorCode(ledger.apply(escrow('e1', 'a9', 10))), 'duplicate_entry');
  assert.equal(errorCode(ledger.apply(escrow('e2', 'a1', 10))), 'duplicate_escrow');
  assert.equal(errorCode(ledger.apply(settle('s1', 'nope'))), 'unknown_assignment');
  assert.equal(errorCode(ledger.apply(refund('r1', 'nope'))), 'unknown_assignment');
  assert.equal(errorCode(ledger.apply(escrow('e3', 'a3', 10, { worker: 'alice' }))), 'self_dealing');
  assert.equal(errorCode(ledger.apply(escrow('e4', 'a4', 4001))), 'over_budget');
  assert.ok(ledger.apply(escrow('e5', 'a5', 4000)).ok, 'exactly the budget is allowed');
});

test('verifiers must be distinct and neither the worker nor the requester', () => {
  const ledger = new MemoryLedger();
  ledger.apply(escrow('e1', 'a1', 1000));
  for (const verifiers of [['carol', 'carol'], ['bob'], ['alice', 'carol']]) {
    assert.equal(errorCode(ledger.apply(settle(`s-${verifiers.join('-')}`, 'a1', verifiers))), 'invalid_verifiers');
  }
  assert.equal(ledger.escrow('a1')?.status, 'held');
});

test('an entry that breaks its schema is refused, not applied', () => {
  const ledger = new MemoryLedger();
  assert.equal(errorCode(ledger.apply(escrow('e1', 'a1', 10.5))), 'invalid_entry');
  assert.equal(errorCode(ledger.apply(escrow('e2', 'a2', -5))), 'invalid_entry');
  const garbage = { kind: 'settle', entry_id: 'x' } as unknown as LedgerEntry;
  assert.equal(errorCode(ledger.apply(garbage)), 'invalid_entry');
  assert.equal(ledger.escrow('a1'), undefined);
  assert.equal(ledger.hasEntry('e1'), false);
});

test('planLedgerEntry only reads the view', () => {
  const ledger = new MemoryLedger();
  const plan = planLedgerEntry(ledger, escrow('e1', 'a1', 1000));
  assert.ok(plan.ok);
  assert.equal(ledger.escrow('a1'), undefined);
  assert.equal(ledger.hasEntry('e1'), false);
});

// --- properties over random sequences of entries, valid and invalid ---

const PEERS = ['alice', 'bob', 'carol', 'dave'];
const ASSIGNMENTS = ['a1', 'a2', 'a3', 'a4', 'a5'];
const JOB_BUDGETS: Record<string, number> = { j1: 3000, j2: 5000 };
const ENTRY_IDS = Array.from({ length: 30 }, (_, i) => `entry${i}`);

const arbEscrow = fc
  .record({
    kind: fc.constant('escrow' as const),
    entry_id: fc.constantFrom(...ENTRY_IDS),
    assignment_id: fc.constantFrom(...ASSIGNMENTS),
    job_id: fc.constantFrom('j1', 'j2'),
    unit_id: fc.constant('u'),
    requester: fc.constantFrom(...PEERS),
    worker: fc.constantFrom(...PEERS),
    amount: fc.integer({ min: 0, max: 2500 }),
    at: fc.constant(AT),
  })
  .map((e): EscrowEntry => ({ ...e, job_budget: JOB_BUDGETS[e.job_id]! }));

const arbSettle = fc.record({
  kind: fc.constant('settle' as const),
  entry_id: fc.constantFrom(...ENTRY_IDS),
  assignment_id: fc.constantFrom(...ASSIGNMENTS),
  verifiers: fc.array(fc.constantFrom(...PEERS), { maxLength: 3 }),
  worker_share_bps: fc.integer({ min: 0, max: 10_000 }),
  at: fc.constant(AT),
});

const arbRefund = fc.record({
  kind: fc.constant('refund' as const),
  entry_id: fc.constantFrom(...ENTRY_IDS),
  assignment_id: fc.constantFrom(...ASSIGNMENTS),
  reason: fc.constantFrom('rejected' as const, 'late' as const, 'cancelled' as const, 'failed' as const),
  at: fc.constant(AT),
});

const arbEntries = fc.array(fc.oneof(arbEscrow, arbSettle, arbRefund), { maxLength: 40 });

/** Everything observable about the ledger, over every id the generators can produce. */
function snapshot(ledger: MemoryLedger) {
  return {
    balances: [...ledger.balances()].sort(([a], [b]) => a.localeCompare(b)),
    held: PEERS.map((p) => ledger.held(p)),
    escrows: ASSIGNMENTS.map((assignmentId) => ledger.escrow(assignmentId)),
    committed: Object.keys(JOB_BUDGETS).map((j) => ledger.jobCommitted(j)),
    entries: ENTRY_IDS.filter((id) => ledger.hasEntry(id)),
  };
}

test('property: balances sum to zero, a refusal changes nothing, budgets and holds stay in bounds', () => {
  fc.assert(
    fc.property(arbEntries, (entries) => {
      const ledger = new MemoryLedger();
      for (const entry of entries) {
        const before = snapshot(ledger);
        const plan = ledger.apply(entry);
        if (!plan.ok) assert.deepEqual(snapshot(ledger), before);

        const sum = [...ledger.balances().values()].reduce((a, b) => a + b, 0);
        assert.equal(sum, 0);
        for (const [job, budget] of Object.entries(JOB_BUDGETS)) assert.ok(ledger.jobCommitted(job) <= budget);
        for (const peer of PEERS) assert.ok(ledger.held(peer) >= 0);
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
        if (!plan.ok || entry.kind === 'escrow') continue;
        closings.set(entry.assignment_id, (closings.get(entry.assignment_id) ?? 0) + 1);
        for (const t of plan.effects.transfers) paid.set(t.assignment_id, (paid.get(t.assignment_id) ?? 0) + t.amount);
      }
      for (const count of closings.values()) assert.equal(count, 1);
      for (const [assignment, amount] of paid) assert.ok(amount <= ledger.escrow(assignment)!.amount);
    }),
  );
});
