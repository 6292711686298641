// Keeps a node's start from growing with its history: the state is loaded from its last snapshot
// and only the events journaled since are folded (loadState); snapshots are written every so many
// events, every few minutes when enough came, and at a clean stop; finished jobs are compacted once past the
// retention (core/mesh/state/compaction.ts), so the state, and each snapshot, hold the work in progress:
// what the user reads of a compacted job's units is kept in the journal's tables first.
import { describeError } from '../../../core/errors.js';
import { keptNeedsOf } from '../../../core/mesh/rules/blob-needs.js';
import { compactableJobs, DEFAULT_RETENTION_MS, rejectionsOf } from '../../../core/mesh/state/compaction.js';
import type { JobSummary } from '../../../core/mesh/state/records.js';
import type { UnitDetails } from '../../journal/archive.js';
import { MeshState, type JobRecord } from '../../../core/mesh/state/state.js';
import type { Journal } from '../../journal/index.js';
import { SnapshotThread } from './snapshot-thread.js';
import type { NewEvent } from '../context/node-context.js';

export interface StateKeeperOptions {
  /** How long a finished job stays whole in the state before it is compacted (default: DEFAULT_RETENTION_MS). */
  retentionMs?: number;
  /**
   * A snapshot once this many events were applied since the last (default 50,000), or more when
   * the last took long (EVENTS_PER_SNAPSHOT_MS)...
   */
  snapshotEveryEvents?: number;
  /**
   * ...or this long after the last (default 10 minutes), once a tenth of those events were
   * (TIMER_SHARE): a big state is not written again for a handful of events.
   */
  snapshotEveryMs?: number;
}

export interface LoadedState {
  state: MeshState;
  /** The seq the snapshot was taken at; null when the journal was folded in full. */
  snapshotSeq: number | null;
  /** Why no snapshot was used, when none was. */
  miss?: string;
  /** Events folded (after the snapshot, or all). */
  folded: number;
}

/** The state as of the journal's last event: its snapshot, if usable, and the events after it. */
export function loadState(journal: Journal, me: string): LoadedState {
  const lastSeq = journal.lastSeq();
  const loaded = journal.snapshots.load(me, lastSeq);
  const snapshot = 'state' in loaded ? loaded : undefined;
  const state = snapshot?.state ?? new MeshState(me);
  let folded = 0;
  for (const event of journal.events(snapshot?.seq ?? 0)) {
    state.apply(event);
    folded++;
  }
  if (snapshot) return { state, snapshotSeq: snapshot.seq, folded };
  const { miss, detail } = loaded as { miss: string; detail?: string };
  return { state, snapshotSeq: null, miss: detail ? `${miss} (${detail})` : miss, folded };
}

/** How often compaction looks for finished jobs (a walk of every assignment in the state). */
const COMPACT_EVERY_MS = 600_000;
/**
 * Events applied before the next snapshot, per millisecond the last one took. A snapshot costs
 * with the size of the state, so a fixed interval would make a growing job's snapshots quadratic:
 * the state of a live 200,000-unit job takes 6.5-7 s to write (measured on the test VM), and 50,000
 * events apart that job would write one every ~5,500 units. At 100 the writes cost at most ~10 µs an
 * event, where an event costs the node well over 100. (The writes are on a thread of their own,
 * but on a machine of two cores its time is still taken from the units'.)
 */
const EVENTS_PER_SNAPSHOT_MS = 100;
/**
 * The timer's snapshot waits for this share of the events the next one is due after. A snapshot
 * folds and writes the whole state, and holds a second copy of it while it does: at a million
 * units, about a minute of a core and 1.3 GB more (docs/BENCHMARKS.md). Every 10 minutes for a few
 * events, that bought a start nothing (those few are folded at start in milliseconds).
 */
const TIMER_SHARE = 0.1;

export class StateKeeper {
  readonly #retentionMs: number;
  readonly #everyEvents: number;
  /** The seq of the last event applied to the state. */
  #appliedSeq: number;
  /** The seq of the newest snapshot saved (or loaded at start); null when none is. */
  #savedSeq: number | null;
  #sinceSnapshot = 0;
  /** Events after which the next snapshot is written. */
  #threshold: number;
  #timers: NodeJS.Timeout[] = [];
  #writeScheduled = false;
  /** Writes snapshots while the node runs; started with the first. */
  #thread: SnapshotThread | undefined;
  /** A snapshot is being written by the thread. */
  #writing = false;
  #stopped = false;
  /** The compaction pass under way (it writes a big job's details a slice at a time). */
  #compacting: Promise<number> | undefined;

  constructor(
    private readonly journal: Journal,
    private readonly state: MeshState,
    private readonly io: {
      record: (events: NewEvent[]) => Promise<void>;
      summarize: (record: JobRecord) => JobSummary;
      /** What the job's units keep through compaction beyond their outcomes (job-view.ts). */
      unitDetails: (record: JobRecord) => Iterable<[number, UnitDetails]>;
      now: () => number;
      log: (message: string) => void;
    },
    private readonly options: StateKeeperOptions = {},
    /** The seq of the snapshot the state was loaded from (LoadedState.snapshotSeq). */
    loadedSeq: number | null = null,
  ) {
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#everyEvents = options.snapshotEveryEvents ?? 50_000;
    this.#threshold = this.#everyEvents;
    this.#appliedSeq = journal.lastSeq();
    this.#savedSeq = loadedSeq;
  }

  /** The retention in force (shown in `status`). */
  get retentionMs(): number {
    return this.#retentionMs;
  }

  start(): void {
    const every = (ms: number, work: () => unknown) => {
      const timer = setInterval(work, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(
      this.options.snapshotEveryMs ?? 600_000,
      () => this.#sinceSnapshot >= Math.max(1, this.#threshold * TIMER_SHARE) && this.#snapshotInBackground(),
    );
    const compact = () => this.compact().catch((err) => this.io.log(`compacting finished jobs: ${describeError(err)}`));
    every(COMPACT_EVERY_MS, () => void compact());
    setImmediate(() => void compact()); // what finished while the node was off
  }

  /** The state applied the event journaled as `seq`. */
  applied(seq: number): void {
    this.#appliedSeq = Math.max(this.#appliedSeq, seq);
    if (++this.#sinceSnapshot < this.#threshold || this.#writeScheduled) return;
    this.#writeScheduled = true;
    setImmediate(() => {
      this.#writeScheduled = false;
      this.#snapshotInBackground();
    });
  }

  /**
   * A snapshot of the journal as committed now, made by a thread of its own (snapshot-worker.ts
   * folds the journal from the last snapshot): the main thread neither encodes the state (seconds
   * for a live 100,000-unit job) nor waits; it only writes the row. One at a time; none once the
   * node has stopped (its stop wrote its own, of a later seq).
   */
  #snapshotInBackground(): void {
    if (this.#writing || this.#stopped) return;
    const start = performance.now();
    this.#sinceSnapshot = 0;
    this.#writing = true;
    this.#thread ??= new SnapshotThread();
    const task = {
      dbPath: this.journal.path,
      me: this.state.me,
      seq: this.journal.lastSeq(),
      at: new Date(this.io.now()).toISOString(),
    };
    void this.#thread
      .write(task, { writeIfNewer: (...row) => (this.#stopped ? 0 : this.journal.snapshots.writeIfNewer(...row)) })
      .then(({ bytes }) => {
        if (bytes > 0) this.#savedSeq = Math.max(this.#savedSeq ?? 0, task.seq);
        this.#spaceNext(performance.now() - start);
      })
      .catch((err) => this.#stopped || this.io.log(`writing a snapshot of the state: ${describeError(err)}`))
      .finally(() => (this.#writing = false));
  }

  /** The next snapshot after more events the longer this one took (EVENTS_PER_SNAPSHOT_MS). */
  #spaceNext(tookMs: number): void {
    this.#threshold = Math.max(this.#everyEvents, Math.round(tookMs * EVENTS_PER_SNAPSHOT_MS));
  }

  /**
   * Saves the state now, unless an event is committed whose apply has not run yet (then the state
   * is not the fold of any prefix of the journal), or the newest snapshot is of this very state
   * (a node stopped with nothing new since its start: a live million-unit job's snapshot takes
   * over ten seconds to write).
   */
  #snapshotNow(): void {
    if (this.journal.lastSeq() !== this.#appliedSeq || this.#savedSeq === this.#appliedSeq) return;
    try {
      const start = performance.now();
      this.journal.snapshots.write(this.state, this.#appliedSeq, new Date(this.io.now()).toISOString());
      this.#savedSeq = this.#appliedSeq;
      this.#spaceNext(performance.now() - start);
      this.#sinceSnapshot = 0;
    } catch (err) {
      this.io.log(`writing a snapshot of the state: ${describeError(err)}`);
    }
  }

  /** Compacts every job due at this time; resolves with how many. One pass at a time: a second call shares the first's. */
  compact(): Promise<number> {
    this.#compacting ??= this.#compactDue().finally(() => (this.#compacting = undefined));
    return this.#compacting;
  }

  async #compactDue(): Promise<number> {
    const due = compactableJobs(this.state, this.io.now(), this.#retentionMs);
    for (const jobId of due) {
      const record = this.state.jobs.get(jobId);
      if (record) await this.journal.archive.keepDetails(jobId, this.io.unitDetails(record));
      await this.journal.archive.keepNeeds(jobId, keptNeedsOf(this.state, jobId));
      await this.journal.archive.keepRejections(rejectionsOf(this.state, jobId));
      await this.io.record([
        {
          type: 'job.compacted',
          job_id: jobId,
          ...(record ? { summary: this.io.summarize(record) } : {}),
        },
      ]);
    }
    // The state just lost finished work: a start after a crash need not load it again from the last snapshot.
    if (due.length > 0) this.#snapshotInBackground();
    return due.length;
  }

  /**
   * Stops the timers and saves the state (call once nothing else will change it); resolves once the
   * snapshot thread, which opens the journal's database, has ended: a stopped node holds no file of
   * its data dir open (another node may open it, or a test remove it).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#snapshotNow();
    await this.#thread?.close().catch(() => {}); // a snapshot it is writing is dropped, or kept out by the stop's (writeIfNewer)
  }
}
