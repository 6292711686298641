// One logical step of the node journaled, then applied: its events go into one transaction
// (a crash never leaves an acceptance without its escrow), committed FULL when a peer acts on it
// (durability.ts), and each event the journal took for the first time is folded into the state
// (and into its job's tally, job-tally.ts). The step's ledger entries side by side (a round's
// escrows, a settlement's closings, a job's held results paid) are journaled as one
// `ledger.entries` event, and its verdicts side by side as one `units.verified`, not one event each.
import { randomUUID } from 'node:crypto';
import { chunks } from '../../../core/chunks.js';
import type { ApiEvent, ApiEventType } from '../../../core/api/contract.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import {
  ledgerEntriesOf,
  MAX_LEDGER_ENTRIES_PER_EVENT,
  MAX_VERDICTS_PER_EVENT,
  type NodeEvent,
} from '../../../core/schemas/index.js';
import type { Journal } from '../../journal/index.js';
import { idsDigest, iso, RecordError, type NewEvent, type NodeContext } from '../context/node-context.js';
import { mustSurvivePowerCut } from './durability.js';
import { applyEvent } from '../views/job-tally.js';
import type { StateKeeper } from './state-keeper.js';
import { emitLedgerEntries } from '../context/unit-events.js';

export interface StepTarget {
  readonly journal: Journal;
  readonly state: MeshState;
  readonly keeper: StateKeeper;
  readonly ctx: Pick<NodeContext, 'me' | 'log'>;
  emit(type: ApiEventType, data: ApiEvent['data']): void;
}

/** See JournalStepNeeds.record: throws RecordError when the journal refuses an event for any reason but the ledger's. */
export async function journalStep(node: StepTarget, events: NewEvent[]): Promise<void> {
  const at = iso(Date.now());
  const full = together(events).map((e) => ({ event_id: randomUUID(), ...e, at })) as NodeEvent[];
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
    emitLedgerEntries((type, data) => node.emit(type, data), ledgerEntriesOf(event));
  });
  if (refused.length > 0) throw new RecordError(refused);
}

/**
 * The events with each run of two or more `ledger.entry` events side by side made `ledger.entries`,
 * and each run of `unit.verified` made `units.verified` (up to 1,000 an event), each batch's id a
 * digest of what it holds. The same run again is journaled once; a run of entries in part the
 * same journals only those not yet journaled (the journal leaves the others out, as it does an
 * event id it has), and a verdict on a unit already decided changes nothing (verdict-fold.ts).
 */
function together(events: readonly NewEvent[]): NewEvent[] {
  const out: NewEvent[] = [];
  for (let start = 0, end = 0; start < events.length; start = end) {
    const type = events[start]!.type;
    while (end < events.length && events[end]!.type === type) end++;
    const run = events.slice(start, end);
    if (run.length > 1 && type === 'ledger.entry') out.push(...ledgerBatches(run as LedgerEntryEvent[]));
    else if (run.length > 1 && type === 'unit.verified') out.push(...verdictBatches(run as VerdictEvent[]));
    else out.push(...run);
  }
  return out;
}

type LedgerEntryEvent = Extract<NewEvent, { type: 'ledger.entry' }>;
type VerdictEvent = Extract<NewEvent, { type: 'unit.verified' }>;

function ledgerBatches(run: readonly LedgerEntryEvent[]): NewEvent[] {
  return chunks(run, MAX_LEDGER_ENTRIES_PER_EVENT).map((chunk) => {
    const entries = chunk.map(({ entry }) => entry);
    return { type: 'ledger.entries', event_id: `ledger/${idsDigest(entries.map((e) => e.entry_id))}`, entries };
  });
}

function verdictBatches(run: readonly VerdictEvent[]): NewEvent[] {
  return chunks(run, MAX_VERDICTS_PER_EVENT).map((chunk) => ({
    type: 'units.verified',
    event_id: `verdicts/${idsDigest(chunk.map((e) => e.event_id ?? e.unit_id))}`,
    verdicts: chunk.map(({ type: _type, event_id: _id, ...verdict }) => verdict),
  }));
}
