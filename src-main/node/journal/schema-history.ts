// The database schema, as a numbered history (migrations.ts applies it). Never edit a released
// migration: add a new one.
//
// JSON is stored as TEXT (STRICT tables only know INTEGER, REAL, TEXT, BLOB, ANY; and a column
// declared `JSON` would get NUMERIC affinity). It is written by JSON.stringify of a validated
// event, so it is always valid JSON. Derived tables have small rows keyed by text ids, which is
// what WITHOUT ROWID is for: one B-tree per table instead of a table plus its key's index.
import { FIRST_MIGRATIONS, MIGRATED_BATCH, type Migration } from './schema-history-first.js';

export type { Migration } from './schema-history-first.js';

export const MIGRATIONS: readonly Migration[] = [
  ...FIRST_MIGRATIONS,
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
      // Written from the state just before a job is compacted (core/mesh/state/compaction.ts), not
      // derived from events (no rebuild clears them). unit_details: a row per unit the state held
      // (a pack's, for a packed job) that had a provider, so that its units look the same through
      // the API after. compacted_needs: the blobs its units still needed (core/mesh/rules/blob-needs.ts
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
  {
    version: 18,
    name: "the verdicts behind a compacted job's refunds as rejected",
    keepsProjections: true, // written from the state, as migration 17's
    up(db) {
      // A refund as rejected is taken by its provider only with my signed verdict against its
      // result (settlement-intake.ts). Written as a job is compacted, for each such refund: the
      // CID of my verification receipt for its unit (the journal keeps it, as event
      // `receipt/<cid>`), so that a provider that never heard is answered after the state lost
      // the job. Only results a check or a vote rejected have a row; none is deleted, as the
      // ledger's entries are not.
      db.exec(`
        CREATE TABLE kept_rejections (assignment_id TEXT PRIMARY KEY, receipt_cid TEXT NOT NULL) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 19,
    name: 'workflows: their documents, their journaled facts, and the memo of verified unit outputs',
    keepsProjections: true, // written by the workflow runner, not derived from events
    up(db) {
      // A workflow's facts (core/workflow/facts.ts) in order, each written before what it says is
      // done (a job started, say), so a restart plans from them again (node/journal/workflow-store.ts).
      // workflow_memo: a unit's memo key (its module, resolved params and input, hashed) to its
      // verified output's CID: a unit whose key is here is not run again.
      db.exec(`
        CREATE TABLE workflows (
          workflow_id TEXT PRIMARY KEY, document TEXT NOT NULL, inputs TEXT NOT NULL,
          no_cache INTEGER NOT NULL, submitted_at INTEGER NOT NULL, ended_at INTEGER
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE workflow_facts (
          workflow_id TEXT NOT NULL, seq INTEGER NOT NULL, fact TEXT NOT NULL, PRIMARY KEY (workflow_id, seq)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE workflow_memo (key TEXT PRIMARY KEY, output_cid TEXT NOT NULL, bytes INTEGER NOT NULL) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 20,
    name: "circles: the circles I am a member of, and each one's signed log entries",
    keepsProjections: true, // written by the circles' intake, not derived from events
    up(db) {
      // A circle's state is a pure function of its entries (core/circles/resolve.ts): only they are kept.
      db.exec(`
        CREATE TABLE circles (circle_id TEXT PRIMARY KEY, joined_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
        CREATE TABLE circle_entries (
          circle_id TEXT NOT NULL, cid TEXT NOT NULL, signed TEXT NOT NULL, PRIMARY KEY (circle_id, cid)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 21,
    name: 'small blobs stored in the order they are put, found by a key index',
    keepsProjections: true, // the store's rows, not derived from events
    up(db) {
      // Keyed by the digest's first 8 bytes (migration 12), rows went to random places in the
      // table's B-tree: a transaction of 2,000 puts rewrote most of its pages, ~7 µs a row at 20,000
      // rows and ~16 at 100,000. In put order, rows append to the table and only the small index
      // of keys takes random writes: a third to a half of the time, lookups as fast (measured by
      // hand on this machine with the store's own statements).
      db.exec(`
        CREATE TABLE small_blobs_in_order (
          id INTEGER PRIMARY KEY, key INTEGER NOT NULL UNIQUE, digest BLOB NOT NULL, stored_at INTEGER NOT NULL,
          bytes BLOB NOT NULL
        ) STRICT;
        INSERT INTO small_blobs_in_order (key, digest, stored_at, bytes) SELECT key, digest, stored_at, bytes FROM small_blobs;
        DROP TABLE small_blobs;
        ALTER TABLE small_blobs_in_order RENAME TO small_blobs;
      `);
    },
  },
];
