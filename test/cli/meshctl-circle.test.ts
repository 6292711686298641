// meshctl's circle commands on five real nodes (issue 90, done when): the built CLI in child
// processes, each against its own node's data dir, founds a circle, proposes from a fragment file,
// votes, and reads the policy and the history every member computes; and an invite carrying the
// circle brings a sixth peer in once the members approve.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDaemon, type Daemon } from '../../src-main/node/mesh/api/daemon.js';
import { meshOf, waitFor } from '../node/mesh/cluster.js';
import { runMeshctl } from './fixtures/run-meshctl.js';

const daemons: Daemon[] = [];
const dirs: string[] = [];

before(async () => {
  for (let i = 0; i < 6; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), `meshctl-circle-${i}-`));
    dirs.push(dataDir);
    daemons.push(
      await startDaemon({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} }),
    );
  }
  // The first five know and trust each other; the sixth comes in by an invite.
  await meshOf(daemons.slice(0, 5).map((d, i) => ({ node: d.node, api: d.handlers, dataDir: dirs[i]! })));
});
after(() => Promise.all(daemons.map((d) => d.stop())));

/** meshctl against node `i`, expected to succeed; its stdout. */
async function meshctl(i: number, ...args: string[]): Promise<string> {
  const run = await runMeshctl([...args, '--data-dir', dirs[i]!]);
  assert.equal(run.status, 0, `meshctl ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

test('meshctl circle: create, propose from a file, vote, and every member shows the new policy and its history', async () => {
  const peers = daemons.slice(1, 5).map((d) => d.node.peerId);
  const created = await meshctl(0, 'circle', 'create', 'studio', ...peers);
  const id = /^circle (\S+): studio, 5 members$/m.exec(created)?.[1];
  assert.ok(id, created);
  await waitFor(
    'all five joined',
    () => daemons.slice(0, 5).every((d) => d.node.circles.ids().includes(id)) || undefined,
    15_000,
  );
  assert.match(await meshctl(3, 'circle', 'list'), /studio\s+5\s+0\s+0/);
  assert.equal((await meshctl(2, 'circle', 'members', 'studio')).trim().split('\n').length, 5);

  const fragment = join(dirs[0]!, 'fragment.json');
  writeFileSync(fragment, JSON.stringify({ rewards: { worker_pct: 80, verifier_pct: 20 } }));
  const proposed = await meshctl(
    0,
    'circle',
    'propose',
    id.slice(0, 20),
    '--update-file',
    fragment,
    '--description',
    'pay the verifiers more',
  );
  const proposal = /^proposal (\S+): open/m.exec(proposed)?.[1];
  assert.ok(proposal, proposed);
  await waitFor(
    'the proposal everywhere',
    () => daemons.slice(0, 5).every((d) => d.node.circles.state(id).proposals.length === 1) || undefined,
    10_000,
  );
  assert.match(
    await meshctl(4, 'circle', 'proposals', 'studio'),
    /open\s+rewards\.worker_pct, rewards\.verifier_pct\s+0 approve/,
  );
  const refused = await runMeshctl(['circle', 'vote', 'studio', proposal, '--data-dir', dirs[1]!]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /say one of --approve, --reject or --abstain/);
  for (const i of [0, 1])
    assert.match(await meshctl(i, 'circle', 'vote', 'studio', proposal, '--approve'), /^open: \d approve/);
  assert.match(await meshctl(2, 'circle', 'vote', 'studio', proposal, '--approve'), /^passed: 3 approve/);

  await waitFor(
    'active on all five',
    () => daemons.slice(0, 5).every((d) => d.node.circles.state(id).policy.rewards.worker_pct === 80) || undefined,
    10_000,
  );
  for (let i = 0; i < 5; i++) {
    const policy = JSON.parse(await meshctl(i, 'circle', 'policy', 'view', 'studio', '--json')) as {
      rewards: { verifier_pct: number };
    };
    assert.equal(policy.rewards.verifier_pct, 20, `node ${i}`);
  }
  const history = await meshctl(4, 'circle', 'history', 'studio');
  assert.match(history, /version 1, .*: pay the verifiers more \(3 approving votes\)/);
  assert.match(history, /rewards\.worker_pct: 90 → 80/);
  assert.match(history, /rewards\.verifier_pct: 10 → 20/);

  // A sixth peer accepts an invite carrying the circle: the inviter proposes it and approves; two more approvals bring it in.
  const code = (await meshctl(0, 'invite', '--circle', 'studio')).trim();
  await meshctl(5, 'invite', 'accept', code);
  const newcomer = daemons[5]!.node.peerId;
  await waitFor(
    'the invitee proposed',
    () => daemons[1]!.node.circles.state(id).proposals.some((p) => p.status === 'open') || undefined,
    10_000,
  );
  const open = daemons[1]!.node.circles.state(id).proposals.find((p) => p.status === 'open')!;
  assert.deepEqual(open.proposal.change.add_members, [newcomer]);
  // The invitee's link is to the inviter: the others reach it through it, or once they connect.
  await meshOf(daemons.map((d, i) => ({ node: d.node, api: d.handlers, dataDir: dirs[i]! })));
  for (const i of [1, 2]) await meshctl(i, 'circle', 'vote', 'studio', open.cid, '--approve');
  await waitFor('the invitee joined', () => daemons[5]!.node.circles.ids().includes(id) || undefined, 15_000);
  assert.match(await meshctl(5, 'circle', 'show', 'studio'), /members\s+6/);
  assert.equal(JSON.parse(await meshctl(5, 'circle', 'policy', 'view', 'studio', '--json')).rewards.worker_pct, 80);
});
