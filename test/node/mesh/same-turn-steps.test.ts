// Steps recorded in one turn are journaled as one, verdicts first; a refused step fails them all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NewEvent } from '../../../src-main/node/mesh/context.js';
import { SameTurnSteps } from '../../../src-main/node/mesh/same-turn-steps.js';
import { refundEvent } from '../../../src-main/node/mesh/settlement.js';

const verdict = (unitId: string): NewEvent => ({
  type: 'unit.verified',
  event_id: `verdict/${unitId}`,
  unit_id: unitId,
  verdict: 'verified',
  consensus_hash: 'bafkreihash',
});
const refund = (assignmentId: string): NewEvent => refundEvent(0, assignmentId, 'failed');
const shape = (events: NewEvent[]) =>
  events.map((e) => (e.type === 'unit.verified' ? e.unit_id : e.type === 'ledger.entry' ? e.entry.entry_id : e.type));

test('steps of one turn are one step, their verdicts side by side first, the rest in order; a later turn is a step of its own', async () => {
  const steps: NewEvent[][] = [];
  const together = new SameTurnSteps(async (events) => {
    steps.push(events);
  });
  await Promise.all([
    together.record([verdict('u1'), refund('a1')]),
    together.record([verdict('u2'), refund('a2'), refund('a3')]),
    together.record([verdict('u3')]),
  ]);
  await together.record([verdict('u4')]);
  assert.deepEqual(steps.map(shape), [['u1', 'u2', 'u3', 'refund/a1', 'refund/a2', 'refund/a3'], ['u4']]);
});

test('a step the journal refuses fails every step of its turn, and the next turn goes on', async () => {
  let fail = true;
  const together = new SameTurnSteps(async () => {
    if (fail) throw new Error('disk full');
  });
  const outcomes = await Promise.allSettled([together.record([verdict('u1')]), together.record([verdict('u2')])]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  await together.record([verdict('u3')]);
});
