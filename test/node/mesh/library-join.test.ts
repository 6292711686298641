// data/join as a mesh job on three real nodes on loopback: a requester (a daemon, as meshctl
// reaches it) and two providers. `meshctl run data join --with right.csv LEFT… --out DIR` makes a
// unit of each left file and sends the right table once, as the job's files (stored as one blob,
// mounted at /input in every unit); both providers compute every unit (redundancy 2) and the
// requester verifies them by their outputs' hashes agreeing. Each left file's result in DIR is what
// SQLite's JOIN makes of it and the same right table. A join whose `right` names no file given is
// refused at submit, naming the param, and no job is made.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runMeshctl } from '../../cli/fixtures/run-meshctl.js';
import { daemonAndProviders } from './cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-library-join-'));
const dataDir = join(dir, 'requester');
const inputs = join(dir, 'inputs');

let mesh: Awaited<ReturnType<typeof daemonAndProviders>>;
before(async () => {
  mesh = await daemonAndProviders(dataDir);
  mkdirSync(inputs);
});
after(async () => {
  await mesh.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  runMeshctl(['run', ...args, '--redundancy', '2', '--budget', '100000', '--data-dir', dataDir]);

/** Orders: a customer key of 40 (some with no customer), an amount. */
function orders(seed: number, count: number): string {
  const lines = ['customer,amount'];
  for (let i = 0; i < count; i++) lines.push(`c${(i * 7 + seed) % 40},${i * seed}`);
  return `${lines.join('\n')}\n`;
}

test(
  "data/join across the mesh: a unit a left file, the right table sent once, every result SQLite's",
  { timeout: 240_000 },
  async () => {
    const right = join(inputs, 'customers.csv');
    // Customers c0..c29, c3 twice: c30..c39 join none, and c3's orders join two rows each.
    const customers = Array.from({ length: 30 }, (_, i) => `c${i},name-${i},r${i % 4}`);
    writeFileSync(right, `id,name,region\n${[...customers, 'c3,name-3b,r9'].join('\n')}\n`);
    const lefts = [1, 2, 3].map((seed) => {
      const path = join(inputs, `orders-${seed}.csv`);
      writeFileSync(path, orders(seed, 200 * seed));
      return path;
    });
    const out = join(dir, 'out-join');
    const params = JSON.stringify({ right: 'customers.csv', on: { left: 'customer', right: 'id' }, how: 'left' });
    const ran = await run('data', 'join', '--params', params, '--with', right, ...lefts, '--out', out);
    assert.equal(ran.status, 0, ran.stderr);
    assert.match(ran.stdout, new RegExp(`completed: 3 of 3 results written to ${out}`));
    assert.deepEqual(readdirSync(out).sort(), ['orders-1.csv', 'orders-2.csv', 'orders-3.csv']);
    for (const left of lefts) {
      const imports = ['-cmd', '.mode csv', '-cmd', `.import ${left} l`, '-cmd', `.import ${right} r`];
      const sqlite = execFileSync('sqlite3', [
        ':memory:',
        ...imports,
        '-cmd',
        '.headers on',
        'SELECT l.*, r.name, r.region FROM l LEFT JOIN r ON l.customer = r.id ORDER BY l.rowid, r.rowid',
      ])
        .toString()
        .replaceAll('\r\n', '\n');
      const ours = readFileSync(join(out, left.slice(inputs.length + 1)), 'utf8');
      assert.equal(ours, sqlite, left);
      assert.match(ours, /\nc3,\d+,name-3,r3\nc3,\d+,name-3b,r9\n/);
      assert.match(ours, /\nc3\d,\d+,,\n/);
    }
    const { jobs } = await mesh.handlers['jobs.list']({});
    assert.equal(jobs.filter((j) => j.name.startsWith('data/join × 3')).length, 1);
  },
);

test('a join whose right table is not among the files given is refused at submit, naming the param', async () => {
  const left = join(inputs, 'orders-1.csv');
  const other = join(inputs, 'other.csv');
  writeFileSync(other, 'id\n');
  const params = JSON.stringify({ right: 'customers.csv', on: 'customer' });
  const missing = await run('data', 'join', '--params', params, left, '--out', join(dir, 'never'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /params\.right: "customers\.csv" is not one of the job's files \(none were given\)/);
  const wrong = await run('data', 'join', '--params', params, '--with', other, left, '--out', join(dir, 'never'));
  assert.match(wrong.stderr, /params\.right: "customers\.csv" is not one of the job's files \("other\.csv"\)/);
  const files = await run(
    'data',
    'sort',
    '--params',
    '{"by":[{"column":"id"}]}',
    '--with',
    other,
    left,
    '--out',
    join(dir, 'never'),
  );
  assert.match(files.stderr, /files_base64: data\/sort reads no files/);
  const { jobs } = await mesh.handlers['jobs.list']({});
  assert.equal(jobs.filter((j) => j.name.startsWith('data/join × 1') || j.name.startsWith('data/sort')).length, 0);
});
