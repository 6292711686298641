import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { EscrowEntry, NodeEvent } from '../../src-main/core/schemas/index.js';
import type { Journal, JournalErrorCode } from '../../src-main/node/journal/index.js';
import { AT, realisticEvents, unitLife, WORKER } from './fixtures/journal-events.js';
import { openTempJournal, tempDbPath } from './fixtures/journal-temp.js';

type LedgerEvent = Extract<NodeEvent, { type: 'ledger.entry' }>;

const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
const cleanPrototype = prototypeKeys();

/** A journal holding a few hundred realistic events, so "nothing changed" has something to check. */
function seededJournal(): { journal: Journal; eventCount: () => number; close: () => void } {
  const path = tempDbPath();
  const journal = openTempJournal(path);
  for (const event of realisticEvents('h', 200)) journal.appendNow(event);
  const reader = new Database(path, { readonly: true });
  const count = reader.prepare('SELECT COALESCE(SUM(count), 0) FROM event_batches').pluck();
  return {
    journal,
    eventCount: () => count.get() as number,
    close: () => {
      reader.close();
      journal.close();
    },
  };
}

async function assertRefused(
  seeded: ReturnType<typeof seededJournal>,
  input: unknown,
  code: JournalErrorCode,
  label: string,
): Promise<void> {
  const { journal, eventCount } = seeded;
  const before = journal.snapshot();
  const count = eventCount();
  const queued = await journal.append(input);
  const now = journal.appendNow(input);
  for (const outcome of [queued, now]) {
    assert.equal(outcome.ok, false, `${label}: accepted`);
    if (!outcome.ok) assert.equal(outcome.error.code, code, `${label}: ${outcome.error.message}`);
  }
  assert.deepEqual(journal.snapshot(), before, `${label}: derived tables changed`);
  assert.equal(eventCount(), count, `${label}: journal changed`);
  assert.deepEqual(prototypeKeys(), cleanPrototype, `${label}: Object.prototype changed`);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, `${label}: Object.prototype polluted`);
}

const trust = { type: 'trust.set', event_id: 'x1', at: AT, peer_id: WORKER, weight: 0.5 };
const unit = (unitLife('h', 0, 0)[0] as Extract<NodeEvent, { type: 'unit.created' }>).unit;
let deep: unknown = 'bottom';
for (let i = 0; i < 100_000; i++) deep = { d: deep };
const cyclic: Record<string, unknown> = { ...trust };
cyclic.self = cyclic;

const malformed: Array<[string, unknown]> = [
  ['null', null],
  ['undefined', undefined],
  ['a number', 42],
  ['a string', JSON.stringify(trust)],
  ['an array', [trust]],
  ['an empty object', {}],
  ['an unknown type', { ...trust, type: 'trust.deleted' }],
  ['a missing event_id', { ...trust, event_id: undefined }],
  ['an empty event_id', { ...trust, event_id: '' }],
  ['an event_id with spaces', { ...trust, event_id: 'a b' }],
  ['a reserved event_id', { ...trust, event_id: '__proto__' }],
  ['a weight as text', { ...trust, weight: '0.5' }],
  ['a weight above 1', { ...trust, weight: 2 }],
  ['a NaN weight', { ...trust, weight: Number.NaN }],
  ['a bigint weight', { ...trust, weight: 1n }],
  ['a bad time', { ...trust, at: 'yesterday' }],
  ['an unknown key', { ...trust, admin: true }],
  [
    'a __proto__ key',
    JSON.parse(
      `{"type":"trust.set","event_id":"x1","at":"${AT}","peer_id":"p","weight":0.5,"__proto__":{"polluted":1}}`,
    ),
  ],
  ['a constructor key', { ...trust, constructor: { prototype: { polluted: 1 } } }],
  [
    'params with a __proto__ key',
    {
      type: 'unit.created',
      event_id: 'x2',
      at: AT,
      unit: { ...unit, params: JSON.parse('{"__proto__":{"polluted":1}}') },
    },
  ],
  [
    'params with a constructor key',
    { type: 'unit.created', event_id: 'x2', at: AT, unit: { ...unit, params: { constructor: 1 } } },
  ],
  ['params nested 100,000 deep', { type: 'unit.created', event_id: 'x2', at: AT, unit: { ...unit, params: { deep } } }],
  [
    '100,000 addresses',
    { type: 'peer.seen', event_id: 'x3', at: AT, peer_id: 'p', addresses: new Array(100_000).fill('/ip4/1') },
  ],
  [
    'a 10 MB name',
    { type: 'peer.seen', event_id: 'x3', at: AT, peer_id: 'p', name: 'x'.repeat(10_000_000), addresses: [] },
  ],
  [
    'a reward for 100,000 verified assignments',
    {
      type: 'ledger.entry',
      event_id: 'x4',
      at: AT,
      entry: {
        kind: 'reward',
        entry_id: 'reward/a',
        assignment_id: 'a',
        verified: new Array(100_000).fill('v'),
        amount: 1,
        at: AT,
      },
    },
  ],
  ['a cyclic object', cyclic],
  [
    'a getter that throws',
    Object.defineProperty({ ...trust }, 'weight', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    }),
  ],
  [
    'a proxy that throws',
    new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('boom');
        },
        get: () => {
          throw new Error('boom');
        },
      },
    ),
  ],
];

test('malformed events are refused with invalid_event, and nothing changes', async () => {
  const seeded = seededJournal();
  for (const [label, input] of malformed) await assertRefused(seeded, input, 'invalid_event', label);
  seeded.close();
});

test('arbitrary values never throw and never change the journal', async () => {
  const { journal, eventCount, close } = seededJournal();
  const before = journal.snapshot();
  const count = eventCount();
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.anything(),
        fc.record({ type: fc.constantFrom('trust.set', 'ledger.entry', 'unit.created'), event_id: fc.string() }),
      ),
      async (input) => {
        const outcome = await journal.append(input);
        assert.equal(outcome.ok, false);
      },
    ),
    { numRuns: 300 },
  );
  assert.deepEqual(journal.snapshot(), before);
  assert.equal(eventCount(), count);
  assert.deepEqual(prototypeKeys(), cleanPrototype);
  close();
});

test('a ledger entry that would pay twice is refused with the ledger reason, and nothing changes', async () => {
  const { journal, close } = seededJournal(); // unit 0 of job 0 is escrowed and settled in there
  const settle = unitLife('h', 0, 0)[8] as LedgerEvent;
  const again = (event_id: string, entry: Record<string, unknown>) => ({
    ...settle,
    event_id,
    entry: { ...settle.entry, ...entry },
  });

  // An entry's id is its kind and assignment: a second settle under an id of its own is not an entry at all.
  const refusals: Array<[string, unknown, string, string?]> = [
    ['a second settle under another entry id', again('pay-twice', { entry_id: 'pay-twice' }), 'invalid_event'],
    [
      'a refund after the settle',
      again('refund-late', {
        kind: 'refund',
        entry_id: `refund/${settle.entry.assignment_id}`,
        reason: 'late',
        worker_share_bps: undefined,
      }),
      'ledger_refused',
      'already_settled',
    ],
    [
      'a settle of an unknown assignment',
      again('ghost', { entry_id: 'settle/nobody', assignment_id: 'nobody' }),
      'ledger_refused',
      'unknown_assignment',
    ],
    ['the same settle under a new event id', again('reused-entry', {}), 'ledger_refused', 'duplicate_entry'],
  ];
  for (const [label, input, code, reason] of refusals) {
    const before = journal.snapshot();
    const outcome = journal.appendNow(JSON.parse(JSON.stringify(input)));
    assert.equal(outcome.ok, false, label);
    if (!outcome.ok) {
      assert.equal(outcome.error.code, code, label);
      assert.equal(outcome.error.ledger, reason, label);
    }
    assert.deepEqual(journal.snapshot(), before, label);
  }
  close();
});

test('an escrow beyond the job budget, or paying oneself, is refused', () => {
  const journal = openTempJournal();
  const escrow = unitLife('b', 0, 0)[4] as LedgerEvent;
  const overBudget = { ...escrow, entry: { ...escrow.entry, amount: 10, job_budget: 5 } };
  const selfDealing = {
    ...escrow,
    entry: { ...escrow.entry, worker: (escrow.entry as EscrowEntry).requester },
  };
  for (const [input, reason] of [
    [overBudget, 'over_budget'],
    [selfDealing, 'self_dealing'],
  ] as const) {
    const outcome = journal.appendNow(input);
    assert.equal(outcome.ok ? 'accepted' : outcome.error.ledger, reason);
  }
  assert.deepEqual(journal.snapshot().ledger_escrows, []);
  journal.close();
});

test('in a group commit, a refused entry is left out and the rest of the batch commits', async () => {
  const journal = openTempJournal();
  const life = unitLife('q', 0, 0);
  const settle = life[8] as LedgerEvent;
  const doubleSettle = { ...settle, event_id: 'double' };
  // A reward before its own assignment is paid: the worker has verified nothing yet.
  const earlyReward = {
    type: 'ledger.entry',
    event_id: 'early-reward',
    at: AT,
    entry: {
      kind: 'reward',
      entry_id: `reward/${settle.entry.assignment_id}`,
      assignment_id: settle.entry.assignment_id,
      verified: ['x'],
      amount: 50,
      at: AT,
    },
  } as const;
  const outcomes = await Promise.all(
    [...life.slice(0, 8), earlyReward, settle, doubleSettle].map((e) => journal.append(e)),
  );

  assert.deepEqual(
    outcomes.map((o) => (o.ok ? o.seq : o.error.ledger)),
    [1, 2, 3, 4, 5, 6, 7, 8, 'invalid_reward', 9, 'duplicate_entry'],
  );
  assert.equal(journal.ledger.balance(WORKER), 900);
  journal.close();
});
