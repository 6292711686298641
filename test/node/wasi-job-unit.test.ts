// A WASI job's unit as every node runs it (node/exec/wasi/job-unit.ts, items.ts): argv from the
// args template, a seed per unit, the framed item decoded strictly, and a unit no node can run
// refused alike (BadRequest) rather than run differently.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeWasiItem, ExecError, wasiRunOf } from '../../src-main/node/exec/index.js';
import { decodeWasiItem } from '../../src-main/node/exec/wasi/items.js';

const params = { program: 'p.wasm', args: ['{name}', 'at', '{index}', '{other}'], env: { B: '2' }, items: 'framed' };

test('a framed unit runs with its item as stdin, its name and index in argv, and a seed of its own', () => {
  const input = encodeWasiItem('ß.txt', Buffer.from('hello'), 32);
  assert.equal(input.byteLength, 32);
  const run = wasiRunOf({ unit_id: 'job-1/7', job_id: 'job-1', params }, input, undefined);
  assert.equal(Buffer.from(run.input).toString(), 'hello');
  assert.deepEqual(run.wasi.args, ['ß.txt', 'at', '7', '{other}']);
  assert.equal(run.wasi.program, 'p.wasm');
  assert.match(run.wasi.seed!, /^[0-9a-f]{64}$/);
  const other = wasiRunOf({ unit_id: 'job-1/8', job_id: 'job-1', params }, input, undefined);
  const otherJob = wasiRunOf({ unit_id: 'job-2/7', job_id: 'job-2', params }, input, undefined);
  assert.equal(new Set([run.wasi.seed, other.wasi.seed, otherJob.wasi.seed]).size, 3);
  assert.equal(wasiRunOf({ unit_id: 'job-1/7', job_id: 'job-1', params }, input, undefined).wasi.seed, run.wasi.seed);
});

test('chunks: the input is stdin as it is, and {name} is the index', () => {
  const run = wasiRunOf(
    { unit_id: 'j/3', job_id: 'j', params: { ...params, items: 'chunks' } },
    Buffer.from('raw'),
    undefined,
  );
  assert.equal(Buffer.from(run.input).toString(), 'raw');
  assert.deepEqual(run.wasi.args, ['3', 'at', '3', '{other}']);
});

test('a malformed item, unit id or params is BadRequest on every node', () => {
  const good = encodeWasiItem('a', Buffer.from('x'), 16);
  const padded = Uint8Array.from(good);
  padded[15] = 1;
  const long = Uint8Array.from(good);
  new DataView(long.buffer).setUint32(4, 100, true);
  const cases: Array<[Parameters<typeof wasiRunOf>, RegExp]> = [
    [[{ unit_id: 'j/0', job_id: 'j', params }, padded, undefined], /padding is not all zeros/],
    [[{ unit_id: 'j/0', job_id: 'j', params }, long, undefined], /says 109 bytes, more than its 16/],
    [[{ unit_id: 'j/0', job_id: 'j', params }, good.subarray(0, 4), undefined], /at least 8 bytes/],
    [[{ unit_id: 'other/0', job_id: 'j', params }, good, undefined], /job's id, "\/" and its index/],
    [[{ unit_id: 'j/01', job_id: 'j', params }, good, undefined], /job's id, "\/" and its index/],
    [[{ unit_id: 'j/0', job_id: 'j', params: { ...params, extra: 1 } }, good, undefined], /params/],
    [[{ unit_id: 'j/0', job_id: 'j', params: { ...params, args: ['a\0b'] } }, good, undefined], /NUL/],
  ];
  for (const [args, reason] of cases) {
    assert.throws(
      () => wasiRunOf(...args),
      (err: unknown) => err instanceof ExecError && err.code === 'BadRequest' && reason.test(err.message),
      String(reason),
    );
  }
  assert.equal(typeof decodeWasiItem(good), 'object');
  assert.throws(() => encodeWasiItem('a', Buffer.alloc(10), 12), /needs 19 bytes, over the chunk's 12/);
});
