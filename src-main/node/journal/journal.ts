// The node's journal: every state change is an event, validated (or, one the node built itself,
// typed: appendOwn), appended to the event store (a batch per group commit, event-store.ts) and
// projected into the derived tables in the same transaction, so the tables can always be rebuilt
// from the journal and a crash never leaves one without the other.
import type { NodeEvent } from '../../core/schemas/index.js';
import { openDatabase, QuietCheckpoint, type DatabaseOptions, type Db } from './database.js';
import { failure, storageFailure, type Failure } from './errors.js';
import { migrate, upgradeRebuilds } from './migrations.js';
import {
  createProjector,
  DERIVED_TABLES,
  type Admission,
  type DerivedTable,
  type Projector,
} from './projections/index.js';
import type { LedgerError } from '../../core/ledger/index.js';
import { Archive } from './archive.js';
import { LedgerReads } from './ledger-reads.js';
import { StateSnapshots } from './state-snapshots.js';
import { EventStore, type BatchWriter } from './event-store.js';
import { DurableOrder } from './durable-order.js';
import { GroupCommit } from './group-commit.js';
import { checkedEvent, ownEvent, type Journaled, type Validated } from './journal-input.js';

export interface JournalOptions extends DatabaseOptions {
  /**
   * Most events one group commit writes. A transaction blocks the main thread while it runs:
   * at 20-50 µs per event on the 2-core test VM, 250 events hold it 5-12 ms (a frame or two of
   * UI), while the commit itself is still amortized over enough events to cost little each.
   */
  maxBatch?: number;
}

/** `seq` is the event's position in the journal; a duplicate reports the seq it already has. */
export type AppendOutcome =
  | {
      ok: true;
      seq: number;
      duplicate: boolean;
      /**
       * A `ledger.entries` the ledger admitted in part: the event as journaled (the entries it
       * admitted), and why it refused each of the others.
       */
      narrowed?: { event: NodeEvent; refused: LedgerError[] };
    }
  | Failure;
export type OpenOutcome = { ok: true; journal: Journal } | Failure;
export type RebuildOutcome = { ok: true; events: number } | Failure;
/** Each derived table's rows, ordered by primary key. */
export type JournalSnapshot = Record<DerivedTable, Record<string, unknown>[]>;

const DEFAULT_MAX_BATCH = 250;
/** Writes (commits, snapshots) stopped this long: the WAL is checkpointed and truncated (database.ts, QuietCheckpoint). */
const QUIET_CHECKPOINT_MS = 2_000;

export interface StepOptions {
  /**
   * The step resolves once its transaction is on disk (the WAL fsynced, off the main thread:
   * durable-order.ts): for what a peer acts on and that I could not redo identically after a
   * power cut (docs/ARCHITECTURE.md, Durability).
   */
  full?: boolean;
}

/** Thrown inside the rebuild transaction to roll it back; turned into a typed failure. */
class ReplayRefused extends Error {
  readonly failure: Failure;
  constructor(refusal: Failure) {
    super(refusal.error.message);
    this.failure = refusal;
  }
}

export class Journal {
  readonly #db: Db;
  readonly #projector: Projector;
  /** The folded state saved as of an event (a start folds only the events after it). */
  readonly snapshots: StateSnapshots;
  /** The database file (a snapshot thread opens it on a connection of its own). */
  readonly path: string;
  /** What the node reads from the derived tables: compacted jobs' units, receipt chains. */
  readonly archive: Archive;
  /** Balances, what is held, the newest ledger entries and transfers. */
  readonly ledger: LedgerReads;
  readonly #writes: GroupCommit<AppendOutcome>;
  readonly #store: EventStore;
  readonly #writeBatch: (items: readonly Journaled[]) => AppendOutcome[];
  readonly #replayAll: () => number;
  readonly #commits = { normal: 0, full: 0 };
  #closed = false;
  readonly #quiet: QuietCheckpoint;
  readonly #durable: DurableOrder;

  /** Opens the journal at `path`, creating or migrating its database. */
  static open(path: string, options: JournalOptions = {}): OpenOutcome {
    let db: Db;
    try {
      db = openDatabase(path, options);
    } catch (err) {
      return storageFailure(err);
    }
    const migrated = migrate(db);
    if (!migrated.ok) {
      db.close();
      return migrated;
    }
    let journal: Journal;
    try {
      journal = new Journal(db, options.maxBatch ?? DEFAULT_MAX_BATCH, options.durability ?? 'NORMAL');
    } catch (err) {
      db.close();
      return storageFailure(err);
    }
    // After an upgrade the projections may differ from those that filled the tables: recompute.
    if (upgradeRebuilds(migrated.from, migrated.to)) {
      const rebuilt = journal.rebuild();
      if (!rebuilt.ok) {
        journal.close();
        return rebuilt;
      }
    }
    return { ok: true, journal };
  }

  private constructor(
    db: Db,
    maxBatch: number,
    /** The database's own setting: with NORMAL, a step that asks for FULL waits for an fsync of the WAL. */
    private readonly synchronous: 'NORMAL' | 'FULL',
  ) {
    this.#db = db;
    this.path = db.name;
    this.#quiet = new QuietCheckpoint(db, QUIET_CHECKPOINT_MS);
    this.#durable = new DurableOrder(`${db.name}-wal`, () => db.pragma('wal_checkpoint(FULL)'));
    this.#writes = new GroupCommit(maxBatch, {
      commit: (items, full) => this.#commit(items, full),
      settle: (written, full, resolve) => this.#durable.settle(written && full && this.synchronous !== 'FULL', resolve),
      closed: () => this.#closed,
    });
    this.#store = new EventStore(db);
    this.#projector = createProjector(db);
    this.snapshots = new StateSnapshots(db, () => this.#quiet.wrote());
    this.archive = new Archive(db, this.#store);
    this.ledger = new LedgerReads(db, this.#store);
    this.#writeBatch = db.transaction((items: readonly Journaled[]) => {
      const batch = this.#store.begin();
      const outcomes = items.map(({ event, body }) => this.#write(batch, event, body));
      batch.commit();
      return outcomes;
    });
    this.#replayAll = db.transaction(() => this.#replay());
  }

  /**
   * Queues the event for the next group commit and resolves once it is committed (acknowledged),
   * or at once with the reason it is refused. See appendAll.
   */
  async append(input: unknown): Promise<AppendOutcome> {
    return (await this.appendAll([input]))[0]!;
  }

  /**
   * Queues the events of one logical step, to be committed in one transaction (with other steps
   * queued by then, never split), and resolves with each event's outcome once it has committed;
   * an event refused before writing (invalid, closed) has its reason and the rest go on. The
   * queue is written when it reaches `maxBatch` events or on the next turn of the event loop
   * (FULL_COALESCE_MS later, group-commit.ts, when the first step queued commits FULL), whichever comes first; a step larger than `maxBatch` is a transaction of its own.
   */
  appendAll(inputs: readonly unknown[], options: StepOptions = {}): Promise<AppendOutcome[]> {
    return this.#enqueue(
      inputs.map((input) => this.#check(input)),
      options,
    );
  }

  /**
   * As appendAll, for events the node built itself (journal-step.ts): typed as NodeEvent, and made
   * of values checked where they came in (a message at its envelope, an API call at its dispatch),
   * so not parsed against the schema a second time (that parse was about 12 % of a requester's main
   * thread at tiny units, the same results a message carries checked twice). What the type cannot
   * promise is still refused as `invalid_event`: a number JSON cannot write (NaN and the
   * infinities would come back from the journal as null).
   */
  appendOwn(events: readonly NodeEvent[], options: StepOptions = {}): Promise<AppendOutcome[]> {
    return this.#enqueue(
      events.map((event) => this.#checkOwn(event)),
      options,
    );
  }

  #enqueue(checked: readonly Validated[], options: StepOptions): Promise<AppendOutcome[]> {
    const items = checked.flatMap((c) => (c.ok ? [{ event: c.event, body: c.body }] : []));
    if (items.length === 0) return Promise.resolve(checked.map((c) => c as Failure));
    return this.#writes.add(items, options.full === true).then((written) => {
      let next = 0;
      return checked.map((c) => (c.ok ? written[next++]! : c));
    });
  }

  /** Commits so far, by how hard each waited for the disk (for the benchmarks). */
  get commits(): { normal: number; full: number } {
    return { ...this.#commits };
  }

  /** Writes the event in a transaction of its own, after anything queued, and returns when committed. */
  appendNow(input: unknown): AppendOutcome {
    const checked = this.#check(input);
    if (!checked.ok) return checked;
    this.flush();
    try {
      return this.#commit([checked], false)[0]!;
    } catch (err) {
      return storageFailure(err);
    }
  }

  /** Writes every queued step now (group-commit.ts), then resolves their promises. */
  flush(): void {
    this.#writes.flush();
  }

  /** One transaction; with `full`, its steps resolve once it is on disk (flush, DurableOrder). */
  #commit(items: readonly Journaled[], full: boolean): AppendOutcome[] {
    this.#quiet.wrote();
    const outcomes = this.#writeBatch(items);
    this.#commits[full || this.synchronous === 'FULL' ? 'full' : 'normal']++;
    return outcomes;
  }

  /**
   * Empties the derived tables and re-applies every journaled event in order, in one transaction:
   * it either completes or changes nothing. Events are not re-validated (they were at append).
   */
  rebuild(): RebuildOutcome {
    if (this.#closed) return closedFailure();
    this.flush();
    try {
      return { ok: true, events: this.#replayAll() };
    } catch (err) {
      return err instanceof ReplayRefused ? err.failure : storageFailure(err);
    }
  }

  /** The seq of the last event committed (0 when none). */
  lastSeq(): number {
    return this.#store.lastSeq();
  }

  /** The journaled events after seq `from`, in journal order, read a page at a time (a restarted node folds them into its state). */
  *events(from = 0): Generator<NodeEvent> {
    this.flush();
    for (const { event } of this.#store.events(from)) yield event;
  }

  /**
   * The derived tables' contents in a canonical order (by primary key), to compare the live
   * tables with a rebuild. Only on an open journal.
   */
  snapshot(): JournalSnapshot {
    this.flush();
    const snapshot = {} as JournalSnapshot;
    for (const table of DERIVED_TABLES) {
      const columns = this.#db.pragma(`table_info(${table})`) as { name: string; pk: number }[];
      const key = columns
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      snapshot[table] = this.#db.prepare(`SELECT * FROM ${table} ORDER BY ${key.join(', ')}`).all() as Record<
        string,
        unknown
      >[];
    }
    return snapshot;
  }

  /** Writes what is queued and closes the database; later appends are refused with `closed`. */
  /**
   * The journal's connection, which the node's small blobs share (node/blobs/small-blobs.ts):
   * SQLite drops a connection's page cache whenever another has committed, and with two, each
   * read again what the other's commits touched (a requester's 5,000 tiny units: 7,807 reads of
   * the WAL on two connections, 1,338 on one).
   */
  get connection(): Db {
    return this.#db;
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    this.#quiet.stop();
    this.#durable.close();
    this.#db.close();
  }

  #check(input: unknown): Validated {
    return this.#closed ? closedFailure() : checkedEvent(input);
  }

  #checkOwn(event: NodeEvent): Validated {
    return this.#closed ? closedFailure() : ownEvent(event);
  }

  /**
   * Journals one event into `batch` and projects it; runs inside a transaction. A journaled
   * event_id is left alone (idempotent re-delivery) and reports the seq it already has.
   */
  #write(batch: BatchWriter, event: NodeEvent, body: string): AppendOutcome {
    const existing = this.#store.find(event.event_id, batch);
    if (existing.seq !== undefined) return { ok: true, seq: existing.seq, duplicate: true };
    const admission = this.#projector.admit(event);
    if (!admission.ok) return failure('ledger_refused', admission.error.message, { ledger: admission.error.code });
    // A batch of ledger entries each journaled before is, as a whole, journaled before.
    if (admission.journaledAt !== undefined) return { ok: true, seq: admission.journaledAt, duplicate: true };
    const { narrowed } = admission;
    const seq = batch.add(event.event_id, narrowed ? JSON.stringify(narrowed.event) : body, existing.key);
    admission.write(seq);
    return narrowed ? { ok: true, seq, duplicate: false, narrowed } : { ok: true, seq, duplicate: false };
  }

  #replay(): number {
    this.#projector.clear();
    let count = 0;
    for (const { seq, event } of this.#store.events()) {
      const admission = this.#projector.admit(event);
      if (!admission.ok || leftOutOnReplay(admission)) {
        const why = admission.ok ? leftOutOnReplay(admission)! : admission.error;
        throw new ReplayRefused(failure('replay_refused', `event #${seq}: ${why.message}`, { ledger: why.code }));
      }
      admission.write(seq);
      count++;
    }
    return count;
  }
}

/** A journaled batch of entries holds only those its ledger admitted: one left out on replay is refused. */
function leftOutOnReplay(admission: Extract<Admission, { ok: true }>): LedgerError | undefined {
  if (admission.journaledAt !== undefined || admission.narrowed?.refused.length === 0)
    return { code: 'duplicate_entry', message: 'an entry of the batch was applied before it' };
  return admission.narrowed?.refused[0];
}

function closedFailure(): Failure {
  return failure('closed', 'the journal is closed');
}
