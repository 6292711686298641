// The derived tables and how each event type updates them. Live appends and rebuild() both go
// through `admit`, so an event projects the same way whether it is new or replayed.
import { planLedgerEntries, planLedgerEntry, type BatchPlan, type LedgerError } from '../../../core/ledger/index.js';
import type { NodeEvent, NodeEventOf, NodeEventType } from '../../../core/schemas/index.js';
import type { Db } from '../database.js';
import { sqlLedger, type SqlLedger } from '../ledger-view.js';
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
  'ledger_events',
  'ledger_escrows',
  'ledger_transfers',
  'ledger_flows',
  'ledger_jobs',
] as const;

export type DerivedTable = (typeof DERIVED_TABLES)[number];

type LedgerEventType = 'ledger.entry' | 'ledger.entries';
type Projections = { [T in Exclude<NodeEventType, LedgerEventType>]: (event: NodeEventOf<T>, seq: number) => void };

/** Either the writes that project an admitted event, or the ledger's reason to refuse it. */
export type Admission =
  | {
      ok: true;
      write: (seq: number) => void;
      /**
       * A `ledger.entries` the ledger admitted in part: the event to journal (its admitted
       * entries), and why each of the others was refused.
       */
      narrowed?: { event: NodeEventOf<'ledger.entries'>; refused: LedgerError[] };
      /** A `ledger.entries` whose every entry was journaled before: the seq of the first one's event (nothing to write). */
      journaledAt?: number;
    }
  | { ok: false; error: LedgerError };

export interface Projector {
  /**
   * Decides whether the event may be journaled, reading but never writing: only ledger entries
   * can be refused (by planLedgerEntries). Run `write` with the event's seq, in the transaction
   * that journals the event.
   */
  admit(event: NodeEvent): Admission;
  /** Empties every derived table. */
  clear(): void;
}

export function createProjector(db: Db): Projector {
  // Typed so that an event type without a projection is a compile error.
  const byType: Projections = { ...stateOnlyProjections(), ...workProjections(db) };
  const ledger = sqlLedger(db);
  const clearStatements = DERIVED_TABLES.map((table) => db.prepare(`DELETE FROM ${table}`));

  return {
    admit(event) {
      if (event.type === 'ledger.entry') {
        const plan = planLedgerEntry(ledger.view, event.entry);
        if (!plan.ok) return plan;
        return { ok: true, write: (seq) => ledger.apply([plan.effects], seq) };
      }
      if (event.type === 'ledger.entries') return admitEntries(ledger, event);
      // TypeScript cannot correlate byType[event.type] with event's type; the mapped type does.
      const project = byType[event.type] as (e: typeof event, seq: number) => void;
      return { ok: true, write: (seq) => project(event, seq) };
    },
    clear() {
      for (const statement of clearStatements) statement.run();
    },
  };
}

/** A batch of entries: refused only if the ledger admits none of them; journaled with those it admits. */
function admitEntries(ledger: SqlLedger, event: NodeEventOf<'ledger.entries'>): Admission {
  const { admitted, refused } = planLedgerEntries(ledger.view, event.entries);
  const write = (seq: number): void => ledger.apply(admitted, seq);
  if (refused.length === 0 && admitted.length === event.entries.length) return { ok: true, write };
  if (admitted.length === 0) {
    if (refused.length === 0) return { ok: true, write, journaledAt: ledger.journaledAt(event.entries[0]!) ?? 0 };
    return { ok: false, error: refused.length === 1 ? refused[0]!.error : allRefused(refused) };
  }
  const narrowed = { ...event, entries: admitted.map(({ entry }) => entry) };
  return { ok: true, write, narrowed: { event: narrowed, refused: refused.map(({ error }) => error) } };
}

function allRefused(refused: BatchPlan['refused']): LedgerError {
  return {
    code: refused[0]!.error.code,
    message: refused.map(({ entry, error }) => `${entry.entry_id}: ${error.message}`).join('; '),
  };
}
