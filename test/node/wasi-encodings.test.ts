// Two things of issue 89's item 1 that current toolchains put in programs and our own corpus never
// had, each in a WASI program made byte by byte here as the spec encodes it: extended constant
// expressions (`i32.add` in a global's value and in a data segment's offset: position-independent
// code and LLVM's `lime1` CPU emit them), and call_indirect's table index as a 5-byte LEB (what
// wasm-ld leaves when it does not compress relocations). Each runs, prints what it should, and
// uses the same fuel twice.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import { decodeInputFiles, decodeWasiOutput, encodeInputFiles, Executor } from '../../src-main/node/exec/index.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const HELLO = 'hello, world!\n';
const utf8 = (text: string) => [...Buffer.from(text)];

/** An unsigned LEB128, shortest form. */
function leb(value: number): number[] {
  const bytes: number[] = [];
  do {
    const low = value & 0x7f;
    value >>>= 7;
    bytes.push(value === 0 ? low : low | 0x80);
  } while (value !== 0);
  return bytes;
}
const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (text: string) => [...leb(Buffer.byteLength(text)), ...utf8(text)];
const [I32, FUNCREF, END] = [0x7f, 0x70, 0x0b];
/** `\0asm`, version 1. */
const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const i32Const = (value: number) => [0x41, ...leb(value)]; // small non-negative values only

/**
 * A WASI program that writes HELLO to stdout through fd_write, the iovec at 0 pointing at the text
 * at 16 (`textOffset`: its segment's offset expression); `start` is _start's code before that call,
 * which must store the text's length at 4; the rest, what the module has besides its types, the
 * import, _start, its memory and exports.
 */
function helloProgram(parts: {
  types?: number[][];
  functions?: number[];
  tables?: number[][];
  globals?: number[][];
  elements?: number[][];
  start: number[];
  bodies?: number[][];
  textOffset: number[];
}): Uint8Array {
  const types = [
    [0x60, ...vector([[I32], [I32], [I32], [I32]]), ...vector([[I32]])], // fd_write
    [0x60, 0, 0], // _start
    ...(parts.types ?? []),
  ];
  const body = (code: number[]) => [...leb(code.length + 2), 0, ...code, END]; // no locals
  const fdWrite = [...i32Const(1), ...i32Const(0), ...i32Const(1), ...i32Const(8), 0x10, 0, 0x1a]; // call 0; drop
  const startCode = [...parts.start, ...fdWrite];
  return Uint8Array.from([
    ...WASM_HEADER,
    ...section(1, vector(types)),
    ...section(2, vector([[...name('wasi_snapshot_preview1'), ...name('fd_write'), 0x00, 0]])),
    ...section(3, vector([[1], ...(parts.functions ?? []).map((type) => [type])])),
    ...(parts.tables ? section(4, vector(parts.tables)) : []),
    ...section(5, vector([[0x00, 1]])), // one page
    ...(parts.globals ? section(6, vector(parts.globals)) : []),
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('_start'), 0x00, 1],
      ]),
    ),
    ...(parts.elements ? section(9, vector(parts.elements)) : []),
    ...section(10, vector([body(startCode), ...(parts.bodies ?? []).map(body)])),
    ...section(
      11,
      vector([
        [0x00, ...i32Const(0), END, ...vector([16, 0, 0, 0, 0, 0, 0, 0].map((b) => [b]))], // the iovec
        [0x00, ...parts.textOffset, END, ...vector(utf8(HELLO).map((b) => [b]))],
      ]),
    ),
  ]);
}

async function stdoutAndFuel(module: Uint8Array): Promise<{ stdout: string; fuel: number }> {
  assert.ok(WebAssembly.validate(module as Uint8Array<ArrayBuffer>), 'V8 takes the module');
  const [first, second] = await Promise.all(
    [0, 1].map(() => executor.run({ module, input: new Uint8Array(), wasi: {} })),
  );
  assert.equal(second!.fuel, first!.fuel);
  return { stdout: Buffer.from(decodeWasiOutput(first!.output).stdout).toString(), fuel: first!.fuel };
}

test('extended constant expressions: a global of 10 + 4 and a text at 8 + 8, worked out at instantiation', async () => {
  const module = helloProgram({
    globals: [[I32, 0x00, ...i32Const(10), ...i32Const(4), 0x6a, END]], // (global i32 (i32.add 10 4))
    start: [...i32Const(4), 0x23, 0, 0x36, 2, 0], // i32.store (4) (global.get 0)
    textOffset: [...i32Const(8), ...i32Const(8), 0x6a], // (i32.add 8 8)
  });
  const { stdout } = await stdoutAndFuel(module);
  assert.equal(stdout, HELLO);
});

test("call_indirect's table index as a 5-byte LEB, as wasm-ld leaves it uncompressed", async () => {
  const module = helloProgram({
    types: [[0x60, 0, ...vector([[I32]])]], // () -> i32
    functions: [2],
    tables: [[FUNCREF, 0x00, 1]],
    elements: [[0x00, ...i32Const(0), END, ...vector([[2]])]], // table 0 [0] = function 2
    // i32.store (4) (call_indirect (type 2) (table 0, padded) (i32.const 0))
    start: [...i32Const(4), ...i32Const(0), 0x11, 2, 0x80, 0x80, 0x80, 0x80, 0x00, 0x36, 2, 0],
    bodies: [i32Const(HELLO.length)],
    textOffset: i32Const(16),
  });
  const { stdout } = await stdoutAndFuel(module);
  assert.equal(stdout, HELLO);
});

test('an input tree is read only as a list of [path, bytes]: any other shape is refused, by name', () => {
  const tree = encodeInputFiles([
    ['b.txt', Buffer.from('b')],
    ['a.txt', Buffer.from('a')],
  ]);
  assert.deepEqual(
    decodeInputFiles(tree).map(([path, bytes]) => [path, Buffer.from(bytes).toString()]),
    [
      ['a.txt', 'a'],
      ['b.txt', 'b'],
    ],
  );
  for (const wrong of [
    { 'a.txt': Buffer.from('a') },
    [['a.txt', 'a as text']],
    [[1, Buffer.from('a')]],
    [['a.txt', Buffer.from('a'), 'more']],
    [['a.txt']],
    'a.txt',
  ])
    assert.throws(() => decodeInputFiles(dagCbor.encode(wrong)), /not an input tree/);
  assert.throws(() => decodeInputFiles(Buffer.from('not cbor at all')));
});
