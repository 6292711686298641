// The schema's first eight migrations, and what a migration is (schema-history.ts holds the rest,
// and says how tables are laid out). Never edit a released migration: add a new one there.
import type { Db } from './database.js';
import { idKey, EventStore } from './event-store.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
  /**
   * It leaves the derived tables and how events fill them as they were: an upgrade past it alone
   * need not rebuild them (a replay of the whole journal, seconds to minutes on a long history).
   */
  keepsProjections?: true;
}

/** Events a batch of the migrated journal holds (the journal's own group commits hold up to 250). */
export const MIGRATED_BATCH = 250;

export const FIRST_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event journal',
    up(db) {
      db.exec(`
        CREATE TABLE events (
          seq INTEGER PRIMARY KEY,
          event_id TEXT NOT NULL UNIQUE,
          type TEXT NOT NULL,
          at TEXT NOT NULL,
          body TEXT NOT NULL -- the validated event, JSON
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'derived state: peers, trust, slots, jobs, units, offers, assignments, results, receipts',
    up(db) {
      // `event_seq` names the event a row was projected from: its body holds the full record
      // (a unit's params, a receipt's fields), so derived rows keep only what is queried.
      // Offers, assignments and results are keyed by unit first: a unit's rows sit together,
      // and "the offers / results of this unit" needs no second index.
      db.exec(`
        CREATE TABLE peers (
          peer_id TEXT PRIMARY KEY, name TEXT, addresses TEXT NOT NULL,
          first_seen TEXT NOT NULL, last_seen TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE trust (peer_id TEXT PRIMARY KEY, weight REAL NOT NULL, updated_at TEXT NOT NULL) STRICT, WITHOUT ROWID;
        CREATE TABLE slots (
          slot_id TEXT PRIMARY KEY, start_time TEXT NOT NULL, end_time TEXT NOT NULL,
          updated_at TEXT NOT NULL, event_seq INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE jobs (
          job_id TEXT PRIMARY KEY, requester TEXT NOT NULL, name TEXT NOT NULL,
          unit_count INTEGER NOT NULL, redundancy INTEGER NOT NULL, budget INTEGER NOT NULL,
          deadline TEXT, submitted_at TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE units (
          unit_id TEXT PRIMARY KEY, job_id TEXT NOT NULL, algorithm_id TEXT NOT NULL,
          algorithm_version TEXT NOT NULL, redundancy INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('created', 'verified', 'rejected')),
          consensus_hash TEXT, created_at TEXT NOT NULL, verified_at TEXT, event_seq INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX units_by_job ON units (job_id);
        CREATE TABLE offers (
          unit_id TEXT NOT NULL, offer_id TEXT NOT NULL, job_id TEXT NOT NULL,
          requester TEXT NOT NULL, provider TEXT NOT NULL, slot_id TEXT NOT NULL,
          tier INTEGER NOT NULL, price INTEGER NOT NULL, round INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('open', 'accepted')),
          recorded_at TEXT NOT NULL, event_seq INTEGER NOT NULL,
          PRIMARY KEY (unit_id, offer_id)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE assignments (
          unit_id TEXT NOT NULL, assignment_id TEXT NOT NULL, offer_id TEXT NOT NULL,
          job_id TEXT NOT NULL, requester TEXT NOT NULL, provider TEXT NOT NULL,
          price INTEGER NOT NULL, role TEXT NOT NULL, deadline TEXT NOT NULL, accepted_at TEXT NOT NULL,
          PRIMARY KEY (unit_id, assignment_id)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE results (
          unit_id TEXT NOT NULL, result_id TEXT NOT NULL, assignment_id TEXT NOT NULL,
          computed_by TEXT NOT NULL, output_cid TEXT NOT NULL, verification_hash TEXT NOT NULL,
          fuel INTEGER, recorded_at TEXT NOT NULL, event_seq INTEGER NOT NULL,
          PRIMARY KEY (unit_id, result_id)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE receipts (
          cid TEXT PRIMARY KEY, kind TEXT NOT NULL, author TEXT NOT NULL, chain_seq INTEGER NOT NULL,
          prev TEXT, unit_id TEXT NOT NULL, job_id TEXT NOT NULL, stored_at TEXT NOT NULL,
          event_seq INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    name: 'ledger: entries, escrows, transfers, balances, job commitments',
    up(db) {
      db.exec(`
        CREATE TABLE ledger_entries (
          entry_id TEXT PRIMARY KEY, kind TEXT NOT NULL, assignment_id TEXT NOT NULL,
          at TEXT NOT NULL, event_seq INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE ledger_escrows (
          assignment_id TEXT PRIMARY KEY, job_id TEXT NOT NULL, unit_id TEXT NOT NULL,
          requester TEXT NOT NULL, worker TEXT NOT NULL, amount INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('held', 'paid', 'refunded'))
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE ledger_transfers (
          entry_id TEXT NOT NULL, position INTEGER NOT NULL, assignment_id TEXT NOT NULL,
          from_peer TEXT NOT NULL, to_peer TEXT NOT NULL, amount INTEGER NOT NULL,
          PRIMARY KEY (entry_id, position)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE ledger_balances (peer_id TEXT PRIMARY KEY, balance INTEGER NOT NULL) STRICT, WITHOUT ROWID;
        -- Credits held plus paid per job: what the ledger checks a new escrow against.
        CREATE TABLE ledger_jobs (job_id TEXT PRIMARY KEY, committed INTEGER NOT NULL) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 4,
    name: 'acceptances name the assignment they make: acceptance_id becomes assignment_id',
    up(db) {
      // The id never changed (an assignment keeps its offer's id), only its name in the acceptance;
      // journalled acceptances are rewritten so that replay validates them against today's schema.
      db.exec(`
        UPDATE events
        SET body = json_set(
          json_remove(body, '$.acceptance.acceptance_id'),
          '$.acceptance.assignment_id', json_extract(body, '$.acceptance.acceptance_id'))
        WHERE type = 'offer.accepted' AND json_type(body, '$.acceptance.acceptance_id') = 'text';
      `);
    },
  },
  {
    version: 5,
    name: 'a settle pays only its worker: verifiers are paid by reward entries',
    up(db) {
      // The node always journalled settles with no verifiers, so dropping the field changes no balance.
      db.exec(`
        UPDATE events SET body = json_remove(body, '$.entry.verifiers')
        WHERE type = 'ledger.entry' AND json_type(body, '$.entry.verifiers') IS NOT NULL;
      `);
    },
  },
  {
    version: 6,
    name: 'small blobs: rows, not one file each (node/blobs/small-blobs.ts)',
    up(db) {
      // Keyed by the sha256 the CID names (32 bytes, not the 59-character CID). A rowid table:
      // WITHOUT ROWID keeps only ~1 KB of a row in its page and spills the rest to overflow pages,
      // so a 1-4 KiB blob took a whole page more (measured: bench/blobs.bench.ts). Not derived
      // from the journal: a rebuild leaves it alone. `stored_at` (ms) is when the blob was last
      // put, which the garbage collector's grace reads.
      db.exec(`
        CREATE TABLE small_blobs (
          digest BLOB NOT NULL UNIQUE, stored_at INTEGER NOT NULL, bytes BLOB NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 7,
    name: 'state snapshots; the derived tables nothing reads go',
    up(db) {
      // One row: the folded state as of journal event `seq` (state-snapshots.ts). Peers, trust,
      // slots, jobs, offers, assignments and results were projected but never read: the node's
      // state holds them, and the journal's events keep them all.
      db.exec(`
        CREATE TABLE state_snapshot (
          id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, fingerprint TEXT NOT NULL,
          me TEXT NOT NULL, body BLOB NOT NULL, written_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX receipts_by_author ON receipts (author, chain_seq);
        DROP TABLE peers; DROP TABLE trust; DROP TABLE slots; DROP TABLE jobs;
        DROP TABLE offers; DROP TABLE assignments; DROP TABLE results;
      `);
    },
  },
  {
    version: 8,
    name: 'events kept in compressed batches, their ids as 64-bit keys (event-store.ts); receipts by author number',
    up(db) {
      // A receipt's row names its author by number and its event by seq (the event holds the
      // receipt): ~12 bytes, where its CID, author, prev, unit and job ids and index took ~900.
      db.exec(`
        DROP TABLE receipts;
        CREATE TABLE receipt_authors (author_no INTEGER PRIMARY KEY, author TEXT NOT NULL UNIQUE) STRICT;
        CREATE TABLE receipts (
          author_no INTEGER NOT NULL, chain_seq INTEGER NOT NULL, event_seq INTEGER NOT NULL,
          PRIMARY KEY (author_no, chain_seq, event_seq)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE event_batches (
          first_seq INTEGER PRIMARY KEY, count INTEGER NOT NULL,
          body BLOB NOT NULL -- the events' JSON, one a line, brotli
        ) STRICT;
        CREATE TABLE event_ids (id_key INTEGER PRIMARY KEY, seq INTEGER NOT NULL) STRICT;
        CREATE TABLE event_id_spill (event_id TEXT PRIMARY KEY, seq INTEGER NOT NULL) STRICT, WITHOUT ROWID;
      `);
      const store = new EventStore(db);
      const page = db
        .prepare<[number], [number, string, string]>(
          `SELECT seq, event_id, body FROM events WHERE seq > ? ORDER BY seq LIMIT ${MIGRATED_BATCH}`,
        )
        .raw();
      for (let after = 0; ;) {
        const rows = page.all(after);
        if (rows.length === 0) break;
        // A batch's seqs are consecutive: a gap starts a new one.
        let start = 0;
        for (let i = 1; i <= rows.length; i++) {
          if (i < rows.length && rows[i]![0] === rows[i - 1]![0] + 1) continue;
          store.write(
            rows[start]![0],
            rows.slice(start, i).map(([, eventId, body]) => ({ eventId, key: idKey(eventId), body })),
          );
          start = i;
        }
        after = rows.at(-1)![0];
      }
      db.exec('DROP TABLE events');
    },
  },
];
