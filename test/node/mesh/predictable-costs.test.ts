// Costs a user can predict (issue 79), end to end: a requester with its local API (as `meshctl node
// start` runs it) and a provider, real nodes on loopback, and meshctl in a child process. A render
// job is quoted first (`submit-job --dry-run`: nothing journaled, nothing stored), submitted with
// too little budget, pauses saying what it needs, is raised to that with `meshctl job budget`, and
// completes. What was quoted, held and paid agree within the bounds this test states and prints:
// - the cost quoted and what the job paid: within 10 %;
// - a result in, accepted unchecked, holds its own price (a ledger `release`) until the job
//   completes, and is paid that price (90 % of it to its worker, the verifier share back to the job);
// - a unit in flight holds its offer's cap, at most twice the price quoted for it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { JobEstimate, JobView } from '../../../src-main/core/api/contract.js';
import { FUEL_CAP_HEADROOM, formatCredits } from '../../../src-main/core/ledger/index.js';
import { heldOf, type AssignmentRecord } from '../../../src-main/core/mesh/state/records.js';
import { startDaemon } from '../../../src-main/node/mesh/api/daemon.js';
import { MESHCTL } from './child-nodes.js';
import { meshOf, startNode, waitFor, type TestNode } from './cluster.js';

const run = promisify(execFile);
const SCENE = 'assets/scenes/orbit.json';
/** 10 frames of the moving sample at 320×180, 16 spp: 60 units of 128 px, each billed by its fuel. */
const RENDER = ['--render', SCENE, '--frames', '0-9', '--width', '320', '--height', '180', '--spp', '16'];

test(
  'a render job quoted by --dry-run, submitted short of budget, paused with what it needs, raised, completed: quoted ≈ held ≈ paid',
  { timeout: 180_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mesh-costs-'));
    const daemon = await startDaemon({
      dataDir,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      workers: 1,
      log: () => {},
    });
    const provider = await startNode();
    t.after(async () => {
      await Promise.all([daemon.stop(), provider.node.stop()]);
      for (const dir of [dataDir, provider.dataDir]) rmSync(dir, { recursive: true, force: true });
    });
    const requester: TestNode = { node: daemon.node, api: daemon.handlers, dataDir };
    await meshOf([requester, provider]);
    const { node, api } = requester;
    const meshctl = async (...args: string[]) =>
      (await run('./node_modules/.bin/node', [MESHCTL, ...args, '--data-dir', dataDir])).stdout;
    // The provider's slot is listed once its calibration is done: then the quote can time the job.
    await waitFor(
      'the provider to offer its cores',
      () => (node.ctx.commitments.get(provider.node.peerId)?.availability_slots.length ?? 0) > 0,
      60_000,
    );

    // 1. The quote: printed, and nothing journaled or stored.
    const seq = node.journal.lastSeq();
    const blobs = (await api['storage.get']({})).blobs;
    const text = await meshctl('submit-job', ...RENDER, '--budget', '1', '--dry-run');
    const quote = JSON.parse(
      await meshctl('submit-job', ...RENDER, '--budget', '1', '--dry-run', '--json'),
    ) as JobEstimate;
    assert.equal(node.journal.lastSeq(), seq, 'the dry runs journaled nothing');
    assert.equal((await api['jobs.list']({})).total, 0);
    assert.equal((await api['storage.get']({})).blobs, blobs, 'and stored nothing');
    assert.deepEqual([quote.units, quote.frames, quote.tile, quote.units_per_pack], [60, 10, 128, 1]);
    assert.equal(quote.priced_by, 'own', 'no offer in hand: its own prices');
    assert.equal(quote.enough, false);
    assert.ok(quote.cores >= 1, `${quote.cores} cores offered`);
    assert.ok(quote.seconds !== null && quote.seconds > 0);
    console.log(text);
    const lines = text.split('\n');
    assert.equal(lines[0], 'dry run: nothing submitted');
    assert.equal(lines[1], 'units      60 tiles of 128 px, 10 frames');
    assert.equal(
      lines[2],
      `cost       about ${formatCredits(quote.cost)} credits in all (${(quote.cost / 60 / 1000).toPrecision(3)} a tile)`,
    );
    assert.match(
      lines[4]!,
      new RegExp(
        `^budget     1\\.000 credits: short; about ${formatCredits(quote.budget_needed)} sees it through without pausing$`,
      ),
    );
    assert.match(lines[5]!, /^time       about \d+ (ms|s|min) on the \d+ cores? offered now$/);
    assert.match(
      lines[6]!,
      /^priced at  this node's own prices, no offer being in hand \(0\.300 credits a 10⁹ fuel, at least 0\.010 a unit\)$/,
    );

    // 2. Submitted with 40 % of the budget it needs: it runs until that is spent, then pauses.
    const budget = Math.round(quote.budget_needed * 0.4);
    const submitted = JSON.parse(
      await meshctl('submit-job', ...RENDER, '--budget', formatCredits(budget), '--json'),
    ) as { job_id: string };
    const jobId = submitted.job_id;
    let mostHeld = 0;
    const paused = await waitFor(
      'the job to pause',
      async () => {
        const { job } = await api['jobs.status']({ job_id: jobId, units: false });
        mostHeld = Math.max(mostHeld, job.held);
        assert.notEqual(job.state, 'completed', `a budget of ${budget} saw it through`);
        return job.state === 'paused' ? job : undefined;
      },
      120_000,
    );
    assert.ok(mostHeld <= budget, `never held more than its budget: ${mostHeld} of ${budget}`);
    assert.ok(paused.units_verified > 0 && paused.units_verified < 60, `${paused.units_verified} verified`);
    // Paused, nothing is in flight: every result in holds its own price, or was paid it.
    const assignments = [...node.state.assignments.values()].filter((a) => a.acceptance.job_id === jobId);
    const heldAtPause = new Map(
      assignments.filter((a) => a.escrow === 'held').map((a) => [a.acceptance.assignment_id, heldOf(a)] as const),
    );
    for (const a of assignments) {
      if (a.escrow !== 'held') continue;
      assert.ok(a.result, 'a held escrow has its result in');
      assert.ok(heldOf(a) < a.acceptance.price, `${a.acceptance.assignment_id} holds its price, not its cap`);
    }
    assert.equal(
      paused.held,
      [...heldAtPause.values()].reduce((sum, held) => sum + held, 0),
    );
    // What it says it needs, in the API, in `meshctl job status`, the same figures.
    const needed = paused.budget_needed!;
    assert.ok(needed > budget);
    const status = await meshctl('job', 'status', jobId);
    assert.match(status, /\nstate\s+paused\n/);
    assert.ok(status.includes(`about ${formatCredits(needed)} needed to finish`), status);
    assert.ok(status.includes(paused.waiting!), status);
    // The budget it needs to finish is what was quoted for the whole job, within 10 %.
    assert.ok(Math.abs(needed / quote.budget_needed - 1) <= 0.1, `needs ${needed}, quoted ${quote.budget_needed}`);

    // 3. Raised to what it needs with meshctl: it goes on, and completes without pausing again.
    await meshctl('job', 'budget', jobId, formatCredits(needed));
    const ended = await waitFor(
      'the job to complete',
      async () => {
        const { job } = await api['jobs.status']({ job_id: jobId, units: false });
        mostHeld = Math.max(mostHeld, job.held);
        assert.notEqual(job.state, 'paused', `paused again, short of what it said it needed: ${job.waiting}`);
        return job.state === 'running' ? undefined : job;
      },
      120_000,
    );
    assert.equal(ended.state, 'completed');
    assert.equal(ended.units_verified, 60);
    assert.equal(ended.held, 0);
    const pauses = (await api['events.since']({ after: 0, limit: 10_000 })).events.filter(
      (e) => e.type === 'job.paused',
    );
    assert.equal(pauses.length, 1, 'it paused once');
    assert.ok(ended.spent <= needed, `paid ${ended.spent}, within the ${needed} it asked for`);

    // 4. Quoted ≈ held ≈ paid.
    const figures = measured(quote, ended, node.state.assignments.values(), heldAtPause);
    console.log(`quoted, held and paid a tile (credits): ${JSON.stringify(figures)}`);
    assert.ok(Math.abs(figures.paid / figures.quoted_cost - 1) <= 0.1, 'paid within 10 % of the quote');
    assert.ok(
      Math.abs(figures.price / figures.quoted_price - 1) <= 0.1,
      "each result's price within 10 % of the quote's",
    );
    assert.equal(figures.held_with_result, figures.price_of_held, 'a result in holds exactly what it is paid');
    assert.ok(
      figures.held_in_flight <= FUEL_CAP_HEADROOM * figures.quoted_price * 1.1,
      'a unit in flight holds its cap',
    );
  },
);

/** The job's figures a tile, in credits: quoted (cost, price), paid, each result's price, and what was held. */
function measured(
  quote: JobEstimate,
  ended: JobView,
  all: Iterable<AssignmentRecord>,
  heldAtPause: ReadonlyMap<string, number>,
) {
  const mine = [...all].filter((a) => a.acceptance.job_id === ended.job_id && a.escrow === 'paid');
  const price = (a: (typeof mine)[number]) =>
    a.closing?.kind === 'settle' ? (a.closing.amount ?? a.acceptance.price) : a.acceptance.price;
  const heldOnes = mine.filter((a) => heldAtPause.has(a.acceptance.assignment_id));
  const per = (sum: number, n: number) => Number((sum / n / 1000).toFixed(5));
  return {
    quoted_cost: per(quote.cost, quote.units),
    quoted_price: per(quote.unit_price * quote.units, quote.units),
    paid: per(ended.spent, ended.units_verified),
    price: per(
      mine.reduce((sum, a) => sum + price(a), 0),
      mine.length,
    ),
    held_in_flight: per(
      mine.reduce((sum, a) => sum + a.acceptance.price, 0),
      mine.length,
    ),
    held_with_result: per(
      [...heldAtPause.values()].reduce((sum, h) => sum + h, 0),
      heldAtPause.size,
    ),
    price_of_held: per(
      heldOnes.reduce((sum, a) => sum + price(a), 0),
      heldOnes.length,
    ),
  };
}
