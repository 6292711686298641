// data/join (wasm/library/data/src/join.rs) run as the node runs a unit of it: the unit's input is
// the left table, the right table one of the job's files at /input. Checked against SQLite's
// command line (Debian's sqlite3, both CSVs imported with .import, so every column is text and
// keys compare as text): the same rows in the same order (the left's, then the right's file order:
// ORDER BY the two rowids), a key with duplicates on both sides included, empty right cells for a
// left join's unjoined rows. A missing right file, a ragged right CSV, an `on` column either table
// lacks and a right table over the limit are clear messages; bad params are refused at submit,
// naming the param.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SubmitJobSchema } from '../../../src-main/core/api/shapes.js';
import { decodeWasiOutput, encodeInputFiles, Executor, wasiRunOf } from '../../../src-main/node/exec/index.js';
import { resolveLibrary } from '../../../src-main/node/kinds/library/library.js';

const executor = Executor.start({ workers: 1 });
const dir = mkdtempSync(join(tmpdir(), 'library-join-'));
after(async () => {
  await executor.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A generator of the same numbers every run. */
function random(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** 600 left rows over keys k0..k149 (most more than once), names with commas and quotes, and a column `x` the right has too. */
function leftTable(): string {
  const next = random(7);
  const lines = ['id,name,x'];
  for (let i = 0; i < 600; i++) {
    const name = i % 10 === 0 ? `"a,${i}"` : i % 10 === 1 ? `"say ""${i}"""` : `n${i}`;
    lines.push(`k${Math.floor(next() * 150)},${name},${i}`);
  }
  return `${lines.join('\n')}\n`;
}

/** 300 right rows over keys k50..k249 (so some left keys join none), and `k07`, which no left key is as text. */
function rightTable(key = 'id'): string {
  const next = random(11);
  const lines = [`${key},x,y`];
  for (let i = 0; i < 300; i++) lines.push(`${i === 0 ? 'k07' : `k${50 + Math.floor(next() * 200)}`},${-i},"y,${i}"`);
  return `${lines.join('\n')}\n`;
}

const left = leftTable();
const leftFile = join(dir, 'l.csv');
writeFileSync(leftFile, left);

/** SQLite's answer over l.csv and this right table (imported as r). */
function sqlite(right: string, query: string): string {
  const rightFile = join(dir, 'r.csv');
  writeFileSync(rightFile, right);
  const imports = ['-cmd', '.mode csv', '-cmd', `.import ${leftFile} l`, '-cmd', `.import ${rightFile} r`];
  return execFileSync('sqlite3', [':memory:', ...imports, '-cmd', '.headers on', query])
    .toString()
    .replaceAll('\r\n', '\n');
}

/** A unit of data/join over `input`, the job's files `files` (checked at submit), run with `mounted` (the same unless a test says). */
async function joined(
  params: Record<string, unknown>,
  files: Array<[string, string | Uint8Array]>,
  input = left,
  mounted = files,
): Promise<{ exit: number; stdout: string }> {
  const tree = (f: typeof files) => encodeInputFiles(f.map(([name, text]) => [name, Buffer.from(text)]));
  const resolved = resolveLibrary('data', 'join', params, Buffer.byteLength(input), 'chunks', tree(files));
  if (typeof resolved === 'string') throw new Error(resolved);
  const unit = { unit_id: 'job-j/0', job_id: 'job-j', params: resolved.params as never };
  const run = wasiRunOf(unit, Buffer.from(input), tree(mounted));
  const result = decodeWasiOutput((await executor.run({ module: resolved.module, ...run })).output);
  return { exit: result.exitCode, stdout: Buffer.from(result.stdout).toString() };
}

async function ours(params: Record<string, unknown>, right: string): Promise<string> {
  const result = await joined(params, [['right.csv', right]]);
  assert.equal(result.exit, 0, result.stdout);
  return result.stdout;
}

test('inner and left joins give the rows and order SQLite gives, duplicate keys on both sides included', async () => {
  const right = rightTable();
  const inner = await ours({ right: 'right.csv', on: 'id' }, right);
  assert.equal(
    inner,
    sqlite(right, 'SELECT l.*, r.x AS x_right, r.y FROM l JOIN r ON l.id = r.id ORDER BY l.rowid, r.rowid'),
  );
  const leftJoin = await ours({ right: 'right.csv', on: 'id', how: 'left' }, right);
  assert.equal(
    leftJoin,
    sqlite(right, 'SELECT l.*, r.x AS x_right, r.y FROM l LEFT JOIN r ON l.id = r.id ORDER BY l.rowid, r.rowid'),
  );
  // The data holds what the comparison is about: a key twice or more on both sides, left rows that
  // join none, and the right's k07 joining no left k7.
  const count = (sql: string) => Number(sqlite(right, sql).split('\n')[1]);
  assert.ok(
    count(
      'SELECT COUNT(*) FROM (SELECT id FROM l GROUP BY id HAVING COUNT(*) > 1) JOIN (SELECT id FROM r GROUP BY id HAVING COUNT(*) > 1) USING (id)',
    ) > 10,
  );
  assert.ok(leftJoin.split('\n').length > inner.split('\n').length + 50);
  assert.equal(count("SELECT COUNT(*) FROM l WHERE id = 'k7'") > 0 && !inner.includes('k07'), true);
});

test('on names a column of each; JSON out gives a left join null where it joined none', async () => {
  const right = rightTable('rid');
  assert.equal(
    await ours({ right: 'right.csv', on: { left: 'id', right: 'rid' } }, right),
    sqlite(right, 'SELECT l.*, r.x AS x_right, r.y FROM l JOIN r ON l.id = r.rid ORDER BY l.rowid, r.rowid'),
  );
  // The right's v is taken (v), and so is v_right: it becomes v_right_right.
  const small = await joined(
    { right: 't.csv', on: 'id', how: 'left', format: 'json' },
    [['t.csv', 'id,v\n1,a\n']],
    'id,v,v_right\n1,x,p\n3,y,q\n',
  );
  assert.equal(small.exit, 0, small.stdout);
  assert.deepEqual(JSON.parse(small.stdout), [
    { id: '1', v: 'x', v_right: 'p', v_right_right: 'a' },
    { id: '3', v: 'y', v_right: 'q', v_right_right: null },
  ]);
});

test('a missing right file, a ragged right CSV and an on column either table lacks are clear messages', async () => {
  const refused = async (
    params: Record<string, unknown>,
    files: Array<[string, string]>,
    reason: RegExp,
    mounted = files,
  ) => {
    const result = await joined(params, files, 'id,v\n1,x\n', mounted);
    assert.equal(result.exit, 2, result.stdout);
    assert.match(result.stdout, reason);
  };
  const good: Array<[string, string]> = [['r.csv', 'id,w\n1,a\n']];
  // Checked at submit, so only a unit given other files than its job's meets it.
  await refused(
    { right: 'r.csv', on: 'id' },
    good,
    /^data: the right table "r.csv" is not among the job's files \(\/input\)\n$/,
    [['other.csv', 'id\n']],
  );
  await refused(
    { right: 'r.csv', on: 'id' },
    [['r.csv', 'id,w\n1,a\n2\n']],
    /^data: the right table "r.csv" is malformed: .*found record with 1 fields, but the previous record has 2 fields/,
  );
  await refused(
    { right: 'r.csv', on: 'key' },
    good,
    /^data: no column "key" in the left table: its columns are \["id", "v"\]\n$/,
  );
  await refused(
    { right: 'r.csv', on: { left: 'id', right: 'key' } },
    good,
    /^data: no column "key" in the right table: its columns are \["id", "w"\]\n$/,
  );
});

test('a right table past what a unit holds is refused; one at the limit, of the most rows, joins', async () => {
  // 4 MiB of the most cells and rows a file of that size has (two cells in two bytes a row: ",\n"), the last row keyed.
  const most = `k,v\n${',\n'.repeat((4 * 2 ** 20 - 8) / 2)}z,1\n`;
  assert.equal(Buffer.byteLength(most), 4 * 2 ** 20);
  const result = await joined({ right: 'r.csv', on: 'k' }, [['r.csv', most]], 'k,w\nz,2\nq,3\n');
  assert.equal(result.exit, 0, result.stdout);
  assert.equal(result.stdout, 'k,w,v\nz,2,1\n');
  const over = await joined({ right: 'r.csv', on: 'k' }, [['r.csv', 'k\n']], 'k\n', [['r.csv', `${most},\n`]]);
  assert.equal(over.exit, 2);
  assert.match(
    over.stdout,
    /^data: the right table "r.csv" is 4194306 bytes, over the 4194304 a join holds in a unit's memory\n$/,
  );
});

test('params and files are checked at submit, naming the param', () => {
  const tree = encodeInputFiles([['r.csv', Buffer.from('id\n')]]);
  const cases: Array<[string, Record<string, unknown>, Uint8Array | undefined, RegExp]> = [
    ['join', { right: 'r.csv', on: 'id', how: 'full' }, tree, /how/],
    ['join', { right: 'r.csv' }, tree, /on/],
    ['join', { right: 'r.csv', on: { left: 'id' } }, tree, /on/],
    ['join', { right: 'x.csv', on: 'id' }, tree, /params\.right: "x\.csv" is not one of the job's files \("r\.csv"\)/],
    [
      'join',
      { right: 'r.csv', on: 'id' },
      undefined,
      /params\.right: "r\.csv" is not one of the job's files \(none were given\)/,
    ],
    ['join', { right: 'r.csv', on: 'id' }, Buffer.from('not a tree'), /files_base64 is not an input tree/],
    ['filter', { column: 'id', op: 'eq', value: '1' }, tree, /files_base64: data\/filter reads no files/],
  ];
  for (const [method, params, files, reason] of cases) {
    const refused = resolveLibrary('data', method, params, 100, 'chunks', files);
    assert.equal(typeof refused, 'string', JSON.stringify(params));
    assert.match(refused as string, reason);
  }
  assert.match(
    resolveLibrary('hash', 'sha256', {}, 100, 'chunks', tree) as string,
    /hash is a kernel, which reads no files/,
  );
  // The job's terms: files_base64 goes with a library method (a WASI module's go in its wasi terms).
  const terms = {
    chunk_bytes: 10,
    budget: 1000,
    input_base64: 'AA==',
    files_base64: Buffer.from(tree).toString('base64'),
  };
  assert.ok(SubmitJobSchema.safeParse({ ...terms, library: 'data', method: 'join' }).success);
  const module = SubmitJobSchema.safeParse({ ...terms, wasm_base64: 'AGFzbQEAAAA=' });
  assert.match(module.error?.message ?? 'accepted', /items and files_base64 go with a library method/);
});
