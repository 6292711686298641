// The Jobs page's "Your program" form with a folder mapped (src-renderer/jobs/program-form.ts): the
// request carries the folder as `meshctl submit-job --wasi --dir FOLDER:GUEST[:rw]` sends it (its
// files an input tree under 0/, byte for byte as the node's encodeInputFiles makes it, and the
// mapping in wasi.dirs), a form without one makes the request it always made, and a bad guest
// path or a folder over a job's files is said before anything is sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WasiJobSchema } from '../../src-main/core/api/shapes.js';
import { MAX_WASI_FILES_BYTES, treeProblem, validate } from '../../src-main/core/schemas/index.js';
import { decodeInputFiles, encodeInputFiles } from '../../src-main/node/exec/index.js';
import { DEFAULT_PROGRAM_FIELDS, folderTooBig, programRequest } from '../../src-renderer/kinds/wasi/program-form.js';

const program = { name: 'relative_files.wasm', bytes: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) };
const items = { ...DEFAULT_PROGRAM_FIELDS, mode: 'items' as const, items: '2' };
const folder = [
  { name: 'sub/ü.txt', bytes: Buffer.from('umlaut') },
  { name: 'data.txt', bytes: Buffer.from('one two\n') },
  { name: 'Z.txt', bytes: Buffer.from('capital') },
];

test('a folder chosen: its files under 0/ as the node encodes them, and the mapping, read-only at "." by default', () => {
  const made = programRequest(items, program, [], folder);
  assert.ok(made.ok, made.ok ? '' : made.error);
  const { wasi } = made.value;
  assert.deepEqual(wasi!.dirs, [{ guest: '.', mode: 'ro' }]);
  const files = Buffer.from(wasi!.files_base64!, 'base64');
  assert.deepEqual(files, Buffer.from(encodeInputFiles(folder.map((f) => [`0/${f.name}`, f.bytes]))));
  assert.equal(
    treeProblem(
      decodeInputFiles(files).map(([path]) => path),
      wasi!.dirs,
    ),
    undefined,
  );
  assert.ok(validate(WasiJobSchema, wasi).ok);
  const writable = programRequest({ ...items, dirGuest: '/data/', dirWritable: true }, program, [], folder);
  assert.ok(writable.ok);
  assert.deepEqual(writable.value.wasi!.dirs, [{ guest: '/data', mode: 'rw' }]);
});

test('without a folder the request is what it always was; a bad guest path or a folder too big is said', () => {
  const plain = programRequest(items, program, []);
  assert.ok(plain.ok);
  assert.deepEqual(Object.keys(plain.value.wasi!).sort(), ['args', 'env', 'items', 'program']);
  const climbing = programRequest({ ...items, dirGuest: '../data' }, program, [], folder);
  assert.deepEqual(climbing, { ok: false, error: 'folder: the guest path "../data" climbs with ".."' });
  assert.equal(folderTooBig([{ name: 'a', size: 10 }]), undefined);
  assert.match(
    folderTooBig([{ name: 'big.bin', size: MAX_WASI_FILES_BYTES }])!,
    new RegExp(`holds ${MAX_WASI_FILES_BYTES + 9} bytes of files and paths, over a job's ${MAX_WASI_FILES_BYTES}`),
  );
});
