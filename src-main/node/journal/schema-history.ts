// The database schema, as a numbered history (migrations.ts applies it). Never edit a released
// migration: add a new one.
//
// JSON is stored as TEXT (STRICT tables only know INTEGER, REAL, TEXT, BLOB, ANY; and a column
// declared `JSON` would get NUMERIC affinity). It is written by JSON.stringify of a validated
// event, so it is always valid JSON. Derived tables have small rows keyed by text ids, which is
// what WITHOUT ROWID is for: one B-tree per table instead of a table plus its key's index.
import type { Db } from './database.js';
import { idKey, EventStore } from './event-store.js';

/** Events a batch of the migrated journal holds (the journal's own group commits hold up to 250). */
const MIGRATED_BATCH = 250;

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

export const MIGRATIONS: readonly Migration[] = [
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
  {
    version: 9,
    name: 'ledger rows name peers by number and point at their events',
    up(db) {
      // Peer ids, assignment ids and times repeated across a unit's ledger rows took ~550 bytes:
      // peers are numbers now, and an entry's assignment and time, and a transfer's entry, are
      // read from the event the row points at. The tables are refilled by the rebuild on open.
      db.exec(`
        DROP TABLE ledger_entries; DROP TABLE ledger_escrows; DROP TABLE ledger_transfers;
        CREATE TABLE ledger_peers (peer_no INTEGER PRIMARY KEY, peer_id TEXT NOT NULL UNIQUE) STRICT;
        CREATE TABLE ledger_entries (
          entry_id TEXT PRIMARY KEY, kind TEXT NOT NULL, event_seq INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE ledger_escrows (
          assignment_id TEXT PRIMARY KEY, job_id TEXT NOT NULL, unit_id TEXT NOT NULL,
          requester_no INTEGER NOT NULL, worker_no INTEGER NOT NULL, amount INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('held', 'paid', 'refunded'))
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE ledger_transfers (
          event_seq INTEGER NOT NULL, position INTEGER NOT NULL,
          from_no INTEGER NOT NULL, to_no INTEGER NOT NULL, amount INTEGER NOT NULL,
          PRIMARY KEY (event_seq, position)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 10,
    name: "a batched job's verdicts in a table of their own, by job number and unit index",
    up(db) {
      // A batched unit's verdict row in `units` took ~260 bytes with its index: its text id, its
      // job's id twice, times, an empty algorithm. Here ~50: the job by number, the unit by index,
      // the consensus hash as its sha256 when it is a raw CID. Refilled by the rebuild on open.
      db.exec(`
        CREATE TABLE verdict_jobs (job_no INTEGER PRIMARY KEY, job_id TEXT NOT NULL UNIQUE) STRICT;
        CREATE TABLE batched_verdicts (
          job_no INTEGER NOT NULL, idx INTEGER NOT NULL,
          verified INTEGER NOT NULL, -- 1 verified, 0 rejected (no row: not decided)
          hash ANY, -- the consensus hash: its sha256 (BLOB) when a raw CID, else its text; NULL when rejected
          PRIMARY KEY (job_no, idx)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 11,
    name: 'ledger entries by their event, their id as a 64-bit key',
    up(db) {
      // An entry's text id as the key took ~95 bytes a row. Now its event's seq is the row's id and
      // its id a 64-bit key (the first 8 bytes of its sha256), checked against the id in its event
      // on a match (ledger-view.ts). Refilled by the rebuild on open.
      db.exec(`
        DROP TABLE ledger_entries;
        CREATE TABLE ledger_entries (
          event_seq INTEGER PRIMARY KEY, entry_key INTEGER NOT NULL, kind TEXT NOT NULL
        ) STRICT;
        CREATE INDEX ledger_entries_by_key ON ledger_entries (entry_key);
      `);
    },
  },
  {
    version: 12,
    name: 'small blobs keyed by the first 8 bytes of their sha256',
    up(db) {
      // The unique index on a row's 32-byte digest took ~46 bytes a row. The row's own integer key
      // is now the digest's first 8 bytes (its digest kept, and checked, beside it); a blob whose
      // key another blob already has (about one chance in 2^64 a pair) goes to small_blob_spill.
      db.exec(`
        CREATE TABLE small_blobs_keyed (
          key INTEGER PRIMARY KEY, digest BLOB NOT NULL, stored_at INTEGER NOT NULL, bytes BLOB NOT NULL
        ) STRICT;
        CREATE TABLE small_blob_spill (
          digest BLOB PRIMARY KEY, stored_at INTEGER NOT NULL, bytes BLOB NOT NULL
        ) STRICT, WITHOUT ROWID;
      `);
      const keyed = db.prepare(
        'INSERT INTO small_blobs_keyed (key, digest, stored_at, bytes) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
      );
      const spill = db.prepare('INSERT INTO small_blob_spill (digest, stored_at, bytes) VALUES (?, ?, ?)');
      const page = db
        .prepare<[number], [number, Buffer, number, Buffer]>(
          `SELECT rowid, digest, stored_at, bytes FROM small_blobs WHERE rowid > ? ORDER BY rowid LIMIT ${MIGRATED_BATCH}`,
        )
        .raw();
      for (let after = 0; ;) {
        const rows = page.all(after);
        if (rows.length === 0) break;
        for (const [, digest, storedAt, bytes] of rows)
          if (keyed.run(digest.readBigInt64BE(0), digest, storedAt, bytes).changes === 0)
            spill.run(digest, storedAt, bytes);
        after = rows.at(-1)![0];
      }
      db.exec('DROP TABLE small_blobs; ALTER TABLE small_blobs_keyed RENAME TO small_blobs;');
    },
  },
  {
    version: 13,
    name: 'what each peer paid another in all, and the held escrows indexed',
    up(db) {
      // `ledger.get`, asked on each refresh of the UI while money moves, summed every transfer of
      // mine and scanned every escrow for the held ones: 40 ms of the main thread at 100,000 units
      // of history. A row per pair of peers now holds what one paid the other, which also gives a
      // peer's balance (ledger_balances goes), and an index holds the held escrows' amounts. The
      // new table is filled by the rebuild on open.
      db.exec(`
        CREATE TABLE ledger_flows (
          from_no INTEGER NOT NULL, to_no INTEGER NOT NULL, amount INTEGER NOT NULL,
          PRIMARY KEY (from_no, to_no)
        ) STRICT, WITHOUT ROWID;
        DROP TABLE ledger_balances;
        CREATE INDEX ledger_escrows_held ON ledger_escrows (amount) WHERE status = 'held';
      `);
    },
  },
  {
    version: 14,
    name: 'ledger entries by their event and their place in it',
    up(db) {
      // A `ledger.entries` event journals many entries (a round's escrows, a settlement's
      // closings): an entry's row is its event's seq and its position there, a transfer's names
      // the entry it moves money for. Refilled by the rebuild on open.
      db.exec(`
        DROP TABLE ledger_entries; DROP TABLE ledger_transfers;
        CREATE TABLE ledger_entries (
          event_seq INTEGER NOT NULL, position INTEGER NOT NULL, entry_key INTEGER NOT NULL, kind TEXT NOT NULL,
          PRIMARY KEY (event_seq, position)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX ledger_entries_by_key ON ledger_entries (entry_key);
        CREATE TABLE ledger_transfers (
          event_seq INTEGER NOT NULL, position INTEGER NOT NULL, entry INTEGER NOT NULL,
          from_no INTEGER NOT NULL, to_no INTEGER NOT NULL, amount INTEGER NOT NULL,
          PRIMARY KEY (event_seq, position)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 15,
    name: 'what is held, kept per job',
    up(db) {
      // The index of held escrows cost each escrow an insert and each settle a delete (a B-tree
      // each, keyed by a long assignment id). Each job's row keeps its held total instead,
      // written once a batch of entries; a summary sums a row per job.
      db.exec(`
        DROP INDEX ledger_escrows_held;
        ALTER TABLE ledger_jobs ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
        UPDATE ledger_jobs SET held = (
          SELECT COALESCE(SUM(amount), 0) FROM ledger_escrows e WHERE e.job_id = ledger_jobs.job_id AND e.status = 'held'
        );
      `);
    },
  },
  {
    version: 16,
    name: "an assignment's ledger entries known by its escrow row",
    up(db) {
      // An entry's id is its kind and assignment (ledgerEntryId): the escrow row says which of its
      // entries were journaled, and in which event, so the row per entry and its index of id hashes
      // go (an insert at a random place in that index for each entry). A ledger event's row says
      // how many entries it holds, for the newest entries. Refilled by the rebuild on open.
      db.exec(`
        DROP TABLE ledger_entries; DROP TABLE ledger_escrows;
        CREATE TABLE ledger_events (event_seq INTEGER PRIMARY KEY, entries INTEGER NOT NULL) STRICT;
        CREATE TABLE ledger_escrows (
          assignment_id TEXT PRIMARY KEY, job_id TEXT NOT NULL, unit_id TEXT NOT NULL,
          requester_no INTEGER NOT NULL, worker_no INTEGER NOT NULL, amount INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('held', 'paid', 'refunded')),
          opened_seq INTEGER NOT NULL, closed_seq INTEGER, rewarded_seq INTEGER
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 17,
    name: 'what a compacted job keeps beyond the state: who ran its units and how long, the blobs they still need',
    keepsProjections: true, // its tables are written from the state; a journal before it has no rows for them
    up(db) {
      // Written from the state just before a job is compacted (core/mesh/compaction.ts), not
      // derived from events (no rebuild clears them). unit_details: a row per unit the state held
      // (a pack's, for a packed job) that had a provider, so that its units look the same through
      // the API after. compacted_needs: the blobs its units still needed (core/mesh/blob-needs.ts
      // keptNeedsOf), each kept for its role's retention from `since` (ms), then deleted.
      db.exec(`
        CREATE TABLE unit_details (
          job_id TEXT NOT NULL, unit_no INTEGER NOT NULL,
          providers TEXT NOT NULL, -- JSON array of peer ids
          estimated_fuel INTEGER, estimated_seconds REAL, seconds REAL, fuel INTEGER, device TEXT,
          PRIMARY KEY (job_id, unit_no)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE compacted_needs (
          job_id TEXT NOT NULL, cid TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('requester', 'provider')),
          kind TEXT NOT NULL CHECK (kind IN ('module', 'input', 'output')),
          since INTEGER NOT NULL, held_for TEXT,
          PRIMARY KEY (role, job_id, cid) -- read by role: a start counts the provider's alone
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
];
