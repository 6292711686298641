// Start time against history (npm run bench -- restart): a node whose journal holds a finished job
// of many units (each unit's nine events, written with the journal API: created, two offers,
// accepted, escrow, result, verdict, receipt, settle) is started with `meshctl node start` and
// timed to its first `status` answer, against the same for an empty data dir, in the same run.
// - Its first start has no snapshot: it folds the whole journal, compacts the finished job, and
//   writes a snapshot at its clean stop (seconds_without_snapshot).
// - The starts after load that snapshot: restart_ratio_1m_units = their time ÷ the empty node's.
// RESTART_UNITS sets the job's size (default 100,000 units: 900,000 events; 1,000,000 makes a
// journal of about 9 GB).
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { NodeEvent } from '../src-main/core/schemas/index.js';
import { loadOrCreateIdentity } from '../src-main/node/identity/identity.js';
import { Journal } from '../src-main/node/journal/index.js';
import { loadState } from '../src-main/node/mesh/state-keeper.js';
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

/** Seconds from `meshctl node start` to its first `status` answer; the node is then stopped cleanly. */
async function timeToHealth(dataDir: string, settleMs = 0): Promise<number> {
  const start = process.hrtime.bigint();
  const node = await startChild({ dataDir, workers: 1 });
  await node.api.call('status', {});
  const elapsed = seconds(start);
  await sleep(settleMs);
  await stopChild(node);
  return elapsed;
}

const restart: Benchmark = {
  names: ['restart_ratio_1m_units'],
  run: async (): Promise<Figure[]> => {
    const root = mkdtempSync(join(tmpdir(), 'mesh-restart-bench-'));
    try {
      const empty = join(root, 'empty');
      mkdirSync(empty, { mode: 0o700 });
      const big = join(root, 'big');
      const written = process.hrtime.bigint();
      const { requester, events } = await journalFinishedJob(big, UNITS);
      const writeSeconds = seconds(written);
      await timeToHealth(empty); // makes its identity and journal, as a first start does

      // The first start folds it all and compacts; its clean stop writes the snapshot.
      const withoutSnapshot = await timeToHealth(big, 2000);
      const journal = openJournal(big);
      const loaded = loadState(journal, requester);
      const compacted = loaded.state.jobs.get('restart-job-0')?.summary !== undefined;
      const snapshotBytes = journal.snapshots.size();
      journal.close();
      if (loaded.snapshotSeq === null || loaded.folded !== 0 || !compacted)
        throw new Error(`no usable snapshot of the compacted job after the first start (${loaded.miss})`);

      const withSnapshot: number[] = [];
      const emptyRuns: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        emptyRuns.push(await timeToHealth(empty));
        withSnapshot.push(await timeToHealth(big));
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
          ratio_without_snapshot: round(withoutSnapshot / baseline, 3),
          snapshot_bytes: snapshotBytes,
          measured: `meshctl node start → first status answer, median of ${RUNS}, alternating with the empty data dir`,
        },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export const benchmarks: Benchmark[] = [restart];
