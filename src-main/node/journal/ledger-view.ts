// The ledger over SQL: what `planLedgerEntry` reads (LedgerView) and the writes that apply the
// effects it returns. The rules live in core/ledger only; this file never decides anything.
// Peers are kept by number (ledger_peers): a unit's rows would otherwise repeat two 52-character ids.
import type { Escrow, LedgerEffects, LedgerView } from '../../core/ledger/index.js';
import type { Db } from './database.js';
import { idKey } from './event-store.js';

export interface SqlLedger {
  view: LedgerView;
  /**
   * Writes the effects of the entries the ledger admitted, journaled as event `seq` (a
   * `ledger.entry`, or a `ledger.entries` whose entries, in order, these are).
   */
  apply(effects: readonly LedgerEffects[], seq: number): void;
  /** The seq of the event that journaled the entry, if one did. */
  seqOfEntry(entryId: string): number | undefined;
}

/** Entry keys kept between an entry's plan and its write: a few group commits' entries. */
const KEYS_KEPT = 4096;

/**
 * `entryIdAt`: the id of the ledger entry at `position` in the event at a seq, committed or in the
 * transaction under way (an entry's row keeps only a 64-bit key of its id).
 */
export function sqlLedger(db: Db, entryIdAt: (seq: number, position: number) => string | undefined): SqlLedger {
  // Scalar subqueries, not joins: the same plan, but a join here took ~47 µs a lookup against ~9
  // (measured on a 3,000-unit requester's journal), and every escrow and settle reads one.
  const selectEscrow = db.prepare<[string], Escrow>(`
    SELECT assignment_id, job_id, unit_id,
      (SELECT peer_id FROM ledger_peers WHERE peer_no = requester_no) AS requester,
      (SELECT peer_id FROM ledger_peers WHERE peer_no = worker_no) AS worker, amount, status
    FROM ledger_escrows WHERE assignment_id = ?`);
  const selectCommitted = db.prepare<[string], number>('SELECT committed FROM ledger_jobs WHERE job_id = ?').pluck();
  const rowsOfKey = db.prepare<[bigint], { event_seq: number; position: number }>(
    'SELECT event_seq, position FROM ledger_entries WHERE entry_key = ?',
  );

  const insertPeer = db.prepare('INSERT INTO ledger_peers (peer_id) VALUES (?)');
  const selectPeerNo = db.prepare<[string], number>('SELECT peer_no FROM ledger_peers WHERE peer_id = ?').pluck();
  const insertEntry = db.prepare(
    'INSERT INTO ledger_entries (event_seq, position, entry_key, kind) VALUES (?, ?, ?, ?)',
  );
  // An escrow entry makes the row (the plan refuses a second); any other gives its new amount and status.
  const insertEscrow = db.prepare(`
    INSERT INTO ledger_escrows (assignment_id, job_id, unit_id, requester_no, worker_no, amount, status)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const updateEscrow = db.prepare('UPDATE ledger_escrows SET amount = ?, status = ? WHERE assignment_id = ?');
  const insertTransfer = db.prepare(`
    INSERT INTO ledger_transfers (event_seq, position, entry, from_no, to_no, amount) VALUES (?, ?, ?, ?, ?, ?)`);
  const addToFlow = db.prepare(`
    INSERT INTO ledger_flows (from_no, to_no, amount) VALUES (?, ?, ?)
    ON CONFLICT (from_no, to_no) DO UPDATE SET amount = amount + excluded.amount`);
  const addToJob = db.prepare(`
    INSERT INTO ledger_jobs (job_id, committed, held) VALUES (?, ?, ?)
    ON CONFLICT (job_id) DO UPDATE SET committed = committed + excluded.committed, held = held + excluded.held`);

  // Read for each event, not kept across events: a rolled-back transaction or a rebuild would
  // leave such a cache wrong.
  const peerNumbers = () => {
    const numbers = new Map<string, number>();
    return (peer: string): number => {
      let no = numbers.get(peer) ?? selectPeerNo.get(peer);
      no ??= Number(insertPeer.run(peer).lastInsertRowid);
      numbers.set(peer, no);
      return no;
    };
  };
  // An entry's key is a sha256 (~1.8 µs): the plan reads it for `hasEntry`, then `apply` writes it.
  const keys = new Map<string, bigint>();
  const keyOf = (entryId: string): bigint => {
    let key = keys.get(entryId);
    if (key === undefined) {
      if (keys.size >= KEYS_KEPT) keys.clear(); // entries planned but never applied (refused, duplicates)
      keys.set(entryId, (key = idKey(entryId)));
    }
    return key;
  };
  // Another id with the same key (about one chance in 2^64 a pair) is told apart by its event.
  const seqOfEntry = (entryId: string): number | undefined =>
    rowsOfKey.all(keyOf(entryId)).find((row) => entryIdAt(row.event_seq, row.position) === entryId)?.event_seq;

  return {
    view: {
      escrow: (assignmentId) => selectEscrow.get(assignmentId),
      jobCommitted: (jobId) => selectCommitted.get(jobId) ?? 0,
      hasEntry: (entryId) => seqOfEntry(entryId) !== undefined,
    },
    seqOfEntry,
    apply(effects, seq) {
      const peerNo = peerNumbers();
      // A batch's flows and job totals are summed first: one upsert a pair of peers and a job.
      const flows = new Map<string, { from: number; to: number; amount: number }>();
      const jobs = new Map<string, { committed: number; held: number }>();
      let transferAt = 0;
      effects.forEach(({ entry, escrow: e, transfers, jobCommittedDelta, jobHeldDelta }, position) => {
        insertEntry.run(seq, position, keyOf(entry.entry_id), entry.kind);
        keys.delete(entry.entry_id);
        if (entry.kind === 'escrow')
          insertEscrow.run(
            e.assignment_id,
            e.job_id,
            e.unit_id,
            peerNo(e.requester),
            peerNo(e.worker),
            e.amount,
            e.status,
          );
        else updateEscrow.run(e.amount, e.status, e.assignment_id);
        for (const t of transfers) {
          const [from, to] = [peerNo(t.from), peerNo(t.to)];
          insertTransfer.run(seq, transferAt++, position, from, to, t.amount);
          const flow = flows.get(`${from} ${to}`);
          if (flow) flow.amount += t.amount;
          else flows.set(`${from} ${to}`, { from, to, amount: t.amount });
        }
        const job = jobs.get(e.job_id);
        if (job) {
          job.committed += jobCommittedDelta;
          job.held += jobHeldDelta;
        } else jobs.set(e.job_id, { committed: jobCommittedDelta, held: jobHeldDelta });
      });
      for (const { from, to, amount } of flows.values()) addToFlow.run(from, to, amount);
      // A missing row reads as nothing committed or held, so a zero change needs no write.
      for (const [jobId, { committed, held }] of jobs)
        if (committed !== 0 || held !== 0) addToJob.run(jobId, committed, held);
    },
  };
}
