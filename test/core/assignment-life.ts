// An assignment's life in journal events, from its acceptance to its close, for tests of what
// MeshState makes of them (contribution counts, the held index).
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import { ledgerEntryId, type NodeEvent, type RefundEntry } from '../../src-main/core/schemas/index.js';

export const ME = 'peer-me';
export const REQUESTER = 'peer-requester';
export const AT = '2025-06-01T12:00:00.000Z';

/** An event as written, before the journal gives it an id and a time. */
type Bare = NodeEvent extends infer E ? (E extends NodeEvent ? Omit<E, 'event_id' | 'at'> : never) : never;
let seq = 0;
export const event = (e: Bare): NodeEvent => ({ ...e, event_id: `e${++seq}`, at: AT });

/**
 * One of `provider`'s assignments for `requester` from acceptance to its close: a result of
 * `seconds` unless `noResult`, then `close` (none when `open`: its escrow stays held).
 */
export function assignmentLife(
  id: string,
  close: 'settle' | RefundEntry['reason'] | 'open',
  { seconds = 1800, noResult = false, provider = ME, requester = REQUESTER } = {},
): NodeEvent[] {
  const acceptance = {
    assignment_id: id,
    offer_id: id,
    unit_id: `${id}-unit`,
    job_id: 'job',
    requester_peer: requester,
    provider_peer: provider,
    price: 100,
    role: 'primary' as const,
    deadline: AT,
    timestamp: AT,
  };
  const result = {
    result_id: `${id}-result`,
    work_unit_id: acceptance.unit_id,
    assignment_id: id,
    computed_by_peer: provider,
    output_cid: 'cid',
    output_bytes: 32,
    fuel: 1000,
    computation_time_seconds: seconds,
    resources_used: { cpu_cores: 1, ram_gb: 1 },
    verification_hash: 'cid',
    timestamp: AT,
  };
  const base = { assignment_id: id, at: AT };
  return [
    event({ type: 'offer.accepted', acceptance }),
    event({
      type: 'ledger.entry',
      entry: {
        kind: 'escrow',
        entry_id: ledgerEntryId('escrow', id),
        assignment_id: id,
        job_id: 'job',
        unit_id: acceptance.unit_id,
        requester,
        worker: provider,
        amount: 100,
        job_budget: 1000,
        at: AT,
      },
    }),
    ...(noResult ? [] : [event({ type: 'result.recorded', result })]),
    ...(close === 'open'
      ? []
      : [
          event({
            type: 'ledger.entry',
            entry:
              close === 'settle'
                ? { ...base, kind: 'settle', entry_id: ledgerEntryId('settle', id), worker_share_bps: 9000 }
                : { ...base, kind: 'refund', entry_id: ledgerEntryId('refund', id), reason: close },
          }),
        ]),
  ];
}

export function stateAfter(events: NodeEvent[]): MeshState {
  const state = new MeshState(ME);
  for (const e of events) state.apply(e);
  return state;
}
