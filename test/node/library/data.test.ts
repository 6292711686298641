// The data library's program (wasm/library/data.wasm: the csv crate and serde_json, built by
// scripts/build-library.mjs) run as the node runs a unit of `data/METHOD`, against SQLite's
// command line (Debian's sqlite3, the CSV imported with .import) on the same file. Text results
// are exact (rows, order, CSV quoting; SQLite's CRLF line ends and its quoting of text with spaces
// aside, which the file avoids); sums, means, minima and maxima agree within 1e-9 relative (both
// add in f64 in row order). A ragged row, a text cell where a number is needed and a missing
// column are clear messages; bad params are refused at submit, naming the param.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Executor } from '../../../src-main/node/exec/index.js';
import { resolveLibrary } from '../../../src-main/node/kinds/library/library.js';
import { runUnit } from './run-unit.js';

const executor = Executor.start({ workers: 1 });
const dir = mkdtempSync(join(tmpdir(), 'library-data-'));
after(async () => {
  await executor.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 3,000 rows: a zero-padded id, a group of 7, a float, an integer, and names with commas and quotes. */
function table(): string {
  const lines = ['id,grp,x,n,name'];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 3000; i++) {
    const name = i % 10 === 0 ? `"a,${i}"` : i % 10 === 1 ? `"say ""${i}"""` : `n${i}`;
    lines.push(
      `${String(i).padStart(5, '0')},g${i % 7},${(next() * 2000 - 1000).toFixed(3)},${Math.floor(next() * 100)},${name}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
const csv = table();
const file = join(dir, 't.csv');
writeFileSync(file, csv);
const input = Buffer.from(csv);

const sqlite = (query: string) =>
  execFileSync('sqlite3', [':memory:', '-cmd', '.mode csv', '-cmd', `.import ${file} t`, '-cmd', '.headers on', query])
    .toString()
    .replaceAll('\r\n', '\n');

async function ours(method: string, params: Record<string, unknown>, data: Uint8Array = input): Promise<string> {
  const result = await runUnit(executor, 'data', method, params, data);
  assert.equal(result.exit, 0, result.stdout.toString());
  return result.stdout.toString();
}

test('filter and sort give the rows and order SQLite gives, CSV quoting included', async () => {
  assert.equal(
    await ours('filter', { column: 'x', op: 'gt', value: '250.5', numeric: true }),
    sqlite('SELECT * FROM t WHERE CAST(x AS REAL) > 250.5'),
  );
  assert.equal(
    await ours('filter', { column: 'grp', op: 'eq', value: 'g3' }),
    sqlite("SELECT * FROM t WHERE grp = 'g3'"),
  );
  assert.equal(
    await ours('filter', { column: 'name', op: 'contains', value: ',' }),
    sqlite("SELECT * FROM t WHERE instr(name, ',') > 0"),
  );
  assert.equal(
    await ours('sort', { by: [{ column: 'grp' }, { column: 'x', numeric: true, descending: true }] }),
    sqlite('SELECT * FROM t ORDER BY grp, CAST(x AS REAL) DESC'),
  );
  assert.equal(
    await ours('transform', { select: ['id', 'n'], rename: { id: 'ident' }, cast: { n: 'int' } }),
    sqlite('SELECT id AS ident, CAST(n AS INTEGER) AS n FROM t'),
  );
});

test('aggregate: group-by with sum, mean, count, min and max agrees with SQLite within 1e-9', async () => {
  const aggregates = [
    { fn: 'sum', column: 'x' },
    { fn: 'mean', column: 'x' },
    { fn: 'count' },
    { fn: 'min', column: 'x' },
    { fn: 'max', column: 'n', as: 'most' },
  ];
  const rows = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => line.split(','));
  const mine = rows(await ours('aggregate', { group_by: ['grp'], aggregates }));
  const theirs = rows(
    sqlite(
      'SELECT grp, SUM(CAST(x AS REAL)), AVG(CAST(x AS REAL)), COUNT(*), MIN(CAST(x AS REAL)), MAX(CAST(n AS REAL)) FROM t GROUP BY grp ORDER BY grp',
    ),
  );
  assert.deepEqual(mine[0], ['grp', 'sum_x', 'mean_x', 'count', 'min_x', 'most']);
  assert.equal(mine.length, 8);
  for (let r = 1; r < mine.length; r++) {
    assert.equal(mine[r]![0], theirs[r]![0]);
    for (let c = 1; c < 6; c++) {
      const [a, b] = [Number(mine[r]![c]), Number(theirs[r]![c])];
      assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `row ${r} column ${c}: ${a} vs ${b}`);
    }
  }
  // JSON out: numbers as numbers.
  const json = JSON.parse(await ours('aggregate', { aggregates: [{ fn: 'count' }], format: 'json' })) as unknown;
  assert.deepEqual(json, [{ count: 3000 }]);
});

test('bad input is a clear message: a ragged row, a text cell where a number is needed, a missing column', async () => {
  const refused = async (method: string, params: Record<string, unknown>, data: string, reason: RegExp) => {
    const result = await runUnit(executor, 'data', method, params, Buffer.from(data));
    assert.equal(result.exit, 2);
    assert.match(result.stdout.toString(), reason);
  };
  await refused(
    'sort',
    { by: [{ column: 'a' }] },
    'a,b,c\n1,2,3\n4,5\n',
    /^data: the CSV is malformed: .*found record with 2 fields, but the previous record has 3 fields/,
  );
  await refused(
    'filter',
    { column: 'b', op: 'gt', value: '1', numeric: true },
    'a,b\n1,2\n3,x\n',
    /^data: row 2: column "b" is not a number: "x"\n$/,
  );
  await refused(
    'aggregate',
    { aggregates: [{ fn: 'sum', column: 'z' }] },
    'a,b\n1,2\n',
    /^data: no column "z": the columns are \["a", "b"\]\n$/,
  );
});

test('params are refused at submit, naming the param', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['filter', { column: 'x', op: 'like', value: '1' }, /op/],
    ['filter', { column: 'x', op: 'gt', value: 'ten', numeric: true }, /value.*numeric filter compares with a number/s],
    ['aggregate', { aggregates: [{ fn: 'sum' }] }, /column.*every aggregate but count needs a column/s],
    ['aggregate', { aggregates: [] }, /aggregates/],
    ['sort', { by: [{ column: '' }] }, /column/],
    ['transform', {}, /transform needs select, rename or cast/],
    ['transform', { cast: { n: 'date' } }, /cast/],
  ];
  for (const [method, params, reason] of cases) {
    const refused = resolveLibrary('data', method, params, 100);
    assert.equal(typeof refused, 'string', method);
    assert.match(refused as string, reason);
  }
});
