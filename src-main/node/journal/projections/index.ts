// The derived tables and how each event type updates them. Live appends and rebuild() both go
// through `admit`, so an event projects the same way whether it is new or replayed.
import { planLedgerEntry, type LedgerError } from '../../../core/ledger/index.js';
import type { NodeEvent, NodeEventOf, NodeEventType } from '../../../core/schemas/index.js';
import type { Db } from '../database.js';
import { sqlLedger } from '../ledger-view.js';
import { stateOnlyProjections } from './state-only.js';
import { workProjections } from './work.js';

/** Every table computed from the journal: rebuild() empties and refills exactly these. */
export const DERIVED_TABLES = [
  'units',
  'verdict_jobs',
  'batched_verdicts',
  'receipt_authors',
  'receipts',
  'ledger_peers',
  'ledger_entries',
  'ledger_escrows',
  'ledger_transfers',
  'ledger_flows',
  'ledger_jobs',
] as const;

export type DerivedTable = (typeof DERIVED_TABLES)[number];

type Projections = { [T in Exclude<NodeEventType, 'ledger.entry'>]: (event: NodeEventOf<T>, seq: number) => void };

/** Either the writes that project an admitted event, or the ledger's reason to refuse it. */
type Admission = { ok: true; write: (seq: number) => void } | { ok: false; error: LedgerError };

export interface Projector {
  /**
   * Decides whether the event may be journaled, reading but never writing: only ledger entries
   * can be refused (by planLedgerEntry). Run `write` with the event's seq, in the transaction
   * that journals the event.
   */
  admit(event: NodeEvent): Admission;
  /** Empties every derived table. */
  clear(): void;
}

/** `entryIdAt`: see sqlLedger. */
export function createProjector(db: Db, entryIdAt: (seq: number) => string | undefined): Projector {
  // Typed so that an event type without a projection is a compile error.
  const byType: Projections = { ...stateOnlyProjections(), ...workProjections(db) };
  const ledger = sqlLedger(db, entryIdAt);
  const clearStatements = DERIVED_TABLES.map((table) => db.prepare(`DELETE FROM ${table}`));

  return {
    admit(event) {
      if (event.type !== 'ledger.entry') {
        // TypeScript cannot correlate byType[event.type] with event's type; the mapped type does.
        const project = byType[event.type] as (e: typeof event, seq: number) => void;
        return { ok: true, write: (seq) => project(event, seq) };
      }
      const plan = planLedgerEntry(ledger.view, event.entry);
      if (!plan.ok) return plan;
      return { ok: true, write: (seq) => ledger.apply(plan.effects, seq) };
    },
    clear() {
      for (const statement of clearStatements) statement.run();
    },
  };
}
