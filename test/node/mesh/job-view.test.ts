// A job's tally is kept event by event (job-tally.ts: the UI asks for every job's view on each
// refresh, and a walk of a 100,000-unit job's units was 90 ms each time). The guarantee: after any
// event, the kept view is the one worked out afresh, by a walk, from the same events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshState } from '../../../src-main/core/mesh/state/state.js';
import type { NodeEvent } from '../../../src-main/core/schemas/index.js';
import { applyEvent, countJobs } from '../../../src-main/node/mesh/views/job-tally.js';
import { jobView } from '../../../src-main/node/mesh/views/job-view.js';
import { JOB as TINY_JOB, REQUESTER as TINY_REQUESTER, tinyJobJournal } from '../../core/tiny-job-journal.js';
import { AT, LATER, REQUESTER, WORKER, jobOpening, unitLife } from '../fixtures/journal-events.js';

const UNITS = 4;

/**
 * A job's life with, among its units', a provider's refusal (unit 1), a verdict reopened (unit 2),
 * and a unit no two results agreed on (unit 3), whose assignment the provider refused later, for
 * another reason.
 */
function jobEvents(): NodeEvent[] {
  const events: NodeEvent[] = [...jobOpening('view', 0, { units: UNITS })];
  for (let u = 0; u < UNITS; u++) {
    const life = unitLife('view', 0, u, { units: UNITS });
    const assignment_id = `view-job-0/${u}-assignment`;
    const accepted = life.findIndex((e) => e.type === 'offer.accepted');
    if (u === 1)
      life.splice(accepted + 1, 0, {
        type: 'acceptance.refused',
        event_id: `${assignment_id}-refused`,
        at: AT,
        assignment_id,
        reason: 'busy',
      });
    if (u === 2)
      life.push({
        type: 'unit.reopened',
        event_id: `view-${u}-reopened`,
        at: AT,
        unit_id: `view-job-0/${u}`,
        convicted: WORKER,
      });
    if (u === 3) {
      const verdict = life.find((e) => e.type === 'unit.verified');
      if (verdict?.type === 'unit.verified') verdict.verdict = 'rejected';
      life.push({
        type: 'acceptance.refused',
        event_id: `${assignment_id}-refused`,
        at: LATER,
        assignment_id,
        reason: 'over budget',
      });
    }
    events.push(...life);
  }
  return events;
}

test("a job's view kept between its changes is, after every event, the one worked out afresh", () => {
  const events = jobEvents();
  const kept = new MeshState(REQUESTER);
  events.forEach((event, i) => {
    applyEvent(kept, event);
    const fresh = new MeshState(REQUESTER);
    for (const e of events.slice(0, i + 1)) fresh.apply(e);
    for (const [jobId, record] of kept.jobs)
      assert.deepEqual(
        jobView(kept, record),
        jobView(fresh, fresh.jobs.get(jobId)!),
        `after event ${i} (${event.type})`,
      );
  });
  const view = jobView(kept, kept.jobs.get('view-job-0')!);
  assert.equal(view.units_verified, UNITS - 2, 'the reopened unit is no longer counted, nor the failed one');
  assert.equal(view.units_failed, 1);
  assert.deepEqual(
    view.refusals.map((r) => [r.provider, r.reason, r.units]),
    [[WORKER, 'over budget', 2]],
    'two units refused, the later reason shown',
  );
  assert.ok(view.spent > 0, 'the settles counted');
});

test('a tally walked in part after a start when events come counts each unit once: those walked by their events, the rest by the walk', async () => {
  const units = 2_500; // more than one slice of the walk
  const opening = jobOpening('slices', 0, { units });
  const lives = Array.from({ length: units }, (_, u) => unitLife('slices', 0, u, { units }));
  const escrowed = (life: NodeEvent[]) => life.findIndex((e) => e.type === 'ledger.entry') + 1;
  const before = [...opening, ...lives.flatMap((life) => life.slice(0, escrowed(life)))];
  const after = lives.flatMap((life) => life.slice(escrowed(life))); // results, verdicts, settles

  const kept = new MeshState(REQUESTER);
  for (const event of before) kept.apply(event); // loaded at start: no tally kept yet
  let turns = 0;
  await countJobs(kept, () => turns++ > 0); // one slice walked, then stopped
  for (const event of after) applyEvent(kept, event);

  const fresh = new MeshState(REQUESTER);
  for (const event of [...before, ...after]) fresh.apply(event);
  const view = jobView(kept, kept.jobs.get('slices-job-0')!);
  assert.deepEqual(view, jobView(fresh, fresh.jobs.get('slices-job-0')!));
  assert.equal(view.units_verified, units);
  assert.equal(view.held, 0, 'every escrow settled');
});

const TINY_UNITS = 2_500;
for (const [kind, me, jobId, events] of [
  [
    'listed units',
    REQUESTER,
    'new-job-0',
    () => [
      ...jobOpening('new', 0, { units: TINY_UNITS }),
      ...Array.from({ length: TINY_UNITS }, (_, u) => unitLife('new', 0, u, { units: TINY_UNITS })).flat(),
    ],
  ],
  [
    'batched units',
    TINY_REQUESTER,
    TINY_JOB,
    () => [...tinyJobJournal('requester', TINY_UNITS)].map((bare, i) => ({ ...bare, event_id: `e${i}`, at: AT })),
  ],
] as const)
  test(`a job submitted while the node runs (${kind}) is counted as its units come: its first view reads none of them`, () => {
    const all: NodeEvent[] = events();
    const kept = new MeshState(me);
    for (const event of all) applyEvent(kept, event);
    let read = 0;
    const assignmentsOf = kept.assignmentsOf.bind(kept);
    kept.assignmentsOf = (unitId) => (read++, assignmentsOf(unitId));
    const view = jobView(kept, kept.jobs.get(jobId)!);
    assert.equal(read, 0, 'no unit read for the view');
    const fresh = new MeshState(me);
    for (const event of all) fresh.apply(event);
    assert.deepEqual(view, jobView(fresh, fresh.jobs.get(jobId)!));
    assert.equal(view.units_verified, TINY_UNITS);
  });
