// Folders mapped where a WASI program expects them (core/schemas/wasi-dirs.ts, node/exec/wasi/layout.ts):
// the mappings every node checks alike, a unit's params with them (and without them exactly what
// they were before), and the host's folders: read-only ones refuse writes, a writable one is the
// unit's own copy whose new and changed files, and only those, come back in its output.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  canonicalGuestPath,
  outputPrefixOf,
  treeProblem,
  validate,
  wasiDirsProblem,
  WasiUnitParamsSchema,
  type WasiDir,
} from '../../src-main/core/schemas/index.js';
import { ApiError } from '../../src-main/node/api/errors.js';
import {
  decodeInputFiles,
  decodeWasiOutput,
  encodeInputFiles,
  ExecError,
  Executor,
  wasiRunOf,
} from '../../src-main/node/exec/index.js';
import { cidOfBytes } from '../../src-main/node/blobs/cid.js';
import { wasiJob } from '../../src-main/node/kinds/wasi/wasi-jobs.js';
import { moduleTerms } from '../../src-main/node/mesh/workflows/module-steps.js';

const module = readFileSync(fileURLToPath(new URL('../../../test/wasi/programs/relative_files.wasm', import.meta.url)));
const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const DATA = 'one two\nthree\n';
const RESULT = `2 lines, 3 words, ${DATA.length} bytes\n${DATA.toUpperCase()}`;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();
const tree = (files: Record<string, string>) =>
  encodeInputFiles(Object.entries(files).map(([p, t]) => [p, Buffer.from(t)]));

test('guest paths: ".", absolute or a relative name, written once; "." and "/" are one place, "data" and "/data" another; writable folders do not nest', () => {
  assert.deepEqual(canonicalGuestPath('//data/./in/'), { ok: true, path: '/data/in' });
  assert.deepEqual(canonicalGuestPath('./'), { ok: true, path: '.' });
  assert.deepEqual(canonicalGuestPath('/'), { ok: true, path: '/' });
  assert.deepEqual(
    canonicalGuestPath('fs-tests.dir'),
    { ok: true, path: 'fs-tests.dir' },
    "a name as wasmtime's --dir keeps it",
  );
  assert.deepEqual(canonicalGuestPath('./a//b/'), { ok: true, path: 'a/b' });
  assert.match((canonicalGuestPath('../data') as { error: string }).error, /climbs/);
  assert.match((canonicalGuestPath('/a/../b') as { error: string }).error, /climbs/);
  const dirs = (...pairs: Array<[string, 'ro' | 'rw']>): WasiDir[] => pairs.map(([guest, mode]) => ({ guest, mode }));
  assert.equal(wasiDirsProblem(dirs(['.', 'rw'], ['/out', 'ro'], ['/data', 'ro'])), undefined);
  assert.equal(wasiDirsProblem(dirs(['/a', 'ro'], ['/a/b', 'rw'])), undefined);
  assert.match(wasiDirsProblem(dirs(['/a', 'ro'], ['/a', 'rw']))!, /\/a is mapped twice$/);
  assert.match(wasiDirsProblem(dirs(['.', 'ro'], ['/', 'ro']))!, /one place to wasi-libc/);
  assert.match(wasiDirsProblem(dirs(['.', 'rw'], ['/out', 'rw']))!, /one inside the other/);
  assert.match(wasiDirsProblem(dirs(['data', 'ro'], ['/data', 'ro']))!, /mapped twice \(as data and \/data, one place/);
  assert.match(wasiDirsProblem(dirs(['a', 'rw'], ['/a/b', 'rw']))!, /one inside the other/);
  assert.match(wasiDirsProblem(dirs(['a/', 'ro']))!, /not written as a$/);
  assert.match(wasiDirsProblem(dirs(['/a/', 'ro']))!, /not written as \/a/);
  assert.match(wasiDirsProblem([])!, /no folder is mapped/);
  assert.equal(outputPrefixOf('.'), '');
  assert.equal(outputPrefixOf('/data/in'), 'data/in/');
  assert.equal(outputPrefixOf('data/in'), 'data/in/');
  assert.equal(treeProblem(['0/a.txt', '1/sub/', '1/sub/b'], dirs(['.', 'ro'], ['/x', 'ro'])), undefined);
  assert.match(treeProblem(['2/a.txt'], dirs(['.', 'ro']))!, /under no mapped folder/);
  assert.match(treeProblem(['a.txt'], dirs(['.', 'ro']))!, /under no mapped folder/);
  assert.match(treeProblem(['0/../a'], dirs(['.', 'ro']))!, /not a plain relative path/);
});

test("a unit's params: dirs only when folders are mapped, so a job without them makes the units it always made", () => {
  const before = { program: 'p.wasm', args: ['{index}'], env: {}, items: 'chunks' as const };
  const plain = wasiJob({ ...before, files_base64: Buffer.from(tree({ 'a.txt': 'x' })).toString('base64') });
  assert.deepEqual(plain.params, before);
  assert.equal(
    'dirs' in wasiRunOf({ unit_id: 'j/0', job_id: 'j', params: plain.params }, new Uint8Array(), undefined).wasi,
    false,
  );
  const dirs: WasiDir[] = [{ guest: '.', mode: 'rw' }];
  const mapped = wasiJob({
    ...before,
    dirs,
    files_base64: Buffer.from(tree({ '0/data.txt': DATA })).toString('base64'),
  });
  assert.deepEqual(mapped.params, { ...before, dirs });
  assert.deepEqual(
    wasiRunOf({ unit_id: 'j/0', job_id: 'j', params: mapped.params }, new Uint8Array(), undefined).wasi.dirs,
    dirs,
  );
  // A tree that does not fit its mappings is refused at submit; bad mappings by the schema, on every node.
  assert.throws(
    () => wasiJob({ ...before, dirs, files_base64: Buffer.from(tree({ 'data.txt': DATA })).toString('base64') }),
    (err: unknown) =>
      err instanceof ApiError && err.code === 'bad_request' && /does not fit wasi\.dirs/.test(err.message),
  );
  assert.equal(validate(WasiUnitParamsSchema, { ...before, dirs: [] }).ok, false);
  assert.equal(validate(WasiUnitParamsSchema, { ...before, dirs: [{ guest: 'x/', mode: 'rw' }] }).ok, false);
  assert.throws(
    () =>
      wasiRunOf(
        { unit_id: 'j/0', job_id: 'j', params: { ...before, dirs: [{ guest: '.', mode: 'rx' }] } },
        new Uint8Array(),
        undefined,
      ),
    (err: unknown) => err instanceof ExecError && err.code === 'BadRequest',
  );
});

test("a workflow's WASI step takes files by reference (an earlier step's, an input's): the program finds them in its folder", async () => {
  const step = { id: 'count', uses: { module: { cid: 'bafy' }, abi: 'wasi' } } as unknown as Parameters<
    typeof moduleTerms
  >[0];
  const data = Buffer.from(DATA);
  const store = new Map([[cidOfBytes(data), new Uint8Array(data)]]);
  // What {"$step": …, "files": true} or {"$input": …} resolves to: the files by name and CID.
  const files = [{ name: 'data.txt', cid: cidOfBytes(data), bytes: data.byteLength }];
  const dirs = [{ guest: '.', mode: 'rw' }];
  const terms = moduleTerms(step, 'bafy', { dirs, files }, store);
  const job = wasiJob(terms.wasi!);
  const unit = { unit_id: 'j/0', job_id: 'j', params: job.params };
  const ran = await executor.run({ module, ...wasiRunOf(unit, new Uint8Array(), job.files) });
  assert.equal(ran.exitCode, 0, text(ran.stderr ?? new Uint8Array()));
  const written = decodeWasiOutput(ran.output).files.find(([path]) => path === 'result.txt');
  assert.equal(text(written![1]), RESULT);
  // Without mapped folders they are /input's; a file the store lacks, or files given twice, are refused.
  const plain = wasiJob(moduleTerms(step, 'bafy', { files: files[0]! }, store).wasi!);
  assert.deepEqual(
    decodeInputFiles(plain.files!).map(([path]) => path),
    ['data.txt'],
  );
  assert.throws(
    () => moduleTerms(step, 'bafy', { files: [{ ...files[0]!, cid: cidOfBytes(Buffer.from('gone')) }] }, store),
    /step "count": its file data\.txt \(\S+\) is not in this node's store/,
  );
  assert.throws(
    () => moduleTerms(step, 'bafy', { files, files_base64: 'AA==' }, store),
    /step "count": give its files as files or files_base64, not both/,
  );
  assert.throws(() => moduleTerms(step, 'bafy', { files: 'data.txt' }, store), /step "count": files must name files/);
});

const run = async (files: Record<string, string>, dirs: WasiDir[], args: string[] = []) => {
  const ran = await executor.run({ module, input: new Uint8Array(), wasi: { args, files: tree(files), dirs } });
  return { ...decodeWasiOutput(ran.output), stderr: text(ran.stderr ?? new Uint8Array()) };
};

test('a writable folder at ".": relative paths reach it; only new and changed files come back', async () => {
  const fresh = await run({ '0/data.txt': DATA, '0/keep/a.txt': 'a' }, [{ guest: '.', mode: 'rw' }]);
  assert.equal(fresh.exitCode, 0, fresh.stderr);
  assert.deepEqual(
    fresh.files.map(([p, b]) => [p, text(b)]),
    [['result.txt', RESULT]],
  );
  // A result.txt it was given, rewritten the same: not a change. Rewritten otherwise (the same
  // length, so in its own bytes): one.
  const same = await run({ '0/data.txt': DATA, '0/result.txt': RESULT }, [{ guest: '.', mode: 'rw' }]);
  assert.deepEqual(same.files, []);
  const stale = RESULT.replace('ONE', 'OLD');
  const changed = await run({ '0/data.txt': DATA, '0/result.txt': stale }, [{ guest: '.', mode: 'rw' }]);
  assert.deepEqual(
    changed.files.map(([p, b]) => [p, text(b)]),
    [['result.txt', RESULT]],
  );
  // Each run starts from the copy it was given.
  assert.deepEqual(await run({ '0/data.txt': DATA, '0/result.txt': stale }, [{ guest: '.', mode: 'rw' }]), changed);
});

test('read-only folders refuse writes; writable ones come back under their guest path; an empty folder is one', async () => {
  const dirs: WasiDir[] = [
    { guest: '.', mode: 'ro' },
    { guest: '/results/today', mode: 'rw' },
  ];
  const ran = await run({ '0/data.txt': DATA, '1/empty/': '' }, dirs, ['/results/today/empty/r.txt', 'x.txt']);
  assert.equal(ran.exitCode, 0, ran.stderr);
  assert.equal(
    text(ran.stdout),
    `read data.txt (${DATA.length} bytes), wrote /results/today/empty/r.txt\ncreate x.txt: Read-only file system\n`,
  );
  assert.deepEqual(
    ran.files.map(([p]) => p),
    ['results/today/empty/r.txt'],
  );
  const readOnly = await run({ '0/data.txt': DATA }, [{ guest: '.', mode: 'ro' }]);
  assert.equal(readOnly.exitCode, 2);
  assert.equal(readOnly.stderr, 'result.txt: Read-only file system\n');
  // Not /input, /tmp or /out: only what is mapped.
  const noTmp = await run({ '0/data.txt': DATA }, [{ guest: '.', mode: 'ro' }], ['/out/r.txt']);
  assert.equal(noTmp.stderr, '/out/r.txt: No such file or directory\n'); // the root holds no out/
  // A tree that does not fit its mappings fails the unit alike on every node, unrun.
  await assert.rejects(
    executor.run({ module, input: new Uint8Array(), wasi: { files: tree({ '3/a': 'x' }), dirs } }),
    (err: unknown) => err instanceof ExecError && /lies under no mapped folder/.test(err.message),
  );
});

test("a workflow's WASI step maps a folder by its params, as submit-job's terms do", () => {
  const step = { id: 'count', uses: { module: { cid: 'bafy' }, abi: 'wasi' } } as unknown as Parameters<
    typeof moduleTerms
  >[0];
  const files_base64 = Buffer.from(tree({ '0/data.txt': DATA })).toString('base64');
  const dirs = [{ guest: '.', mode: 'rw' }];
  const terms = moduleTerms(step, 'bafy', { items: 'framed', dirs, files_base64 }, new Map());
  assert.deepEqual(terms.wasi?.dirs, dirs);
  assert.equal(terms.module_cid, 'bafy', 'the job names the module in the store, not a copy of it');
  assert.throws(
    () => moduleTerms(step, 'bafy', { dirs: [{ guest: '../data', mode: 'ro' }] }, new Map()),
    /step "count": its WASI terms: dirs: the guest path "\.\.\/data" climbs with "\.\."/,
  );
});
