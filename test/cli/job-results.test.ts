// A job's results as a user gets them back, with meshctl run from a folder of their own against two
// real nodes (child processes on 127.0.0.1): relative paths read and written there, every unit's
// output as a file named by its index, one unit named by its index alone, all of them in one file,
// and the ledger a line a job (every transfer with --entries).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { jobEnd, killAllChildren, MESHCTL, startMesh, within, type ChildNode } from '../node/mesh/child-nodes.js';

const here = mkdtempSync(join(tmpdir(), 'meshctl-results-'));
after(() => {
  killAllChildren();
  rmSync(here, { recursive: true, force: true });
});

const UNITS = 12;
const CHUNK = 64;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** meshctl as the user runs it, standing in `cwd`, on `node`'s data dir. */
function meshctlIn(cwd: string, node: ChildNode, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MESHCTL, ...args, '--data-dir', node.dataDir], { cwd }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test(
  "a job's outputs come back as files in the user's folder; the ledger is a line a job",
  { timeout: 300_000 },
  async () => {
    const [alice, bob] = (await startMesh([{}, {}])) as [ChildNode, ChildNode];
    const user = join(here, 'work');
    mkdirSync(user);
    const input = randomBytes(UNITS * CHUNK);
    writeFileSync(join(user, 'input.bin'), input);
    const digests = Array.from({ length: UNITS }, (_, i) =>
      createHash('sha256')
        .update(input.subarray(i * CHUNK, (i + 1) * CHUNK))
        .digest(),
    );
    const run = (...args: string[]) => meshctlIn(user, alice, ...args);

    // A unit a pack: twelve assignments, twelve payments, one job.
    const submit = ['submit-job', '--library', 'hash', '--method', 'sha256', '--input', 'input.bin'];
    const terms = ['--chunk-bytes', String(CHUNK), '--units-per-pack', '1', '--budget', '100', '--json'];
    const submitted = await run(...submit, ...terms);
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { job_id: string }).job_id;
    const job = await jobEnd(alice, jobId, 240_000);
    assert.equal(job.state, 'completed');

    const [each, one, concat, outside, both] = await Promise.all([
      run('job', 'output', jobId, '--out', 'results'),
      run('job', 'output', jobId, '3', '--out', 'three.bin'),
      run('job', 'output', jobId, '--concat', 'all.bin'),
      run('job', 'output', jobId, String(UNITS), '--out', 'none.bin'),
      run('job', 'output', jobId, '--out', 'x', '--concat', 'y'),
    ]);

    // Every unit, a file each named by its index, zero-padded so they sort in unit order.
    assert.equal(each.code, 0, each.stderr);
    const names = readdirSync(join(user, 'results'));
    assert.deepEqual(
      names,
      digests.map((_, i) => String(i).padStart(2, '0')),
    );
    names.forEach((name, i) => assert.deepEqual(readFileSync(join(user, 'results', name)), digests[i], name));
    assert.match(
      each.stdout,
      new RegExp(`wrote the outputs of ${UNITS} of the job's ${UNITS} units to results/00 … results/11`),
    );

    // One unit by its index alone, and all of them in one file in unit order.
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(readFileSync(join(user, 'three.bin')), digests[3]);
    assert.equal(concat.code, 0, concat.stderr);
    assert.deepEqual(readFileSync(join(user, 'all.bin')), Buffer.concat(digests));
    assert.equal(existsSync(join(user, 'all.bin.partial')), false);

    // A unit the job does not have says which it has; --out and --concat together, which to give.
    assert.equal(outside.code, 1);
    assert.equal(
      outside.stderr,
      `meshctl: no unit ${jobId}/${UNITS} in job ${jobId} (its units: ${jobId}/0 to ${jobId}/${UNITS - 1})\n`,
    );
    assert.match(
      both.stderr,
      /^meshctl: every unit: --out <dir> \(a file each\) or --concat <file> \(one file\), one of them\n$/,
    );

    // Paid in full on both sides before the ledgers are read.
    for (const node of [alice, bob])
      await within('nothing held', 60_000, async () =>
        (await node.api.call('ledger.get', { limit: 0 })).held === 0 ? true : undefined,
      );
    const [ledger, entries, ledgerJson, bobJson] = await Promise.all([
      run('ledger'),
      run('ledger', '--entries'),
      run('ledger', '--json'),
      meshctlIn(user, bob, 'ledger', '--json'),
    ]);
    assert.equal(ledger.code, 0, ledger.stderr);
    const jobLines = ledger.stdout.split('\n').filter((line) => line.includes(jobId));
    assert.equal(jobLines.length, 1, ledger.stdout);
    assert.match(jobLines[0]!, /requester/);
    const transferLines = entries.stdout.split('\n').filter((line) => line.includes(jobId));
    assert.equal(transferLines.length, UNITS, `a transfer a unit with --entries:\n${entries.stdout}`);

    // What the ledger says the job paid is what its status says it spent; the provider was paid as
    // much as its own transfers for the job add up to.
    type LedgerJobs = { jobs: { job_id: string; role: string; entries: number; paid: number; held: number }[] };
    const mine = (JSON.parse(ledgerJson.stdout) as LedgerJobs).jobs.find((j) => j.job_id === jobId)!;
    const spent = (await alice.api.call('jobs.status', { job_id: jobId })).job.spent;
    assert.deepEqual([mine.role, mine.paid, mine.held], ['requester', spent, 0]);
    assert.ok(mine.entries >= 2 * UNITS, `an escrow and a settle a unit at least: ${mine.entries}`);
    const theirs = (JSON.parse(bobJson.stdout) as LedgerJobs).jobs.find((j) => j.job_id === jobId)!;
    const { transfers } = await bob.api.call('ledger.transfers', { limit: 1000 });
    const earned = transfers.filter((t) => t.job_id === jobId).reduce((sum, t) => sum + t.amount, 0);
    assert.ok(earned > 0);
    assert.deepEqual([theirs.role, theirs.paid], ['provider', earned]);
  },
);
