// What a job of mine has held and paid (MeshState.committedTo: what its budget is weighed against
// when an offer is accepted) is what its ledger counts (core/ledger/plan.ts): a settle billed by
// fuel under its escrow gives the rest back, and the verifier share until a reward pays it. It
// used to keep counting a settled escrow whole, so a job billed by fuel ran out of budget at a
// third of what it had paid. A release (a result accepted unchecked keeps only its price held)
// gives the rest back at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryLedger } from '../../src-main/core/ledger/index.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import { ledgerEntryId, type LedgerEntry, type NodeEvent } from '../../src-main/core/schemas/index.js';

const ME = 'peer-me';
const AT = '2025-06-01T12:00:00.000Z';
const JOB = 'job';
let seq = 0;

function accepted(id: string, unit: string, provider: string, price: number): NodeEvent {
  return {
    type: 'offer.accepted',
    event_id: `e${++seq}`,
    at: AT,
    acceptance: {
      assignment_id: id,
      offer_id: id,
      unit_id: `${JOB}/${unit}`,
      job_id: JOB,
      requester_peer: ME,
      provider_peer: provider,
      price,
      role: 'primary',
      deadline: AT,
      timestamp: AT,
    },
  };
}

const entry = (e: LedgerEntry): NodeEvent => ({ type: 'ledger.entry', event_id: `e${++seq}`, at: AT, entry: e });
const escrow = (id: string, unit: string, provider: string, amount: number): LedgerEntry => ({
  kind: 'escrow',
  entry_id: ledgerEntryId('escrow', id),
  assignment_id: id,
  job_id: JOB,
  unit_id: `${JOB}/${unit}`,
  requester: ME,
  worker: provider,
  amount,
  job_budget: 100_000,
  at: AT,
});
const settle = (id: string, amount?: number): LedgerEntry => ({
  kind: 'settle',
  entry_id: ledgerEntryId('settle', id),
  assignment_id: id,
  ...(amount !== undefined ? { amount } : {}),
  worker_share_bps: 9_000,
  at: AT,
});

test("a job's committed credits are its ledger's, through escrows, settles under them, rewards, refunds and releases", () => {
  const state = new MeshState(ME);
  const ledger = new MemoryLedger();
  const steps: [string, NodeEvent[], LedgerEntry[]][] = [];
  const open = (id: string, unit: string, provider: string, price: number) => {
    const held = escrow(id, unit, provider, price);
    steps.push([`${id} escrowed`, [accepted(id, unit, provider, price), entry(held)], [held]]);
  };
  const close = (what: string, e: LedgerEntry) => steps.push([what, [entry(e)], [e]]);
  // a and b: two replicas of unit 0; c and d, units of their own.
  open('a', '0', 'bob', 256);
  open('b', '0', 'carol', 256);
  open('c', '1', 'bob', 256);
  open('d', '2', 'carol', 100);
  close('a settled at its fuel, 84 of 256', settle('a', 84));
  close('b settled at its fuel, 90 of 256', settle('b', 90));
  close("b's verifier rewarded on a", {
    kind: 'reward',
    entry_id: ledgerEntryId('reward', 'a'),
    assignment_id: 'a',
    verified: ['b'],
    amount: 9,
    at: AT,
  });
  close('c refunded', {
    kind: 'refund',
    entry_id: ledgerEntryId('refund', 'c'),
    assignment_id: 'c',
    reason: 'cancelled',
    at: AT,
  });
  close('d settled whole', settle('d'));
  // e: accepted unchecked, it keeps held only its fuel's price, and is paid that when its job completes.
  open('e', '3', 'bob', 256);
  close('e lowered to its price, 80 of 256', {
    kind: 'release',
    entry_id: ledgerEntryId('release', 'e'),
    assignment_id: 'e',
    amount: 80,
    at: AT,
  });
  close('e settled at that price', settle('e', 80));
  for (const [what, events, entries] of steps) {
    for (const e of events) state.apply(e);
    for (const e of entries) assert.ok(ledger.apply(e).ok, what);
    assert.equal(state.committedTo(JOB), ledger.jobCommitted(JOB), what);
  }
  // Paid out: 90 % of 84, of 90, of 100 and of 80, and the reward of 9; nothing held.
  assert.equal(state.committedTo(JOB), 75 + 81 + 90 + 72 + 9);
});
