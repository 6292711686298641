// One logical step of the node journaled, then applied: its events go into one transaction
// (a crash never leaves an acceptance without its escrow), committed FULL when a peer acts on it
// (durability.ts), and each event the journal took for the first time is folded into the state
// (and into its job's tally, job-tally.ts).
import { randomUUID } from 'node:crypto';
import type { ApiEvent, ApiEventType } from '../../core/api/contract.js';
import type { MeshState } from '../../core/mesh/state.js';
import type { NodeEvent } from '../../core/schemas/index.js';
import type { Journal } from '../journal/index.js';
import { iso, RecordError, type NewEvent, type NodeContext } from './context.js';
import { mustSurvivePowerCut } from './durability.js';
import { applyEvent } from './job-tally.js';
import type { StateKeeper } from './state-keeper.js';

export interface StepTarget {
  readonly journal: Journal;
  readonly state: MeshState;
  readonly keeper: StateKeeper;
  readonly ctx: Pick<NodeContext, 'me' | 'log'>;
  emit(type: ApiEventType, data: ApiEvent['data']): void;
}

/** See NodeContext.record: throws RecordError when the journal refuses an event for any reason but the ledger's. */
export async function journalStep(node: StepTarget, events: NewEvent[]): Promise<void> {
  const at = iso(Date.now());
  const full = events.map((e) => ({ event_id: randomUUID(), ...e, at })) as NodeEvent[];
  const outcomes = await node.journal.appendOwn(full, { full: mustSurvivePowerCut(full, node.ctx.me, node.state) });
  const refused: RecordError['refused'] = [];
  outcomes.forEach((outcome, i) => {
    const event = full[i]!;
    if (!outcome.ok) {
      node.ctx.log(`journal refused ${event.type}: ${outcome.error.message}`);
      if (outcome.error.code !== 'ledger_refused') refused.push({ type: event.type, ...outcome.error });
      return;
    }
    if (!outcome.duplicate) {
      applyEvent(node.state, event);
      node.keeper.applied(outcome.seq);
      if (event.type === 'ledger.entry')
        node.emit('ledger.entry', { kind: event.entry.kind, assignment_id: event.entry.assignment_id });
    }
  });
  if (refused.length > 0) throw new RecordError(refused);
}
