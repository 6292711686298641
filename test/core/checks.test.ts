// The requester's checks as its state folds them: records, convictions, effective trust, and what
// a conviction undoes (core/mesh/state/checks.ts, backtrack.ts), from journal events alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backtrack } from '../../src-main/core/mesh/rules/backtrack.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import { PROBATION_CHECKS, checkRate } from '../../src-main/core/verification/index.js';

const ME = 'peer-requester';
const LIAR = 'peer-liar';
const HONEST = 'peer-honest';
const AT = '2025-06-01T12:00:00.000Z';
const NOW = Date.parse(AT);

type Bare = NodeEvent extends infer E ? (E extends NodeEvent ? Omit<E, 'event_id' | 'at'> : never) : never;
let seq = 0;
const event = (e: Bare): NodeEvent => ({ ...e, event_id: `e${++seq}`, at: AT });

const unitId = (i: number) => `job/${i}`;

/** A tiled Blender job's grid: two tiles a frame, from frame 5; its units' params name no frame. */
const TILES = { cols: 2, rows: 1, first_frame: 5, width: 64, height: 48 };

/** A render job's frames 0, 1, …: one tile each (core/kinds/frames.ts), so unit i is frame i's tile. */
const renderOf = (frames: number) => ({
  render: {
    first_frame: 0,
    last_frame: frames - 1,
    width: 8,
    height: 8,
    spp: 1,
    tile: 8,
    seed: 0,
    gpu: 'forbidden' as const,
  },
});

/**
 * My job of `units` units, unit i assigned to `providers[i]`, each with a result (hash = CID);
 * `frames`: a render job's (a tile a frame) or a tiled Blender job's.
 */
function jobEvents(providers: string[], frames?: 'render' | 'tiled'): NodeEvent[] {
  const job = { job_id: 'job', requester: ME, name: 'j', unit_count: providers.length, redundancy: 1, budget: 10_000 };
  const framed = frames === 'tiled' ? { blender_tiles: TILES } : frames === 'render' ? renderOf(providers.length) : {};
  const events: NodeEvent[] = [event({ type: 'job.submitted', job: { ...job, ...framed } })];
  const tiled = frames === 'tiled';
  providers.forEach((provider, i) => {
    const id = `a${i}`;
    events.push(
      event({
        type: 'unit.created',
        unit: {
          unit_id: unitId(i),
          job_id: 'job',
          algorithm_id: 'hash/sha256',
          algorithm_version: '1.0.0',
          module_cid: 'module',
          input_cid: 'input',
          params: tiled ? { file: 'scene.blend' } : { frame: i },
          required_resources: { cpu_cores: 1, ram_gb: 1 },
          estimated_duration_seconds: 1,
          verification_redundancy: 1,
          priority: 0.5,
        },
      }),
      event({
        type: 'offer.accepted',
        acceptance: {
          assignment_id: id,
          offer_id: id,
          unit_id: unitId(i),
          job_id: 'job',
          requester_peer: ME,
          provider_peer: provider,
          price: 100,
          role: 'primary',
          deadline: AT,
          timestamp: AT,
        },
      }),
      event({
        type: 'ledger.entry',
        entry: {
          kind: 'escrow',
          entry_id: `escrow/${id}`,
          assignment_id: id,
          job_id: 'job',
          unit_id: unitId(i),
          requester: ME,
          worker: provider,
          amount: 100,
          job_budget: 10_000,
          at: AT,
        },
      }),
      event({
        type: 'result.recorded',
        result: {
          result_id: `${id}/result`,
          work_unit_id: unitId(i),
          assignment_id: id,
          computed_by_peer: provider,
          output_cid: `out${i}`,
          output_bytes: 32,
          computation_time_seconds: 1,
          resources_used: { cpu_cores: 1, ram_gb: 1 },
          verification_hash: `out${i}`,
          timestamp: AT,
        },
      }),
    );
  });
  return events;
}

/** Unit i verified on its result alone, accepted unchecked. */
const verifiedUnchecked = (i: number): NodeEvent =>
  event({
    type: 'unit.verified',
    unit_id: unitId(i),
    verdict: 'verified',
    consensus_hash: `out${i}`,
    agreeing_results: [`a${i}/result`],
    unchecked_results: [`a${i}/result`],
  });

function stateAfter(events: NodeEvent[]): MeshState {
  const state = new MeshState(ME);
  for (const e of events) state.apply(e);
  state.apply(event({ type: 'trust.set', peer_id: LIAR, weight: 1 }));
  state.apply(event({ type: 'trust.set', peer_id: HONEST, weight: 1 }));
  return state;
}

test('a passed check adds to the record; probation ends after enough of them', () => {
  const state = stateAfter(jobEvents([HONEST]));
  assert.equal(checkRate(state.checks.record(HONEST)), 1, 'a new provider: every result checked');
  state.apply(
    event({ type: 'unit.checked', unit_id: unitId(0), truth: 'out0', matched: ['a0/result'], contradicted: [] }),
  );
  assert.deepEqual(state.checks.record(HONEST), { passed: 1, convicted: false });
  assert.equal(state.checks.truths.get(unitId(0)), 'out0');
  // The same outcome journaled twice counts once.
  state.apply(
    event({ type: 'unit.checked', unit_id: unitId(0), truth: 'out0', matched: ['a0/result'], contradicted: [] }),
  );
  assert.equal(state.checks.record(HONEST).passed, 1);
  assert.ok(PROBATION_CHECKS > 1);
});

test('a contradicted result convicts: effective trust 0, out of every count; a dissent alone does not', () => {
  const state = stateAfter(jobEvents([LIAR, LIAR, HONEST]));
  // A verdict that went against the liar's result, without a check, convicts nobody.
  state.apply(
    event({
      type: 'unit.verified',
      unit_id: unitId(1),
      verdict: 'verified',
      consensus_hash: 'other',
      agreeing_results: [],
      unchecked_results: [],
    }),
  );
  assert.equal(state.checks.isConvicted(LIAR), false);
  assert.ok(state.effectiveTrustIn(LIAR, NOW) > 0);

  state.apply(
    event({ type: 'unit.checked', unit_id: unitId(1), truth: 'right', matched: [], contradicted: ['a1/result'] }),
  );
  assert.equal(state.checks.isConvicted(LIAR), true);
  assert.equal(state.checks.contradicted.get(LIAR), 1);
  assert.equal(state.effectiveTrustIn(LIAR, NOW), 0);
  assert.ok(state.effectiveTrustIn(HONEST, NOW) > 0);
  assert.deepEqual(state.activeAssignments(unitId(0)), [], "a convicted provider's assignments no longer count");
  assert.equal(state.reputation.get(LIAR)?.rejected, 1);
});

test("backtracking: the liar's held pay is refunded and verdicts that rested on its unchecked results reopen", () => {
  const state = stateAfter(jobEvents([LIAR, LIAR, HONEST], 'render'));
  // Unit 0: the liar's result accepted unchecked (its escrow held); unit 2: the honest one's, checked.
  state.apply(
    event({
      type: 'unit.verified',
      unit_id: unitId(0),
      verdict: 'verified',
      consensus_hash: 'out0',
      agreeing_results: ['a0/result'],
      unchecked_results: ['a0/result'],
    }),
  );
  state.apply(
    event({
      type: 'unit.verified',
      unit_id: unitId(2),
      verdict: 'verified',
      consensus_hash: 'out2',
      agreeing_results: ['a2/result'],
      unchecked_results: [],
    }),
  );
  // Render tiles of frames 0 and 2, both frames assembled.
  for (const frame of [0, 2])
    state.apply(event({ type: 'frame.rendered', job_id: 'job', frame, png_cid: `png${frame}` }));
  assert.deepEqual(backtrack(state, LIAR), { refunds: ['a0', 'a1'], reopen: [unitId(0)] });
  assert.deepEqual(backtrack(state, HONEST), { refunds: ['a2'], reopen: [] }, 'a checked verdict never reopens');

  state.apply(event({ type: 'unit.reopened', unit_id: unitId(0), convicted: LIAR }));
  const unit = state.units.get(unitId(0))!;
  assert.equal(unit.verdict, undefined);
  assert.equal(unit.reopened, 1);
  assert.ok(!state.jobs.get('job')!.frames.has(0), 'the frame stitched with the withdrawn tile is withdrawn too');
  assert.ok(state.jobs.get('job')!.frames.has(2));
  // A completed job is settled and handed over: nothing in it is undone.
  for (const i of [0, 1]) state.apply(verifiedUnchecked(i));
  assert.ok(state.jobs.get('job')!.completedAt);
  assert.deepEqual(backtrack(state, LIAR), { refunds: [], reopen: [] });
});

test("a tiled Blender job's reopened tile withdraws its own frame, named by the unit's index", () => {
  const state = stateAfter(jobEvents([LIAR, LIAR, HONEST, HONEST], 'tiled'));
  for (const i of [0, 1, 2, 3]) state.apply(verifiedUnchecked(i));
  for (const frame of [5, 6])
    state.apply(event({ type: 'frame.rendered', job_id: 'job', frame, png_cid: `png${frame}` }));
  state.apply(event({ type: 'unit.reopened', unit_id: unitId(1), convicted: LIAR }));
  assert.deepEqual([...state.jobs.get('job')!.frames.keys()], [6], 'frame 5 (units 0 and 1) is stitched again');
});

test('a result that comes after its assignment was refunded is not taken: nobody would judge it', () => {
  const events = jobEvents([LIAR]);
  const result = events.pop()!; // the result, journaled after the refund below
  const state = stateAfter(events);
  state.apply(
    event({
      type: 'ledger.entry',
      entry: { kind: 'refund', entry_id: 'refund/a0', assignment_id: 'a0', reason: 'cancelled', at: AT },
    }),
  );
  state.apply(result);
  assert.equal(state.assignments.get('a0')!.result, undefined);
  assert.deepEqual(state.resultsByOutput.get('out0'), undefined);
});

test("a pardon undoes a conviction: trust and the reputation it took come back; another offence's stays", () => {
  const state = stateAfter(jobEvents([LIAR, LIAR, HONEST]));
  state.apply(verifiedUnchecked(0));
  const before = { trust: state.effectiveTrustIn(LIAR, NOW), reputation: state.reputationOf(LIAR, NOW) };
  assert.ok(before.trust > 0);
  state.apply(
    event({ type: 'unit.checked', unit_id: unitId(1), truth: 'right', matched: [], contradicted: ['a1/result'] }),
  );
  // The conviction's backtrack: its held pay refunded as rejected (each a rejection in its reputation).
  for (const id of backtrack(state, LIAR).refunds)
    state.apply(
      event({
        type: 'ledger.entry',
        entry: { kind: 'refund', entry_id: `refund/${id}`, assignment_id: id, reason: 'rejected', at: AT },
      }),
    );
  assert.equal(state.effectiveTrustIn(LIAR, NOW), 0);
  assert.ok(state.reputationOf(LIAR, NOW) < before.reputation);

  state.apply(event({ type: 'peer.pardoned', peer_id: LIAR }));
  assert.equal(state.checks.isConvicted(LIAR), false);
  assert.equal(state.checks.record(LIAR).convicted, false);
  assert.ok(Math.abs(state.reputationOf(LIAR, NOW) - before.reputation) < 1e-9, 'its reputation as before');
  assert.ok(Math.abs(state.effectiveTrustIn(LIAR, NOW) - before.trust) < 1e-9, 'its trust as before');
  assert.deepEqual(state.activeAssignments(unitId(0)).length, 1, 'its assignments count again');

  // A pardon takes back only the conviction's: an offence of its own (a false refund) stays, and a second pardon does nothing.
  state.apply(event({ type: 'peer.penalized', peer_id: LIAR, reason: 'false_refund', count: 1 }));
  const penalized = state.reputationOf(LIAR, NOW);
  assert.ok(penalized < before.reputation);
  state.apply(event({ type: 'peer.pardoned', peer_id: LIAR }));
  assert.equal(state.reputationOf(LIAR, NOW), penalized);
});
