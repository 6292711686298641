// The UI's events for a batch of units: one a job and peer, a lone unit's own event kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiEvent, ApiEventType } from '../../../src-main/core/api/contract.js';
import type { LedgerEntry } from '../../../src-main/core/schemas/index.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { emitLedgerEntries, emitUnits, UnitsThisTurn } from '../../../src-main/node/mesh/context/unit-events.js';

function recorder() {
  const emitted: { type: ApiEventType; data: ApiEvent['data'] }[] = [];
  return { emitted, emit: (type: ApiEventType, data: ApiEvent['data']) => emitted.push({ type, data }) };
}

const FINISHED = { one: 'unit.finished', many: 'units.finished', peerKey: 'provider' } as const;

test('several units of one job from one peer are one event with their count; a lone unit keeps its own event', () => {
  const { emitted, emit } = recorder();
  emitUnits(emit, FINISHED, [
    { job_id: 'j1', unit_id: 'j1/0', peer: 'p1' },
    { job_id: 'j1', unit_id: 'j1/1', peer: 'p1' },
    { job_id: 'j2', unit_id: 'j2/0', peer: 'p1', extra: { price: 5 } },
    { job_id: 'j1', unit_id: 'j1/2', peer: 'p2' },
    { job_id: 'j1', unit_id: 'j1/3', peer: 'p1' },
  ]);
  assert.deepEqual(emitted, [
    { type: 'units.finished', data: { job_id: 'j1', provider: 'p1', units: 3 } },
    { type: 'unit.finished', data: { job_id: 'j2', unit_id: 'j2/0', provider: 'p1', price: 5 } },
    { type: 'unit.finished', data: { job_id: 'j1', unit_id: 'j1/2', provider: 'p2' } },
  ]);
});

test('no units, no event', () => {
  const { emitted, emit } = recorder();
  emitUnits(emit, FINISHED, []);
  emitLedgerEntries(emit, []);
  assert.deepEqual(emitted, []);
});

const entry = (kind: 'settle' | 'refund', n: number): LedgerEntry =>
  kind === 'settle'
    ? { kind, entry_id: `settle/a${n}`, assignment_id: `a${n}`, worker_share_bps: 9000, at: '2026-11-25T00:00:00.000Z' }
    : { kind, entry_id: `refund/a${n}`, assignment_id: `a${n}`, reason: 'late', at: '2026-11-25T00:00:00.000Z' };

test('the entries of one journal event are one event with their count and kind, or `mixed`; a lone entry keeps its own', () => {
  const { emitted, emit } = recorder();
  emitLedgerEntries(emit, [entry('settle', 1)]);
  emitLedgerEntries(emit, [entry('settle', 2), entry('settle', 3)]);
  emitLedgerEntries(emit, [entry('settle', 4), entry('refund', 5), entry('settle', 6)]);
  assert.deepEqual(emitted, [
    { type: 'ledger.entry', data: { kind: 'settle', assignment_id: 'a1' } },
    { type: 'ledger.entries', data: { kind: 'settle', entries: 2 } },
    { type: 'ledger.entries', data: { kind: 'mixed', entries: 3 } },
  ]);
});

test('units told of one at a time in a turn are emitted together at its end, or at once when flushed', async () => {
  const { emitted, emit } = recorder();
  const verified = new UnitsThisTurn(emit, { one: 'unit.verified', many: 'units.verified' });
  for (let i = 0; i < 3; i++) verified.add({ job_id: 'j1', unit_id: `j1/${i}`, extra: { hash: `h${i}` } });
  assert.deepEqual(emitted, [], 'not before the turn ends');
  await nextTurn();
  assert.deepEqual(emitted, [{ type: 'units.verified', data: { job_id: 'j1', units: 3 } }]);

  verified.add({ job_id: 'j1', unit_id: 'j1/3', extra: { hash: 'h3' } });
  verified.flush();
  assert.deepEqual(emitted.at(-1), { type: 'unit.verified', data: { job_id: 'j1', unit_id: 'j1/3', hash: 'h3' } });
  await nextTurn();
  assert.equal(emitted.length, 2, 'a flushed unit is told once');
});
