// One logical step of the node journaled, then applied: its events go into one transaction
// (a crash never leaves an acceptance without its escrow), committed FULL when a peer acts on it
// (durability.ts), and each event the journal took for the first time is folded into the state
// (and into its job's tally, job-tally.ts). The step's ledger entries side by side (a round's
// escrows, a settlement's closings, a job's held results paid) are journaled as one
// `ledger.entries` event, not one event each.
import { randomUUID } from 'node:crypto';
import type { ApiEvent, ApiEventType } from '../../core/api/contract.js';
import type { MeshState } from '../../core/mesh/state.js';
import { ledgerEntriesOf, MAX_LEDGER_ENTRIES_PER_EVENT, type NodeEvent } from '../../core/schemas/index.js';
import type { Journal } from '../journal/index.js';
import { idsDigest, iso, RecordError, type NewEvent, type NodeContext } from './context.js';
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
  const full = entriesTogether(events).map((e) => ({ event_id: randomUUID(), ...e, at })) as NodeEvent[];
  const outcomes = await node.journal.appendOwn(full, { full: mustSurvivePowerCut(full, node.ctx.me, node.state) });
  const refused: RecordError['refused'] = [];
  outcomes.forEach((outcome, i) => {
    if (!outcome.ok) {
      node.ctx.log(`journal refused ${full[i]!.type}: ${outcome.error.message}`);
      if (outcome.error.code !== 'ledger_refused') refused.push({ type: full[i]!.type, ...outcome.error });
      return;
    }
    // A batch of ledger entries journaled in part: what was journaled is what the state folds.
    const event = outcome.narrowed?.event ?? full[i]!;
    for (const why of outcome.narrowed?.refused ?? []) node.ctx.log(`the ledger refused an entry: ${why.message}`);
    if (outcome.duplicate) return;
    applyEvent(node.state, event);
    node.keeper.applied(outcome.seq);
    for (const entry of ledgerEntriesOf(event))
      node.emit('ledger.entry', { kind: entry.kind, assignment_id: entry.assignment_id });
  });
  if (refused.length > 0) throw new RecordError(refused);
}

/**
 * The events with each run of two or more `ledger.entry` events side by side made one
 * `ledger.entries` (up to MAX_LEDGER_ENTRIES_PER_EVENT), its id a digest of the entries' ids: the
 * same run again is journaled once, and a run in part the same journals only the entries not yet
 * journaled (the journal leaves those out, as it does an event id it has).
 */
function entriesTogether(events: readonly NewEvent[]): NewEvent[] {
  const out: NewEvent[] = [];
  let run: Extract<NewEvent, { type: 'ledger.entry' }>[] = [];
  const endRun = (): void => {
    if (run.length === 1) out.push(run[0]!);
    for (let i = 0; run.length > 1 && i < run.length; i += MAX_LEDGER_ENTRIES_PER_EVENT) {
      const entries = run.slice(i, i + MAX_LEDGER_ENTRIES_PER_EVENT).map(({ entry }) => entry);
      out.push({ type: 'ledger.entries', event_id: `ledger/${idsDigest(entries.map((e) => e.entry_id))}`, entries });
    }
    run = [];
  };
  for (const event of events) {
    if (event.type === 'ledger.entry') run.push(event);
    else {
      endRun();
      out.push(event);
    }
  }
  endRun();
  return out;
}
