// The journal's SQL ledger against the in-memory one: fed the same entries, both must accept and
// refuse the same ones, end with the same escrows, commitments and balances, and replay the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MemoryLedger } from '../../src-main/core/ledger/index.js';
import { ledgerEntryId, type LedgerEntry } from '../../src-main/core/schemas/index.js';
import { AT } from './fixtures/journal-events.js';
import { openTempJournal } from './fixtures/journal-temp.js';
import type { JournalSnapshot } from '../../src-main/node/journal/journal.js';

const peers = ['alice', 'bob', 'carol', 'dave'];
const peer = fc.constantFrom(...peers);
const assignment = fc.constantFrom('a0', 'a1', 'a2', 'a3');
const job = fc.constantFrom('j0', 'j1');
// Few assignments, so that entries repeat one of an assignment's (the ledger must refuse those).
const entry: fc.Arbitrary<LedgerEntry> = fc
  .oneof(
    fc.record({
      kind: fc.constant('escrow' as const),
      entry_id: fc.constant(''),
      assignment_id: assignment,
      job_id: job,
      unit_id: fc.constant('u'),
      requester: peer,
      worker: peer,
      amount: fc.nat({ max: 1000 }),
      job_budget: fc.nat({ max: 2500 }),
      at: fc.constant(AT),
    }),
    fc.record({
      kind: fc.constant('settle' as const),
      entry_id: fc.constant(''),
      assignment_id: assignment,
      worker_share_bps: fc.integer({ min: 0, max: 10_000 }),
      at: fc.constant(AT),
    }),
    fc.record({
      kind: fc.constant('reward' as const),
      entry_id: fc.constant(''),
      assignment_id: assignment,
      verified: fc.array(assignment, { minLength: 1, maxLength: 3 }),
      amount: fc.integer({ min: 1, max: 500 }),
      at: fc.constant(AT),
    }),
    fc.record({
      kind: fc.constant('refund' as const),
      entry_id: fc.constant(''),
      assignment_id: assignment,
      reason: fc.constantFrom('rejected' as const, 'late' as const, 'cancelled' as const, 'failed' as const),
      at: fc.constant(AT),
    }),
    fc.record({
      kind: fc.constant('release' as const),
      entry_id: fc.constant(''),
      assignment_id: assignment,
      amount: fc.nat({ max: 1000 }),
      at: fc.constant(AT),
    }),
  )
  .map((e) => ({ ...e, entry_id: ledgerEntryId(e.kind, e.assignment_id) }));

/** The journal's ledger tables hold what the memory ledger holds: balances, escrows, jobs' commitments. Returns the tables. */
function assertSameLedger(journal: ReturnType<typeof openTempJournal>, memory: MemoryLedger): JournalSnapshot {
  const live = journal.snapshot();
  // Each peer's balance, read from the pair totals (ledger_flows).
  const expected = memory.balances();
  const balances = new Map(peers.map((id) => [id, journal.ledger.balance(id)]));
  assert.deepEqual(balances, new Map(peers.map((id) => [id, expected.get(id) ?? 0])));
  assert.equal(
    [...balances.values()].reduce((sum, b) => sum + b, 0),
    0,
  );
  // Rows name peers by number (ledger_peers).
  const peerOf = new Map(live.ledger_peers.map((p) => [p.peer_no, p.peer_id]));
  for (const { requester_no, worker_no, opened_seq, closed_seq: _, rewarded_seq, ...row } of live.ledger_escrows) {
    assert.equal(typeof opened_seq, 'number');
    assert.deepEqual(
      { ...row, requester: peerOf.get(requester_no), worker: peerOf.get(worker_no), rewarded: rewarded_seq !== null },
      memory.escrow(row.assignment_id as string),
    );
  }
  for (const id of ['a0', 'a1', 'a2', 'a3']) {
    assert.equal(
      live.ledger_escrows.some((row) => row.assignment_id === id),
      memory.escrow(id) !== undefined,
    );
  }
  for (const id of ['j0', 'j1']) {
    const row = live.ledger_jobs.find((r) => r.job_id === id);
    assert.equal((row?.committed as number | undefined) ?? 0, memory.jobCommitted(id));
    // Each job's running held total is what its held escrows hold.
    const held = live.ledger_escrows.filter((e) => e.job_id === id && e.status === 'held');
    assert.equal(
      (row?.held as number | undefined) ?? 0,
      held.reduce((sum, e) => sum + (e.amount as number), 0),
    );
  }
  // Each peer's ledger a job at a time: the jobs whose escrows name it, with what they hold, paid
  // out (committed less held) and refunded whole, and their entries (escrow, closing, reward).
  const escrows = ['a0', 'a1', 'a2', 'a3'].flatMap((id) => memory.escrow(id) ?? []);
  for (const id of peers) {
    const expectedJobs = ['j0', 'j1'].flatMap((jobId) => {
      const ofJob = escrows.filter((e) => e.job_id === jobId);
      if (!ofJob.some((e) => e.requester === id || e.worker === id)) return [];
      const sum = (status: string) => ofJob.filter((e) => e.status === status).reduce((n, e) => n + e.amount, 0);
      return [
        {
          job_id: jobId,
          role: ofJob.some((e) => e.requester === id) ? 'requester' : 'provider',
          entries: ofJob
            .filter((e) => e.requester === id || e.worker === id)
            .reduce((n, e) => n + 1 + (e.status === 'held' ? 0 : 1) + (e.rewarded ? 1 : 0), 0),
          paid: memory.jobCommitted(jobId) - sum('held'),
          held: sum('held'),
          refunded: ofJob
            .filter((e) => (e.requester === id || e.worker === id) && e.status === 'refunded')
            .reduce((n, e) => n + e.amount, 0),
        },
      ];
    });
    const byJob = (a: { job_id: string }, b: { job_id: string }) => a.job_id.localeCompare(b.job_id);
    assert.deepEqual([...journal.ledger.jobs(id)].sort(byJob), expectedJobs, `${id}'s jobs`);
  }
  assert.equal(
    journal.ledger.summary(peers[0]!).held,
    peers.reduce((sum, p) => sum + memory.held(p), 0),
  );
  // Each peer's summary: earned and spent are its transfers' (all of them here), in all and per
  // counterpart, and its balance is their difference.
  for (const id of peers) {
    const summary = journal.ledger.summary(id);
    const transfers = journal.ledger.transfers(id, 10_000);
    const totals = (of: typeof transfers) => ({
      earned: of.reduce((sum, t) => sum + Math.max(0, t.amount), 0),
      spent: of.reduce((sum, t) => sum + Math.max(0, -t.amount), 0),
    });
    assert.deepEqual({ earned: summary.earned, spent: summary.spent }, totals(transfers));
    assert.equal(summary.balance, expected.get(id) ?? 0);
    for (const p of summary.peers) {
      assert.deepEqual({ earned: p.earned, spent: p.spent }, totals(transfers.filter((t) => t.peer_id === p.peer_id)));
      assert.equal(p.balance, p.earned - p.spent);
    }
  }
  return live;
}

test('the SQL ledger decides and balances exactly as the in-memory ledger, and replays the same', () => {
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 40 }), (entries) => {
      const memory = new MemoryLedger();
      const journal = openTempJournal();
      entries.forEach((e, i) => {
        const expected = memory.apply(e);
        const outcome = journal.appendNow({ type: 'ledger.entry', event_id: `event-${i}`, at: AT, entry: e });
        assert.equal(outcome.ok, expected.ok, `entry ${i} (${e.kind})`);
        if (!outcome.ok && !expected.ok) assert.equal(outcome.error.ledger, expected.error.code);
      });

      const live = assertSameLedger(journal, memory);
      assert.ok(journal.rebuild().ok);
      assert.deepEqual(journal.snapshot(), live);
      journal.close();
    }),
    { numRuns: 60 },
  );
});

test('entries journaled in batches: each batch keeps exactly the entries the in-memory ledger admits one by one, and the ledger ends and replays the same', () => {
  fc.assert(
    fc.property(fc.array(fc.array(entry, { maxLength: 6 }), { maxLength: 10 }), (batches) => {
      const memory = new MemoryLedger();
      const journal = openTempJournal();
      const admittedInOrder: string[] = [];
      batches.forEach((entries, i) => {
        const plans = entries.map((e) => ({ entry: e, plan: memory.apply(e) }));
        const admitted = plans.flatMap(({ entry: e, plan }) => (plan.ok ? [e] : []));
        const refused = plans.flatMap(({ plan }) =>
          !plan.ok && plan.error.code !== 'duplicate_entry' ? [plan.error.code] : [],
        );
        const before = [...journal.events()].length;
        const outcome = journal.appendNow({ type: 'ledger.entries', event_id: `batch-${i}`, at: AT, entries });
        const journaled = [...journal.events()].slice(before);
        if (admitted.length === 0 && refused.length > 0) {
          assert.equal(outcome.ok, false, `batch ${i}: nothing admitted, something refused`);
          if (!outcome.ok) assert.equal(outcome.error.ledger, refused[0]);
        } else {
          assert.ok(outcome.ok, `batch ${i}`);
          assert.equal(
            outcome.duplicate,
            admitted.length === 0 && entries.length > 0,
            'each entry journaled before: a duplicate',
          );
          assert.deepEqual(outcome.narrowed?.refused.map((r) => r.code) ?? [], refused);
          assert.equal(outcome.narrowed !== undefined, admitted.length > 0 && admitted.length < entries.length);
        }
        // As plain objects: fast-check makes some with no prototype, the journal reads JSON back.
        const expectedEvents = outcome.ok && !outcome.duplicate ? [admitted.map((e) => ({ ...e }))] : [];
        assert.deepEqual(
          journaled.map((event) => (event.type === 'ledger.entries' ? event.entries : undefined)),
          expectedEvents,
          `batch ${i}: journaled with the entries admitted, in order`,
        );
        admittedInOrder.push(...(outcome.ok && !outcome.duplicate ? admitted.map((e) => e.entry_id) : []));
      });
      const live = assertSameLedger(journal, memory);
      assert.deepEqual(
        journal.ledger.entries(1000).map((e) => e.entry_id),
        admittedInOrder.reverse(),
        'the newest entries first, each read from its place in its batch',
      );
      assert.ok(journal.rebuild().ok);
      assert.deepEqual(journal.snapshot(), live);
      journal.close();
    }),
    { numRuns: 80 },
  );
});

test('in one group commit too: an entry id reused within the same transaction is refused as the memory ledger refuses it', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 40 }), async (entries) => {
      const memory = new MemoryLedger();
      const journal = openTempJournal();
      const outcomes = await Promise.all(
        entries.map((e, i) => journal.append({ type: 'ledger.entry', event_id: `event-${i}`, at: AT, entry: e })),
      );
      assert.ok(journal.commits.normal + journal.commits.full <= 1, 'one transaction');
      entries.forEach((e, i) => {
        const expected = memory.apply(e);
        const outcome = outcomes[i]!;
        assert.equal(outcome.ok, expected.ok, `entry ${i} (${e.kind})`);
        if (!outcome.ok && !expected.ok) assert.equal(outcome.error.ledger, expected.error.code);
      });
      journal.close();
    }),
    { numRuns: 40 },
  );
});

test('transfers after a seq are exactly the newer ones: a client that holds the older ones and asks for the rest has them all', async () => {
  const journal = openTempJournal();
  const escrow = (n: number): LedgerEntry => ({
    kind: 'escrow',
    entry_id: `escrow/a${n}`,
    assignment_id: `a${n}`,
    job_id: 'j0',
    unit_id: `u${n}`,
    requester: 'alice',
    worker: 'bob',
    amount: 10 + n,
    job_budget: 1000,
    at: AT,
  });
  const settle = (n: number): LedgerEntry => ({
    kind: 'settle',
    entry_id: `settle/a${n}`,
    assignment_id: `a${n}`,
    worker_share_bps: 9000,
    at: AT,
  });
  for (let n = 0; n < 6; n++) {
    for (const made of [escrow(n), settle(n)])
      assert.ok((await journal.append({ type: 'ledger.entry', event_id: made.entry_id, at: AT, entry: made })).ok);
  }
  const all = journal.ledger.transfers('alice', 100);
  assert.equal(all.length, 6, 'one transfer per settle');
  assert.ok(
    all.every((t, i) => i === 0 || t.seq > all[i - 1]!.seq),
    'in the order recorded',
  );
  const held = all.slice(0, 4);
  const rest = journal.ledger.transfers('alice', 100, held.at(-1)!.seq);
  assert.deepEqual([...held, ...rest], all);
  assert.deepEqual(journal.ledger.transfers('alice', 100, all.at(-1)!.seq), [], 'nothing newer');
  assert.deepEqual(journal.ledger.transfers('alice', 2, 0), all.slice(-2), 'the newest, within the limit');
  journal.close();
});
