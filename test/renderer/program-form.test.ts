// The Jobs page's form for a job of programs (src-renderer/jobs/program-form.ts): the request it
// makes is the one every node reads as `meshctl submit-job --wasi` makes it (items framed as
// node/exec/wasi/items.ts frames them), its quote's request carries the first unit, and a unit's
// output reads back as the node encoded it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWasiItem } from '../../src-main/node/exec/wasi/items.js';
import { encodeWasiItem } from '../../src-main/node/exec/index.js';
import { encodeWasiOutput } from '../../src-main/node/exec/wasi/unit-bytes.js';
import {
  decodeProgramOutput,
  DEFAULT_PROGRAM_FIELDS,
  frameItem,
  preview,
  programEstimate,
  programRequest,
} from '../../src-renderer/kinds/wasi/program-form.js';

const program = { name: 'words.wasm', bytes: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) };
const files = [
  { name: 'b.txt', bytes: Buffer.from('zebra') },
  { name: 'sub/a.txt', bytes: Buffer.from('the cat') },
];
const utf8 = (text: string) => new TextEncoder().encode(text);

test('an item is framed byte for byte as the node frames it', () => {
  for (const [name, stdin, chunk] of [
    ['a.txt', 'hello', 32],
    ['ß/ü.txt', '', 20],
    ['0', '', 9],
  ] as const)
    assert.deepEqual(frameItem(utf8(name), utf8(stdin), chunk), encodeWasiItem(name, utf8(stdin), chunk));
});

test('a unit per file: the files in name order, framed to the biggest, with args, env and terms', () => {
  const made = programRequest(
    {
      ...DEFAULT_PROGRAM_FIELDS,
      args: '--name {name} #{index}',
      env: 'A=1\n\nB=x=y\n',
      budget: '2.5',
      redundancy: '2',
    },
    program,
    files,
  );
  assert.ok(made.ok, made.ok ? '' : made.error);
  const { input_base64, wasm_base64, ...rest } = made.value;
  assert.deepEqual(rest, {
    name: 'words.wasm × 2 units',
    chunk_bytes: 8 + 'sub/a.txt'.length + 'the cat'.length,
    wasi: { program: 'words.wasm', args: ['--name', '{name}', '#{index}'], env: { A: '1', B: 'x=y' }, items: 'framed' },
    redundancy: 2,
    budget: 2500,
    open_to_strangers: false,
  });
  assert.deepEqual(Buffer.from(wasm_base64!, 'base64'), Buffer.from(program.bytes));
  const input = Buffer.from(input_base64, 'base64');
  assert.equal(input.byteLength, 2 * rest.chunk_bytes);
  const units = [0, 1].map((i) => decodeWasiItem(input.subarray(i * rest.chunk_bytes, (i + 1) * rest.chunk_bytes)));
  assert.deepEqual(
    units.map((u) => (typeof u === 'string' ? u : [u.name, Buffer.from(u.stdin).toString()])),
    [
      ['b.txt', 'zebra'],
      ['sub/a.txt', 'the cat'],
    ],
  );
  // The quote runs the first unit: its bytes, and the whole input's size.
  const quote = programEstimate(made.value);
  assert.equal(quote.input_bytes, input.byteLength);
  assert.deepEqual(Buffer.from(quote.first_bytes_base64!, 'base64'), input.subarray(0, rest.chunk_bytes));
  assert.equal('input_base64' in quote, false);
});

test('a number of units: each its index, stdin empty', () => {
  const made = programRequest(
    { ...DEFAULT_PROGRAM_FIELDS, mode: 'items', items: '12', args: '["{index}", "a b"]' },
    program,
    [],
  );
  assert.ok(made.ok);
  assert.equal(made.value.chunk_bytes, 8 + 2);
  assert.deepEqual(made.value.wasi!.args, ['{index}', 'a b']);
  const input = Buffer.from(made.value.input_base64, 'base64');
  assert.deepEqual(decodeWasiItem(new Uint8Array(input.subarray(11 * 10))), { name: '11', stdin: new Uint8Array() });
});

test('what the form cannot send is named', () => {
  const fails = (error: RegExp, ...made: Parameters<typeof programRequest>) => {
    const result = programRequest(...made);
    assert.ok(!result.ok && error.test(result.error), result.ok ? 'made' : result.error);
  };
  fails(/Choose the program/, DEFAULT_PROGRAM_FIELDS, null, files);
  fails(/Drop the input files/, DEFAULT_PROGRAM_FIELDS, program, []);
  fails(/args: starts with \[ but is not JSON/, { ...DEFAULT_PROGRAM_FIELDS, args: '[oops' }, program, files);
  fails(/env: expected NAME=VALUE/, { ...DEFAULT_PROGRAM_FIELDS, env: '=x' }, program, files);
  fails(
    /units: expected a whole number from 1 to 10000/,
    { ...DEFAULT_PROGRAM_FIELDS, mode: 'items', items: '0' },
    program,
    [],
  );
  fails(/budget/, { ...DEFAULT_PROGRAM_FIELDS, budget: 'lots' }, program, files);
  const huge = { name: 'big.wasm', bytes: new Uint8Array((32 << 20) + 1) };
  fails(
    /^The program is 33554433 bytes: the app sends one of up to 33554432 .* meshctl submit-job --wasi/,
    DEFAULT_PROGRAM_FIELDS,
    huge,
    files,
  );
});

test("a unit's output reads back as the node encoded it, and previews cut long text", () => {
  const output = encodeWasiOutput({ exitCode: 3, stdout: utf8('héllo\n'), files: [['x', utf8('1')]] });
  const read = decodeProgramOutput(output);
  assert.deepEqual(read && { ...read, stdout: new TextDecoder().decode(read.stdout) }, {
    exit: 3,
    stdout: 'héllo\n',
    files: 1,
  });
  assert.equal(decodeProgramOutput(utf8('{"error":"OutOfFuel"}')), undefined);
  assert.equal(preview(utf8('abcdef'), 3), 'abc…');
  assert.equal(preview(utf8('abc'), 3), 'abc');
});
