// The ledger over SQL: what `planLedgerEntry` reads (LedgerView) and the writes that apply the
// effects it returns. The rules live in core/ledger only; this file never decides anything.
// Peers are kept by number (ledger_peers): a unit's rows would otherwise repeat two 52-character ids.
import type { Escrow, LedgerEffects, LedgerView } from '../../core/ledger/index.js';
import type { LedgerEntry } from '../../core/schemas/index.js';
import type { Db } from './database.js';

export interface SqlLedger {
  view: LedgerView;
  /**
   * Writes the effects of the entries the ledger admitted, journaled as event `seq` (a
   * `ledger.entry`, or a `ledger.entries` whose entries, in order, these are).
   */
  apply(effects: readonly LedgerEffects[], seq: number): void;
  /** The seq of the event that journaled the assignment's entry of this kind, if one did (a release's is not kept). */
  journaledAt(entry: LedgerEntry): number | undefined;
}

type EscrowRow = Omit<Escrow, 'rewarded'> & {
  opened_seq: number;
  closed_seq: number | null;
  rewarded_seq: number | null;
};

/**
 * An assignment's entries are known by its escrow row: an entry's id is its kind and assignment
 * (ledgerEntryId), so the row's status and seqs say which it has and where they were journaled.
 */
export function sqlLedger(db: Db): SqlLedger {
  // Scalar subqueries, not joins: the same plan, but a join here took ~47 µs a lookup against ~9
  // (measured on a 3,000-unit requester's journal), and every escrow and settle reads one.
  const selectEscrow = db.prepare<[string], EscrowRow>(`
    SELECT assignment_id, job_id, unit_id,
      (SELECT peer_id FROM ledger_peers WHERE peer_no = requester_no) AS requester,
      (SELECT peer_id FROM ledger_peers WHERE peer_no = worker_no) AS worker, amount, status,
      opened_seq, closed_seq, rewarded_seq
    FROM ledger_escrows WHERE assignment_id = ?`);
  const selectCommitted = db.prepare<[string], number>('SELECT committed FROM ledger_jobs WHERE job_id = ?').pluck();

  const insertPeer = db.prepare('INSERT INTO ledger_peers (peer_id) VALUES (?)');
  const selectPeerNo = db.prepare<[string], number>('SELECT peer_no FROM ledger_peers WHERE peer_id = ?').pluck();
  const insertEvent = db.prepare('INSERT INTO ledger_events (event_seq, entries) VALUES (?, ?)');
  // An escrow entry makes the row (the plan refuses a second); a settle or refund closes it, a reward marks it.
  const insertEscrow = db.prepare(`
    INSERT INTO ledger_escrows (assignment_id, job_id, unit_id, requester_no, worker_no, amount, status, opened_seq)
    VALUES (?, ?, ?, ?, ?, ?, 'held', ?)`);
  const closeEscrow = db.prepare(
    'UPDATE ledger_escrows SET amount = ?, status = ?, closed_seq = ? WHERE assignment_id = ?',
  );
  const rewardEscrow = db.prepare('UPDATE ledger_escrows SET rewarded_seq = ? WHERE assignment_id = ?');
  // A release lowers what a held escrow holds, and leaves it held.
  const lowerEscrow = db.prepare('UPDATE ledger_escrows SET amount = ? WHERE assignment_id = ?');
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

  return {
    view: {
      escrow: (assignmentId) => {
        const row = selectEscrow.get(assignmentId);
        if (!row) return undefined;
        const { opened_seq: _opened, closed_seq: _closed, rewarded_seq: rewardedSeq, ...escrow } = row;
        return { ...escrow, rewarded: rewardedSeq !== null };
      },
      jobCommitted: (jobId) => selectCommitted.get(jobId) ?? 0,
    },
    journaledAt(entry) {
      const row = selectEscrow.get(entry.assignment_id);
      if (!row) return undefined;
      if (entry.kind === 'escrow') return row.opened_seq;
      if (entry.kind === 'release') return undefined;
      return (entry.kind === 'reward' ? row.rewarded_seq : row.closed_seq) ?? undefined;
    },
    apply(effects, seq) {
      const peerNo = peerNumbers();
      // A batch's flows and job totals are summed first: one upsert a pair of peers and a job.
      const flows = new Map<string, { from: number; to: number; amount: number }>();
      const jobs = new Map<string, { committed: number; held: number }>();
      let transferAt = 0;
      insertEvent.run(seq, effects.length);
      effects.forEach(({ entry, escrow: e, transfers, jobCommittedDelta, jobHeldDelta }, position) => {
        if (entry.kind === 'escrow')
          insertEscrow.run(e.assignment_id, e.job_id, e.unit_id, peerNo(e.requester), peerNo(e.worker), e.amount, seq);
        else if (entry.kind === 'reward') rewardEscrow.run(seq, e.assignment_id);
        else if (entry.kind === 'release') lowerEscrow.run(e.amount, e.assignment_id);
        else closeEscrow.run(e.amount, e.status, seq, e.assignment_id);
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
