// What the node reads back of its ledger (the `ledger.*` API, `meshctl status`): balances, what is
// held, the newest entries and transfers. Rows name peers by number and point at their events
// (ledger-view.ts writes them): an entry's assignment and time are read from its event.
import { heaviest } from '../../core/api/list-bounds.js';
import { ledgerEntriesOf, type LedgerEntry, type NodeEvent } from '../../core/schemas/index.js';
import type { ArchivedReceipt } from './archive.js';
import type { Db } from './database.js';
import type { EventStore } from './event-store.js';

type Counterpart = { peer: string; earned: number; spent: number };
type TransferRow = { seq: number; entry: number; peer_id: string; amount: number };
type JobRow = { job_id: string; mine: number; entries: number; paid: number; held: number; refunded: number };

/** A job's part of my ledger (ledgerJobs): its entries, and what moved, is held and was handed back. */
export interface LedgerJob {
  job_id: string;
  role: 'requester' | 'provider';
  entries: number;
  paid: number;
  held: number;
  refunded: number;
}

/** How one escrow closed, as the journal has it: its settle or refund and its reward; for a refund as rejected, the verdict behind it. */
export interface Closing {
  entries: LedgerEntry[];
  rejectedBy?: ArchivedReceipt & { sig: string };
}

export class LedgerReads {
  readonly #balance;
  readonly #counterparts;
  readonly #held;
  readonly #newestEvents;
  readonly #newestTransfers;
  readonly #jobs;
  readonly #jobOf;
  readonly #closed;
  readonly #rejectedBy;

  /**
   * Reads see what is committed. They do not write what the journal has queued first: nobody was
   * told those events are in (an append resolves once committed), and writing a burst of them
   * there (a big job's settlements) held the main thread half a second for each `ledger.get`.
   */
  constructor(
    db: Db,
    private readonly events: EventStore,
  ) {
    // Balances read the totals a pair of peers paid each other (ledger_flows): a row per pair, so
    // a read costs as many rows as the peer has counterparts, however long its history.
    this.#balance = db
      .prepare<{ peer: string }, number>(
        `WITH p AS (SELECT peer_no FROM ledger_peers WHERE peer_id = @peer)
         SELECT COALESCE(SUM(CASE WHEN to_no = p.peer_no THEN amount ELSE -amount END), 0)
         FROM ledger_flows, p WHERE (to_no = p.peer_no) <> (from_no = p.peer_no)`,
      )
      .pluck();
    // Per counterpart, all time: what they paid me (earned) and what I paid them (spent).
    this.#counterparts = db.prepare<{ me: string }, Counterpart>(
      `WITH mine AS (SELECT peer_no FROM ledger_peers WHERE peer_id = @me)
       SELECT p.peer_id AS peer, SUM(x.earned) AS earned, SUM(x.spent) AS spent FROM (
         SELECT from_no AS no, amount AS earned, 0 AS spent FROM ledger_flows, mine
           WHERE to_no = mine.peer_no AND from_no <> mine.peer_no
         UNION ALL SELECT to_no AS no, 0, amount FROM ledger_flows, mine
           WHERE from_no = mine.peer_no AND to_no <> mine.peer_no
       ) x JOIN ledger_peers p ON p.peer_no = x.no
       GROUP BY p.peer_id ORDER BY p.peer_id`,
    );
    // Each job's held total (migration 15), not a scan of every escrow.
    this.#held = db.prepare<[], number>('SELECT COALESCE(SUM(held), 0) FROM ledger_jobs').pluck();
    this.#newestEvents = db.prepare<[], { event_seq: number; entries: number }>(
      'SELECT event_seq, entries FROM ledger_events ORDER BY event_seq DESC',
    );
    this.#newestTransfers = db.prepare<{ me: string; limit: number; after: number }, TransferRow>(
      `WITH mine AS (SELECT peer_no FROM ledger_peers WHERE peer_id = @me)
       SELECT t.event_seq AS seq, t.entry AS entry, p.peer_id AS peer_id,
              CASE WHEN t.to_no = mine.peer_no THEN t.amount ELSE -t.amount END AS amount
       FROM ledger_transfers t, mine
       JOIN ledger_peers p ON p.peer_no = CASE WHEN t.to_no = mine.peer_no THEN t.from_no ELSE t.to_no END
       WHERE t.event_seq > @after AND (t.to_no = mine.peer_no) <> (t.from_no = mine.peer_no)
       ORDER BY t.event_seq DESC, t.position DESC LIMIT @limit`,
    );
    // A job's paid is what its escrows paid out (committed less held: ledger-view.ts keeps both a
    // job); its entries, refunds and last change are read from its escrows, all of them once.
    this.#jobs = db.prepare<{ me: string }, JobRow>(
      `WITH mine AS (SELECT peer_no FROM ledger_peers WHERE peer_id = @me),
       per_job AS (
         SELECT e.job_id AS job_id, MAX(e.requester_no = mine.peer_no) AS mine,
                COUNT(*) + COUNT(e.closed_seq) + COUNT(e.rewarded_seq) AS entries,
                SUM(CASE WHEN e.status = 'refunded' THEN e.amount ELSE 0 END) AS refunded,
                MAX(MAX(e.opened_seq), COALESCE(MAX(e.closed_seq), 0), COALESCE(MAX(e.rewarded_seq), 0)) AS last_seq
         FROM ledger_escrows e, mine
         WHERE e.requester_no = mine.peer_no OR e.worker_no = mine.peer_no
         GROUP BY e.job_id)
       SELECT p.job_id, p.mine, p.entries, p.refunded,
              COALESCE(j.committed, 0) - COALESCE(j.held, 0) AS paid, COALESCE(j.held, 0) AS held
       FROM per_job p LEFT JOIN ledger_jobs j ON j.job_id = p.job_id
       ORDER BY p.last_seq DESC`,
    );
    this.#jobOf = db.prepare<[string], string>('SELECT job_id FROM ledger_escrows WHERE assignment_id = ?').pluck();
    this.#closed = db.prepare<
      { id: string; requester: string; worker: string },
      { closed_seq: number; rewarded_seq: number | null }
    >(
      `SELECT closed_seq, rewarded_seq FROM ledger_escrows
       WHERE assignment_id = @id AND status <> 'held' AND closed_seq IS NOT NULL
         AND requester_no = (SELECT peer_no FROM ledger_peers WHERE peer_id = @requester)
         AND worker_no = (SELECT peer_no FROM ledger_peers WHERE peer_id = @worker)`,
    );
    this.#rejectedBy = db
      .prepare<[string], string>('SELECT receipt_cid FROM kept_rejections WHERE assignment_id = ?')
      .pluck();
  }

  /**
   * How these escrows of `requester`'s with `worker` closed, as the journal has it: each one's
   * settle or refund, and its reward if one was paid; a refund as rejected with my verification
   * receipt behind it (kept_rejections: a provider takes such a refund only with it). Left out:
   * those still held, those not between these two, and a refund as rejected with no receipt kept.
   * A compacted job's assignments are no longer in the state: a provider that never heard how
   * they closed is answered from here.
   */
  closings(requester: string, worker: string, assignmentIds: readonly string[]): Closing[] {
    const closings: Closing[] = [];
    const eventAt = this.#eventReader(); // a settlement's event closes many: read once
    const entryOf = (seq: number | null, id: string, wanted: (e: LedgerEntry) => boolean) => {
      const event = seq === null ? undefined : eventAt(seq);
      return event && ledgerEntriesOf(event).find((e) => e.assignment_id === id && wanted(e));
    };
    for (const id of assignmentIds) {
      const row = this.#closed.get({ id, requester, worker });
      if (!row) continue;
      const closing = entryOf(row.closed_seq, id, (e) => e.kind === 'settle' || e.kind === 'refund');
      if (!closing) continue;
      if (closing.kind === 'refund' && closing.reason === 'rejected') {
        const rejectedBy = this.#verdictReceipt(id, eventAt);
        if (rejectedBy) closings.push({ entries: [closing], rejectedBy });
        continue;
      }
      const reward = entryOf(row.rewarded_seq, id, (e) => e.kind === 'reward');
      closings.push({ entries: reward ? [closing, reward] : [closing] });
    }
    return closings;
  }

  /** My verification receipt behind a compacted assignment's refund as rejected, if one was kept. */
  #verdictReceipt(
    assignmentId: string,
    eventAt: (seq: number) => NodeEvent | undefined,
  ): Closing['rejectedBy'] | undefined {
    const cid = this.#rejectedBy.get(assignmentId);
    const seq = cid === undefined ? undefined : this.events.seqOf(`receipt/${cid}`);
    const event = seq === undefined ? undefined : eventAt(seq);
    if (event?.type !== 'receipt.stored' || event.sig === undefined) return undefined;
    return { cid: event.cid, receipt: event.receipt, sig: event.sig };
  }

  /** A peer's balance as the derived tables hold it: what others paid it minus what it paid them. */
  balance(peer: string): number {
    return this.#balance.get({ peer }) ?? 0;
  }

  /**
   * The ledger as the derived tables hold it: what I earned and spent in all, and with each peer
   * (balance: earned − spent), and what is held. A row per counterpart, however long the history.
   */
  summary(me: string): {
    balance: number;
    earned: number;
    spent: number;
    peers: { peer_id: string; balance: number; earned: number; spent: number }[];
    peers_total: number;
    held: number;
  } {
    const all = this.#counterparts
      .all({ me })
      .map(({ peer, earned, spent }) => ({ peer_id: peer, balance: earned - spent, earned, spent }));
    const earned = all.reduce((sum, p) => sum + p.earned, 0);
    const spent = all.reduce((sum, p) => sum + p.spent, 0);
    const peers = heaviest(all, (p) => Math.abs(p.balance));
    return { balance: earned - spent, earned, spent, peers, peers_total: all.length, held: this.#held.get() ?? 0 };
  }

  /**
   * My ledger a job at a time, the job changed last first: each job whose escrows name me, as its
   * requester or as the worker of some of its units, with its ledger entries (escrow, settle or
   * refund, reward) and, in credits: paid, what its escrows paid out to those who ran or verified its
   * units; held, what they hold still; refunded, what escrows handed back whole (a unit refused,
   * rejected, late, failed or cancelled). Reads every escrow once.
   */
  jobs(me: string): LedgerJob[] {
    return this.#jobs.all({ me }).map(({ mine, ...job }) => ({ ...job, role: mine ? 'requester' : 'provider' }));
  }

  /** The most recent ledger entries, newest first. */
  entries(limit: number): { entry_id: string; kind: LedgerEntry['kind']; assignment_id: string; at: string }[] {
    const entryAt = this.#entryReader();
    const newest: ReturnType<LedgerReads['entries']> = [];
    for (const { event_seq: seq, entries } of this.#newestEvents.iterate()) {
      for (let position = entries - 1; position >= 0 && newest.length < limit; position--) {
        const { entry_id, kind, assignment_id, at } = entryAt(seq, position);
        newest.push({ entry_id, kind, assignment_id, at });
      }
      if (newest.length >= limit) break;
    }
    return newest;
  }

  /**
   * Money that moved to or from me, the newest `limit` transfers recorded after seq `afterSeq`, in
   * the order I recorded them (the entries' `at` comes from whoever wrote them, so a chart sorts by
   * it): positive, a peer paid me (I ran or verified their unit); negative, I paid a peer.
   */
  transfers(
    me: string,
    limit: number,
    afterSeq = 0,
  ): { seq: number; at: string; peer_id: string; amount: number; job_id: string }[] {
    const entryAt = this.#entryReader();
    return this.#newestTransfers
      .all({ me, limit, after: afterSeq })
      .reverse()
      .map(({ seq, entry: position, peer_id, amount }) => {
        const entry = entryAt(seq, position);
        return { seq, at: entry.at, peer_id, amount, job_id: this.#jobOf.get(entry.assignment_id)! };
      });
  }

  /**
   * Reads the ledger entry at `position` in journal event `seq` (a ledger row points only at its
   * event), parsing each event once: one settlement's event holds the entries of up to 1,000
   * transfers, and parsing it again for each of them held the main thread 3.5 s for the Earnings
   * page's first 10,000 transfers of a 25,000-unit history (`ledger_transfers_page_ms`).
   */
  #entryReader(): (seq: number, position: number) => LedgerEntry {
    const eventAt = this.#eventReader();
    return (seq, position) => {
      const event = eventAt(seq);
      const entry =
        event?.type === 'ledger.entries'
          ? event.entries[position]
          : event?.type === 'ledger.entry'
            ? event.entry
            : undefined;
      if (!entry) throw new Error(`journal event ${seq} has no ledger entry ${position}, which a ledger row names`);
      return entry;
    };
  }

  /** Reads journal events by seq, each once for the reader's life (a ledger event holds many entries). */
  #eventReader(): (seq: number) => NodeEvent | undefined {
    const events = new Map<number, NodeEvent | undefined>();
    return (seq) => {
      if (!events.has(seq)) events.set(seq, this.events.eventAt(seq));
      return events.get(seq);
    };
  }
}
