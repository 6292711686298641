// MeshState's held index (core/mesh/state/held-index.ts): what rounds and deadline checks walk instead
// of every held escrow. Whatever the assignments' lives, on either side, it lists exactly the held
// escrows of each side, of those the ones with no result yet, and what each requester's held with me
// come to; and the same after a snapshot
// restore (the index is not saved, it is rebuilt; a snapshot is a structured clone, v8.serialize).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stateFromData, stateToData } from '../../src-main/core/mesh/state/state-codec.js';
import type { MeshState } from '../../src-main/core/mesh/state/state.js';
import type { Side } from '../../src-main/core/mesh/state/held-index.js';
import { assignmentLife, ME, stateAfter } from './assignment-life.js';

const lifeArb = fc.record({
  side: fc.constantFrom<Side>('requester', 'provider'),
  close: fc.constantFrom('open' as const, 'settle' as const, 'rejected' as const, 'late' as const, 'failed' as const),
  noResult: fc.boolean(),
});

/** The index's answer, from a walk over every assignment. */
function walked(state: MeshState, side: Side, inFlight: boolean): string[] {
  return [...state.assignments.values()]
    .filter(({ acceptance, escrow, result }) => {
      const mine = side === 'requester' ? acceptance.requester_peer : acceptance.provider_peer;
      return mine === ME && escrow === 'held' && !(inFlight && result);
    })
    .map((a) => a.acceptance.assignment_id)
    .sort();
}

function assertIndexed(state: MeshState, when: string): void {
  // What each requester's held escrows with me as provider come to: kept as a sum, checked by a walk.
  const sums = new Map<string, number>();
  for (const id of walked(state, 'provider', false)) {
    const { requester_peer, price } = state.assignments.get(id)!.acceptance;
    sums.set(requester_peer, (sums.get(requester_peer) ?? 0) + price);
  }
  const requesters = new Set([...state.assignments.values()].map((a) => a.acceptance.requester_peer));
  for (const requester of requesters)
    assert.equal(state.heldFrom(requester), sums.get(requester) ?? 0, `${when}: held from ${requester}`);
  for (const side of ['requester', 'provider'] as const) {
    assert.deepEqual([...state.heldAs(side).keys()].sort(), walked(state, side, false), `${when}: held as ${side}`);
    assert.deepEqual(
      [...state.inFlightAs(side).keys()].sort(),
      walked(state, side, true),
      `${when}: in flight as ${side}`,
    );
  }
}

test('the held index lists each side’s held escrows and those without a result, folded or restored', () => {
  fc.assert(
    fc.property(fc.array(lifeArb, { maxLength: 24 }), (lives) => {
      const state = stateAfter(
        lives.flatMap(({ side, close, noResult }, i) =>
          assignmentLife(`a${i}`, close, {
            noResult,
            ...(side === 'requester' ? { requester: ME, provider: 'peer-provider' } : {}),
          }),
        ),
      );
      assertIndexed(state, 'folded');
      assertIndexed(stateFromData(ME, structuredClone(stateToData(state))), 'restored');
    }),
  );
});

test('an open assignment leaves the in-flight list when its result comes, and the held list when it closes', () => {
  const [accepted, escrow, result, close] = assignmentLife('x', 'settle');
  const state = stateAfter([accepted!, escrow!]);
  assert.deepEqual([...state.inFlightAs('provider').keys()], ['x']);
  state.apply(result!);
  assert.equal(state.inFlightAs('provider').size, 0);
  assert.deepEqual([...state.heldAs('provider').keys()], ['x']);
  state.apply(close!);
  assert.equal(state.heldAs('provider').size, 0);
});
