// One node per data dir: a second `node start` on a data dir a running node holds is refused with
// the holder's pid, before it prints an address; a node killed with SIGKILL leaves a stale lock
// that the next start takes over; a node stopped hands the data dir on at once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LOCK_FILE } from '../../../src-main/node/config/data-dir-lock.js';
import { startDaemon } from '../../../src-main/node/mesh/api/daemon.js';
import { MeshNode } from '../../../src-main/node/mesh/wiring/mesh-node.js';
import { killAllChildren, meshctl, nodeStartArgs, startChild, stopChild } from './child-nodes.js';

after(killAllChildren);

const freshDir = () => mkdtempSync(join(tmpdir(), 'mesh-lock-'));
const options = (dataDir: string) => ({
  dataDir,
  listen: ['/ip4/127.0.0.1/tcp/0'],
  mdns: false,
  workers: 1,
  log: () => {},
});

test('a second node start on a running node’s data dir is refused with its pid, and prints no address', async (t) => {
  const first = await startChild();
  t.after(() => rmSync(first.dataDir, { recursive: true, force: true }));
  const second = await meshctl([...nodeStartArgs(first.dataDir, ['--print-ui-url']).slice(1), '--workers', '1']);
  assert.equal(second.code, 1);
  assert.match(
    second.stderr,
    new RegExp(`another node \\(pid ${first.process.pid}\\) is running on data dir ${first.dataDir}`),
  );
  assert.equal(second.stdout, '', 'no web UI address for a node that cannot start');
  assert.ok(await first.api.call('status', {}), 'the first node runs on');
});

test('a node killed with SIGKILL leaves a stale lock, which the next start takes over', async (t) => {
  const first = await startChild();
  t.after(() => rmSync(first.dataDir, { recursive: true, force: true }));
  await stopChild(first, 'SIGKILL');
  assert.equal(readFileSync(join(first.dataDir, LOCK_FILE), 'utf8').trim(), String(first.process.pid));
  const again = await startChild({ dataDir: first.dataDir });
  assert.equal(again.peerId, first.peerId, 'the same node, started again');
  assert.equal(readFileSync(join(first.dataDir, LOCK_FILE), 'utf8').trim(), String(again.process.pid));
  await stopChild(again);
  assert.equal(
    existsSync(join(first.dataDir, LOCK_FILE)),
    false,
    `a clean stop removes the lock: ${again.process.exitCode} ${again.process.signalCode} ${again.stderr()}`,
  );
});

test('in one process: a second node on the data dir is refused until the first stops', async (t) => {
  const dataDir = freshDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await MeshNode.start(options(dataDir));
  await assert.rejects(MeshNode.start(options(dataDir)), /another node \(pid \d+\) is running/);
  await first.stop();
  const second = await MeshNode.start(options(dataDir));
  assert.equal(second.peerId, first.peerId);
  await second.stop();
});

test('a lock held by another live process refuses the daemon before its API listens', async (t) => {
  const dataDir = freshDir();
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  t.after(() => {
    holder.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  writeFileSync(join(dataDir, LOCK_FILE), `${holder.pid}\n`);
  let listened = false;
  await assert.rejects(
    startDaemon(options(dataDir), () => (listened = true)),
    new RegExp(`another node \\(pid ${holder.pid}\\)`),
  );
  assert.equal(listened, false);
});

test('a stop signal that reaches the node twice at once (Ctrl-C under npm start) still stops it cleanly', async (t) => {
  const node = await startChild();
  t.after(() => rmSync(node.dataDir, { recursive: true, force: true }));
  const exited = new Promise<number | null>((resolve) => node.process.once('exit', (code) => resolve(code)));
  node.process.kill('SIGINT'); // the terminal's
  await new Promise((resolve) => setTimeout(resolve, 10));
  node.process.kill('SIGINT'); // the wrapper's, passed on
  assert.equal(await exited, 0, 'a clean exit, not one cut short by the second signal');
  assert.equal(existsSync(join(node.dataDir, LOCK_FILE)), false);
  assert.equal(existsSync(join(node.dataDir, 'journal.sqlite-wal')), false, 'the journal closed');
});

test(
  'Ctrl-C on a node whose GPU runner is open in Chromium stops it cleanly (not Playwright’s exit 130)',
  { timeout: 90_000 },
  async (t) => {
    // GPU units on: the runner stays open in headless Chromium, on a software adapter where there is no GPU.
    const node = await startChild({ env: { MESH_GPU: 'on' } });
    t.after(() => rmSync(node.dataDir, { recursive: true, force: true }));
    let gpu = (await node.api.call('status', {})).gpu;
    for (let waited = 0; gpu.state === 'starting' || gpu.reason === 'GPU units are turned off'; waited += 100) {
      if (waited > 60_000) assert.fail(`the GPU runner did not open: ${JSON.stringify(gpu)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      gpu = (await node.api.call('status', {})).gpu;
    }
    if (gpu.state !== 'ready') return t.skip(`no GPU runner here: ${gpu.reason}`);
    const exited = new Promise<number | null>((resolve) => node.process.once('exit', (code) => resolve(code)));
    node.process.kill('SIGINT');
    assert.equal(await exited, 0, `a clean exit: ${node.stderr()}`);
    assert.equal(existsSync(join(node.dataDir, LOCK_FILE)), false);
    assert.equal(existsSync(join(node.dataDir, 'journal.sqlite-wal')), false, 'the journal closed');
  },
);

test('a lock file without a pid (a crash between creating and writing it) or with garbage in it is taken over', async (t) => {
  for (const content of ['', 'not a pid\n', '-5\n', '99999999999999999999\n']) {
    const dataDir = freshDir();
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    writeFileSync(join(dataDir, LOCK_FILE), content);
    const node = await MeshNode.start(options(dataDir));
    assert.equal(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim(), String(process.pid), JSON.stringify(content));
    await node.stop();
    assert.equal(existsSync(join(dataDir, LOCK_FILE)), false);
  }
});
