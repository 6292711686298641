// The journal's throughput: group commit, one commit per event, and replay of a million events.
// Each figure comes with a baseline measured in the same run on the same machine: plain INSERTs
// of the same JSON rows into a bare table (seq INTEGER PRIMARY KEY, body TEXT), which is the
// least any journal has to do, and the ratio of the two.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { NodeEventSchema, validate, type NodeEvent } from '../src-main/core/schemas/index.js';
import { Journal, type JournalOptions } from '../src-main/node/journal/index.js';
import { MIX, REQUESTER, realisticEvents, realisticStream } from '../test/node/fixtures/journal-events.js';
import { median, round, type Benchmark, type Figure } from './harness.js';
import { EventStore } from '../src-main/node/journal/event-store.js';
import { NODE_MIX, nodeMixEvents, PACKED, PACKED_MIX, UNITS_PER_PACK } from './fixtures/node-mix.js';

const GROUP_EVENTS = 100_000;
const FULL_EVENTS = 500;
const NORMAL_SINGLE_EVENTS = 10_000;
const REPLAY_EVENTS = 1_000_000;
const NODE_MIX_UNITS = 25_000;
/** Packs of the packed mix: 256,000 units. */
const NODE_MIX_PACKS = 1_000;
/** Issue 18's target, 300,000 events/s, counted at its 9 events a unit. */
const UNITS_TARGET = Math.round(300_000 / 9);

/** Runs `work` with a source of new database paths in a temporary directory, then deletes it. */
async function inTempDir<T>(work: (freshPath: () => string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-journal-bench-'));
  let files = 0;
  try {
    return await work(() => join(dir, `bench-${++files}.db`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function open(path: string, options: JournalOptions = {}): Journal {
  const opened = Journal.open(path, options);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.journal;
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * How events go in: `checked`, parsed against the schema (Journal.append, for events from outside);
 * `own`, as the node journals the events it builds (Journal.appendOwn).
 */
type AppendPath = 'checked' | 'own';

async function appendAll(journal: Journal, events: Iterable<NodeEvent>, path: AppendPath = 'checked'): Promise<void> {
  let pending: Promise<unknown>[] = [];
  for (const event of events) {
    pending.push(path === 'own' ? journal.appendOwn([event]).then(([outcome]) => outcome) : journal.append(event));
    if (pending.length >= 10_000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  const outcomes = (await Promise.all(pending)) as { ok: boolean }[];
  if (outcomes.some((o) => !o.ok)) throw new Error('the benchmark events were refused');
}

/** Seconds to insert `bodies` into a bare table: in one transaction, or one transaction each. */
function bareInsertSeconds(
  path: string,
  bodies: readonly string[],
  mode: 'one transaction' | 'autocommit',
  durability: 'NORMAL' | 'FULL',
): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability}`);
  db.exec('CREATE TABLE bare (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO bare (body) VALUES (?)');
  const start = process.hrtime.bigint();
  if (mode === 'one transaction') db.transaction(() => bodies.forEach((body) => insert.run(body)))();
  else for (const body of bodies) insert.run(body);
  const elapsed = seconds(start);
  db.close();
  return elapsed;
}

/**
 * Seconds to append `events` with group commit to a fresh journal (after `warm` went into another,
 * to warm the code), and the baseline: the same events' JSON as bare INSERTs in one transaction, events/s.
 */
async function groupCommitted(
  freshPath: () => string,
  events: readonly NodeEvent[],
  warm: readonly NodeEvent[],
  path: AppendPath,
): Promise<{ elapsed: number; baseline: number }> {
  const warmJournal = open(freshPath());
  await appendAll(warmJournal, warm, path);
  warmJournal.close();

  const journal = open(freshPath());
  const start = process.hrtime.bigint();
  await appendAll(journal, events, path);
  const elapsed = seconds(start);
  journal.close();

  const bodies = events.map((e) => JSON.stringify(e));
  return { elapsed, baseline: events.length / bareInsertSeconds(freshPath(), bodies, 'one transaction', 'NORMAL') };
}

const groupCommit: Benchmark = {
  names: ['journal_group_commit_events_per_s'],
  run: () =>
    inTempDir(async (freshPath): Promise<Figure[]> => {
      const events = realisticEvents('group', GROUP_EVENTS);
      const { elapsed, baseline } = await groupCommitted(freshPath, events, realisticEvents('warm', 20_000), 'checked');

      const validationStart = process.hrtime.bigint();
      for (const event of events) validate(NodeEventSchema, event);
      const validation = seconds(validationStart);
      const value = GROUP_EVENTS / elapsed;
      return [
        {
          name: 'journal_group_commit_events_per_s',
          value: round(value, 0),
          unit: 'events/s',
          events: GROUP_EVENTS,
          mix: MIX,
          durability: 'NORMAL',
          validation: 'on (NodeEventSchema)',
          validation_us_per_event: round((validation / GROUP_EVENTS) * 1e6),
          validation_share_of_time: round(validation / elapsed),
          baseline_events_per_s: round(baseline, 0),
          ratio_to_baseline: round(value / baseline, 3),
        },
      ];
    }),
};

const singleCommit: Benchmark = {
  names: ['journal_single_commit_events_per_s'],
  run: () =>
    inTempDir((freshPath): Figure[] => {
      const perSecond = (durability: 'NORMAL' | 'FULL', count: number) => {
        const events = realisticEvents(durability, count);
        const journal = open(freshPath(), { durability });
        const start = process.hrtime.bigint();
        for (const event of events) {
          if (!journal.appendNow(event).ok) throw new Error('the benchmark events were refused');
        }
        const elapsed = seconds(start);
        journal.close();
        return count / elapsed;
      };
      perSecond('NORMAL', 2_000); // warm-up
      const full = perSecond('FULL', FULL_EVENTS);
      const normal = perSecond('NORMAL', NORMAL_SINGLE_EVENTS);
      const bodies = realisticEvents('bare', FULL_EVENTS).map((e) => JSON.stringify(e));
      const baseline = FULL_EVENTS / bareInsertSeconds(freshPath(), bodies, 'autocommit', 'FULL');
      return [
        {
          name: 'journal_single_commit_events_per_s',
          value: round(full, 0),
          unit: 'events/s',
          events: FULL_EVENTS,
          durability: 'FULL (fsync per commit)',
          normal_events_per_s: round(normal, 0),
          baseline_events_per_s: round(baseline, 0),
          baseline: 'one bare INSERT per transaction, synchronous=FULL',
          ratio_to_baseline: round(full / baseline, 3),
        },
      ];
    }),
};

const replay: Benchmark = {
  names: ['journal_replay_1m_s'],
  run: () =>
    inTempDir(async (freshPath): Promise<Figure[]> => {
      const path = freshPath();
      const journal = open(path);
      const stream = realisticStream('replay');
      await appendAll(
        journal,
        (function* () {
          for (let i = 0; i < REPLAY_EVENTS; i++) yield stream.next().value as NodeEvent;
        })(),
      );

      const start = process.hrtime.bigint();
      const rebuilt = journal.rebuild();
      const elapsed = seconds(start);
      journal.close();
      if (!rebuilt.ok || rebuilt.events !== REPLAY_EVENTS) throw new Error('the rebuild failed');

      // Baseline: copy the same journaled JSON rows into a bare table, in one transaction.
      const source = new Database(path, { readonly: true });
      const bodies = [...new EventStore(source).events()].map(({ event }) => JSON.stringify(event));
      source.close();
      const baseline = bareInsertSeconds(freshPath(), bodies, 'one transaction', 'NORMAL');
      return [
        {
          name: 'journal_replay_1m_s',
          value: round(elapsed),
          unit: 's',
          events: REPLAY_EVENTS,
          mix: MIX,
          events_per_s: round(REPLAY_EVENTS / elapsed, 0),
          baseline_s: round(baseline),
          baseline: 'the same 1M JSON rows inserted into a bare table in one transaction',
          ratio_to_baseline: round(elapsed / baseline, 3),
        },
      ];
    }),
};

/**
 * The journal's work for a tiny unit as the node journals it now (its own events, appendOwn), in
 * units a second: the node packs tiny units 256 a pack, and journals a pack as a unit (the
 * figure); `unpacked_units_per_s` is a job whose units travel alone, as a module's do (0.18 events
 * a unit, where the group-commit figure's mix has the 9 of the first wave). Baseline: the packed
 * events' JSON as bare INSERTs, same run.
 */
const unitsPerSecond: Benchmark = {
  names: ['journal_units_per_s'],
  run: () =>
    inTempDir(async (freshPath): Promise<Figure[]> => {
      const unpacked = nodeMixEvents('mix', NODE_MIX_UNITS);
      const alone = await groupCommitted(freshPath, unpacked, nodeMixEvents('warm', 2_000), 'own');
      const events = nodeMixEvents('packs', NODE_MIX_PACKS, PACKED);
      const { elapsed, baseline } = await groupCommitted(freshPath, events, nodeMixEvents('warm', 2_000), 'own');
      const eventsPerSecond = events.length / elapsed;
      const units = NODE_MIX_PACKS * UNITS_PER_PACK;
      return [
        {
          name: 'journal_units_per_s',
          value: round(units / elapsed, 0),
          unit: 'units/s',
          target: `>= ${UNITS_TARGET} (300,000 events/s at 9 events a unit)`,
          units,
          events: events.length,
          events_per_unit: round(events.length / units, 4),
          events_per_s: round(eventsPerSecond, 0),
          mix: PACKED_MIX,
          unpacked_units_per_s: round(NODE_MIX_UNITS / alone.elapsed, 0),
          unpacked_events_per_unit: round(unpacked.length / NODE_MIX_UNITS, 2),
          unpacked_mix: NODE_MIX,
          durability: 'NORMAL',
          append: 'Journal.appendOwn, as the node journals its own events',
          baseline_events_per_s: round(baseline, 0),
          ratio_to_baseline: round(eventsPerSecond / baseline, 3),
        },
      ];
    }),
};

/** Histories of the ledger benchmark: a small job's, and a hundred times as many units. */
const SHORT_HISTORY_UNITS = 250;
const LONG_HISTORY_UNITS = 25_000;

/** The newest transfers the Earnings page reads first (its TRANSFERS_SHOWN). */
const TRANSFERS_PAGE = 10_000;

/**
 * What the UI's ledger refresh (`ledger.get`: my balance with each peer, and what is held) costs
 * the node's main thread with a long history ÷ with a short one, same run: a read that grows with
 * history would read ~100. Beside it, `ledger_transfers_page_ms`: the Earnings page's first read
 * (`ledger.transfers`, the newest 10,000) on the long history, one task of the main thread.
 */
const ledgerReadsByHistory: Benchmark = {
  names: ['ledger_summary_history_ratio', 'ledger_transfers_page_ms'],
  run: () =>
    inTempDir(async (freshPath): Promise<Figure[]> => {
      const readMs = async (units: number) => {
        const journal = open(freshPath());
        try {
          await appendAll(journal, nodeMixEvents(`history-${units}`, units));
          const summary = [];
          for (let i = 0; i < 50; i++) {
            const start = performance.now();
            journal.ledger.summary(REQUESTER);
            summary.push(performance.now() - start);
          }
          const page = [];
          let transfers = 0;
          for (let i = 0; i < 5; i++) {
            const start = performance.now();
            transfers = journal.ledger.transfers(REQUESTER, TRANSFERS_PAGE).length;
            page.push(performance.now() - start);
          }
          // After the statements' first runs.
          return { summary: median(summary.slice(10)), page: median(page.slice(1)), transfers };
        } finally {
          journal.close();
        }
      };
      const short = (await readMs(SHORT_HISTORY_UNITS)).summary;
      const { summary: long, page, transfers } = await readMs(LONG_HISTORY_UNITS);
      return [
        {
          name: 'ledger_transfers_page_ms',
          value: round(page, 1),
          unit: 'ms',
          target: 'report (one main-thread task; the Earnings page reads it once, then only what is newer)',
          transfers,
          us_per_transfer: round((page * 1000) / transfers, 2),
          units: LONG_HISTORY_UNITS,
        },
        {
          name: 'ledger_summary_history_ratio',
          value: round(long / short, 2),
          unit: 'x',
          target: 'report (1 when it does not grow with history)',
          summary_ms: round(long, 3),
          baseline_summary_ms: round(short, 3),
          units: LONG_HISTORY_UNITS,
          baseline_units: SHORT_HISTORY_UNITS,
        },
      ];
    }),
};

export const benchmarks: Benchmark[] = [groupCommit, singleCommit, replay, unitsPerSecond, ledgerReadsByHistory];
