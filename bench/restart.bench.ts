// Start time against history (npm run bench -- restart): a node whose journal holds a finished job
// of many units (each unit's nine events, written with the journal API: created, two offers,
// accepted, escrow, result, verdict, receipt, settle) is started with `meshctl node start` and
// timed to its first `status` answer, against the same for an empty data dir, in the same run.
// - Its first start has no snapshot: it folds the whole journal, compacts the finished job, and
//   writes a snapshot at its clean stop (seconds_without_snapshot).
// - The starts after load that snapshot: restart_ratio_1m_units = their time ÷ the empty node's.
// - restart_live_job_ratio: the same job kept whole (`--keep-finished-days`, which a node sets only
//   if asked: by default a finished job is compacted 10 minutes after its last payment), so that
//   its snapshot holds all its units, ÷ the empty node's.
// - Beside it, what compacting that whole job costs, in this process: what it keeps first (its
//   units' details, Archive.keepDetails: who ran each, and how long; the blobs they still need,
//   keepNeeds), then its `job.compacted` journaled and applied; and the details' bytes a unit.
// RESTART_UNITS sets the job's size (default 100,000 units: 900,000 events; 1,000,000 makes a
// journal of about 9 GB).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { NodeEvent } from '../src-main/core/schemas/index.js';
import { loadOrCreateIdentity } from '../src-main/node/identity/identity.js';
import { Journal } from '../src-main/node/journal/index.js';
import Database from 'better-sqlite3';
import { keptNeedsOf } from '../src-main/core/mesh/rules/blob-needs.js';
import { jobSummary, unitDetailsOf } from '../src-main/node/mesh/views/job-view.js';
import { loadState } from '../src-main/node/mesh/state/state-keeper.js';
import { jobOpening, unitLife } from '../test/node/fixtures/journal-events.js';
import { startChild, stopChild } from '../test/node/mesh/child-nodes.js';
import { median, round, type Benchmark, type Figure } from './harness.js';

const UNITS = Number(process.env['RESTART_UNITS'] ?? 100_000);
/** Starts of each data dir: on a shared machine one start in three can take half again as long as the others. */
const RUNS = 7;

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

function openJournal(dataDir: string): Journal {
  const opened = Journal.open(join(dataDir, 'journal.sqlite'));
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.journal;
}

/** Journals a finished job of `units` units, requested by the data dir's own node. */
async function journalFinishedJob(dataDir: string, units: number): Promise<{ requester: string; events: number }> {
  mkdirSync(dataDir, { mode: 0o700 });
  const requester = (await loadOrCreateIdentity(dataDir)).peerId;
  const journal = openJournal(dataDir);
  // Its providers are real peer ids (a node parses those it meets), of nodes that are not running.
  const peer = async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
  const shape = { requester, units, worker: await peer(), otherWorker: await peer() };
  let batch: NodeEvent[] = jobOpening('restart', 0, shape);
  let events = 0;
  for (let u = 0; u < units; u++) {
    batch.push(...unitLife('restart', 0, u, shape));
    if (batch.length < 9000 && u < units - 1) continue;
    const outcomes = await journal.appendAll(batch);
    if (outcomes.some((o) => !o.ok)) throw new Error('the benchmark events were refused');
    events += batch.length;
    batch = [];
  }
  journal.close();
  return { requester, events };
}

/** Seconds of each clean stop timeToHealth made, by data dir (SIGTERM to exit). */
const stops = new Map<string, number[]>();
/** The node's resident memory (MiB) at its first answer, each start, by data dir. */
const rss = new Map<string, number[]>();

/** A process's resident memory in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

/** Seconds from `meshctl node start` to its first `status` answer; the node is then stopped cleanly. */
async function timeToHealth(dataDir: string, settleMs = 0, env: Record<string, string> = {}): Promise<number> {
  const start = process.hrtime.bigint();
  const node = await startChild({ dataDir, workers: 1, env });
  await node.api.call('status', {});
  const elapsed = seconds(start);
  rss.set(dataDir, [...(rss.get(dataDir) ?? []), rssMiB(node.process.pid!)]);
  await sleep(settleMs);
  const stopping = process.hrtime.bigint();
  await stopChild(node);
  stops.set(dataDir, [...(stops.get(dataDir) ?? []), seconds(stopping)]);
  return elapsed;
}

/** How long a first start runs before its clean stop: time to compact the finished job. */
const FIRST_START_SETTLE_MS = 5000;

/** A node that keeps finished jobs whole for 100 years: the benchmark's job is never compacted. */
const KEEP_WHOLE = { MESH_KEEP_FINISHED_DAYS: '36500' };

/** The snapshot a data dir's last start left: its size, and what it holds of `jobId`. */
function snapshotOf(dataDir: string, requester: string, jobId: string) {
  const journal = openJournal(dataDir);
  try {
    const loaded = loadState(journal, requester);
    return {
      usable: loaded.snapshotSeq !== null && loaded.folded === 0,
      miss: loaded.miss,
      compacted: loaded.state.jobs.get(jobId)?.summary !== undefined,
      assignments: loaded.state.assignments.size,
      bytes: journal.snapshots.size(),
    };
  } finally {
    journal.close();
  }
}

/** Compacts the data dir's whole job in this process, as a node's StateKeeper does: seconds of each step, and the details' bytes a unit. */
async function compactionOf(dataDir: string, requester: string, jobId: string) {
  const journal = openJournal(dataDir);
  try {
    const { state } = loadState(journal, requester);
    const record = state.jobs.get(jobId)!;
    const started = process.hrtime.bigint();
    await journal.archive.keepDetails(jobId, unitDetailsOf(state, record));
    await journal.archive.keepNeeds(jobId, keptNeedsOf(state, jobId));
    const keepSeconds = seconds(started);
    const journaled = process.hrtime.bigint();
    const event = {
      type: 'job.compacted',
      event_id: `compacted/${jobId}`,
      at: new Date().toISOString(),
      job_id: jobId,
      summary: jobSummary(state, record),
    } as const;
    const [outcome] = await journal.appendAll([event]);
    if (!outcome?.ok) throw new Error('the job.compacted event was refused');
    state.apply(event);
    const eventSeconds = seconds(journaled);
    if (state.assignments.size > 0) throw new Error('the job was not compacted');
    return { keepSeconds, eventSeconds };
  } finally {
    journal.close();
  }
}

/** Bytes of a table on disk (its pages, by SQLite's dbstat). */
function tableBytes(dataDir: string, table: string): number {
  const db = new Database(join(dataDir, 'journal.sqlite'), { readonly: true });
  try {
    return db.prepare<[string], number>('SELECT SUM(pgsize) FROM dbstat WHERE name = ?').pluck().get(table) ?? 0;
  } finally {
    db.close();
  }
}

/** A data dir's clean stops: the first (after the start that folded the journal), and the median of the rest. */
function stopFigures(dataDir: string) {
  const [first = 0, ...rest] = stops.get(dataDir) ?? [];
  return { stop_seconds_first: round(first, 3), stop_seconds: round(median(rest), 3) };
}

const restart: Benchmark = {
  names: ['restart_ratio_1m_units', 'restart_live_job_ratio'],
  run: async (): Promise<Figure[]> => {
    const root = mkdtempSync(join(tmpdir(), 'mesh-restart-bench-'));
    try {
      const empty = join(root, 'empty');
      mkdirSync(empty, { mode: 0o700 });
      const big = join(root, 'big');
      const written = process.hrtime.bigint();
      const { requester, events } = await journalFinishedJob(big, UNITS);
      const writeSeconds = seconds(written);
      const live = join(root, 'live');
      cpSync(big, live, { recursive: true });
      await timeToHealth(empty); // makes its identity and journal, as a first start does

      // The first start folds it all and compacts; its clean stop writes the snapshot. Compaction
      // takes ~1.1 s on a quick VM and 2.3 s on a slow one, where 2 s of settling stopped it first.
      const withoutSnapshot = await timeToHealth(big, FIRST_START_SETTLE_MS);
      const compactedSnapshot = snapshotOf(big, requester, 'restart-job-0');
      if (!compactedSnapshot.usable || !compactedSnapshot.compacted)
        throw new Error(`no usable snapshot of the compacted job after the first start (${compactedSnapshot.miss})`);
      await timeToHealth(live, FIRST_START_SETTLE_MS, KEEP_WHOLE);
      const liveSnapshot = snapshotOf(live, requester, 'restart-job-0');
      if (!liveSnapshot.usable || liveSnapshot.compacted || liveSnapshot.assignments < UNITS)
        throw new Error(`no usable snapshot of the whole job after the first start (${liveSnapshot.miss})`);

      const compacting = join(root, 'compacting');
      cpSync(live, compacting, { recursive: true });
      const compaction = await compactionOf(compacting, requester, 'restart-job-0');

      const withSnapshot: number[] = [];
      const withLiveJob: number[] = [];
      const emptyRuns: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        emptyRuns.push(await timeToHealth(empty));
        withSnapshot.push(await timeToHealth(big));
        withLiveJob.push(await timeToHealth(live, 0, KEEP_WHOLE));
      }
      const baseline = median(emptyRuns);
      return [
        {
          name: 'restart_ratio_1m_units',
          value: round(median(withSnapshot) / baseline, 3),
          unit: 'ratio',
          units: UNITS,
          events,
          journal_mb: round(statSync(join(big, 'journal.sqlite')).size / 2 ** 20, 1),
          journal_write_s: round(writeSeconds, 1),
          seconds_with_snapshot: round(median(withSnapshot), 3),
          seconds_empty: round(baseline, 3),
          seconds_without_snapshot: round(withoutSnapshot, 3),
          rss_mib: round(median(rss.get(big)!), 0),
          rss_mib_empty: round(median(rss.get(empty)!), 0),
          ratio_without_snapshot: round(withoutSnapshot / baseline, 3),
          snapshot_bytes: compactedSnapshot.bytes,
          ...stopFigures(big),
          measured: `meshctl node start → first status answer, median of ${RUNS}, alternating with the empty data dir`,
        },
        {
          name: 'restart_live_job_ratio',
          value: round(median(withLiveJob) / baseline, 3),
          unit: 'ratio',
          units: UNITS,
          seconds_with_live_job: round(median(withLiveJob), 3),
          rss_mib: round(median(rss.get(live)!), 0),
          seconds_empty: round(baseline, 3),
          snapshot_bytes: liveSnapshot.bytes,
          ...stopFigures(live),
          compaction_keep_s: round(compaction.keepSeconds, 3),
          compaction_event_s: round(compaction.eventSeconds, 3),
          unit_details_bytes_per_unit: round(tableBytes(compacting, 'unit_details') / UNITS, 1),
          measured: `as restart_ratio_1m_units, the job kept whole (MESH_KEEP_FINISHED_DAYS=36500): its snapshot holds all its units`,
        },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export const benchmarks: Benchmark[] = [restart];
