// `meshctl run-local --wasi … --dir HOST[:GUEST][:ro|rw]`, the built CLI in a child process: a C
// program that reads `data.txt` by a relative path and writes `result.txt` beside it
// (test/wasi/programs/relative_files.c) finds its folder at `.` as under Node's own node:wasi given
// the same preopen, and what it writes in a writable folder comes back in its unit's `out/`,
// never on this disk. Every bad `--dir` is refused in one line before anything runs or is sent.
import assert from 'node:assert/strict';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { MAX_WASI_FILES_BYTES } from '../../src-main/core/schemas/index.js';
import { runMeshctl, type Run } from './fixtures/run-meshctl.js';

const program = fileURLToPath(new URL('../../../test/wasi/programs/relative_files.wasm', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'meshctl-dirs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DATA = 'the quick brown fox\njumps over\nthe lazy dog\n';
/** A folder as a program's working folder: data.txt, and a subfolder with a file and an empty one. */
function workFolder(name: string): string {
  const folder = join(dir, name);
  mkdirSync(join(folder, 'sub', 'empty'), { recursive: true });
  writeFileSync(join(folder, 'data.txt'), DATA);
  writeFileSync(join(folder, 'sub', 'note.txt'), 'unchanged');
  return folder;
}

const runLocal = (...args: string[]) => runMeshctl(['run-local', '--wasi', program, '--items', '1', ...args]);

/** Node's node:wasi runs the module with `preopens`, writing to the real folders; its exit code and stdout. */
function nodeWasi(preopens: Record<string, string>, args: string[] = []): { exit: number; stdout: string } {
  const stdoutPath = join(dir, `node-wasi-stdout-${Object.keys(preopens).length}`);
  const stdout = openSync(stdoutPath, 'w');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['relative_files.wasm', ...args],
      preopens,
      stdout,
      returnOnExit: true,
    });
    const instance = new WebAssembly.Instance(
      new WebAssembly.Module(readFileSync(program)),
      wasi.getImportObject() as WebAssembly.Imports,
    );
    return { exit: wasi.start(instance), stdout: readFileSync(stdoutPath, 'utf8') };
  } finally {
    closeSync(stdout);
  }
}

/** Every file under `folder`, by its path in it with "/", and its text. */
function filesOf(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out[
        path
          .slice(folder.length + 1)
          .split('\\')
          .join('/')
      ] = readFileSync(path, 'utf8');
    }
  return out;
}

test('a folder mapped at "." read-write: relative paths find it, as under node:wasi, and its writes come back in out/', async () => {
  const mine = workFolder('mine');
  const theirs = workFolder('theirs');
  const out = join(dir, 'out-rw');
  const ran = await runLocal('--dir', `${mine}:.:rw`, '--out', out);
  assert.equal(ran.status, 0, ran.stderr);
  assert.match(ran.stdout, /^unit 0: exit 0, output \S+, fuel \d+ → .*\(\d+ bytes of stdout, 1 files in out\/\)$/m);
  const node = nodeWasi({ '.': theirs });
  assert.equal(node.exit, 0);
  const expected = readFileSync(join(theirs, 'result.txt'), 'utf8');
  assert.equal(expected, `3 lines, 9 words, ${DATA.length} bytes\n${DATA.toUpperCase()}`);
  // What it wrote, and only that (data.txt and sub/ are as it was given them), beside its stdout.
  assert.deepEqual(filesOf(join(out, '0', 'out')), { 'result.txt': expected });
  assert.equal(readFileSync(join(out, '0', 'stdout'), 'utf8'), node.stdout);
  assert.equal(readFileSync(join(out, '0', 'exit'), 'utf8'), '0\n');
  // The folder it was given a copy of is as it was.
  assert.deepEqual(filesOf(mine), { 'data.txt': DATA, 'sub/note.txt': 'unchanged' });
  // --dir DIR alone maps it where it is named, read-only: an absolute path at itself, where the
  // program finds it (a write there is EROFS, not the ENOTCAPABLE of a path no folder holds).
  const abs = await runLocal(
    '--dir',
    mine,
    '--dir',
    `${theirs}:.:rw`,
    '--args',
    `${mine}/new.txt`,
    '--out',
    join(dir, 'out-abs'),
  );
  assert.equal(abs.status, 0, abs.stderr);
  assert.equal(readFileSync(join(dir, 'out-abs', '0', 'stderr'), 'utf8'), `${mine}/new.txt: Read-only file system\n`);
  assert.equal(readFileSync(join(dir, 'out-abs', '0', 'exit'), 'utf8'), '2\n');
  // Without a folder at "." (or "/") a relative path lies in none: wasi-libc says ENOTCAPABLE.
  const none = await runLocal('--dir', mine, '--out', join(dir, 'out-none'));
  assert.match(none.stdout, /^unit 0: exit 1, /m);
  assert.equal(readFileSync(join(dir, 'out-none', '0', 'stderr'), 'utf8'), 'data.txt: Capabilities insufficient\n');
});

test('a read-only folder at "." and a writable one elsewhere; an empty folder travels; the same units as node:wasi', async () => {
  const work = workFolder('work');
  const results = join(dir, 'results');
  mkdirSync(results);
  const out = join(dir, 'out-two');
  const ran = await runLocal(
    '--dir',
    `${work}:.`,
    '--dir',
    `${results}:/results:rw`,
    '--args',
    '/results/r.txt sub/x.txt',
    '--out',
    out,
  );
  assert.equal(ran.status, 0, ran.stderr);
  const stdout = readFileSync(join(out, '0', 'stdout'), 'utf8');
  assert.equal(
    stdout,
    `read data.txt (${DATA.length} bytes), wrote /results/r.txt\ncreate sub/x.txt: Read-only file system\n`,
  );
  // A writable folder's files come back under its guest path.
  assert.deepEqual(Object.keys(filesOf(join(out, '0', 'out'))), ['results/r.txt']);
  const theirs = workFolder('theirs-two');
  const theirResults = join(dir, 'their-results');
  mkdirSync(theirResults);
  nodeWasi({ '.': theirs, '/results': theirResults }, ['/results/r.txt']);
  assert.equal(
    readFileSync(join(out, '0', 'out', 'results', 'r.txt'), 'utf8'),
    readFileSync(join(theirResults, 'r.txt'), 'utf8'),
  );
  // An empty folder of the mapped one is there to write into.
  const empty = await runLocal('--dir', `${work}:.:rw`, '--args', 'sub/empty/r.txt', '--out', join(dir, 'out-empty'));
  assert.equal(empty.status, 0, empty.stderr);
  assert.deepEqual(Object.keys(filesOf(join(dir, 'out-empty', '0', 'out'))), ['sub/empty/r.txt']);
  assert.equal(existsSync(join(work, 'sub', 'empty', 'r.txt')), false);
});

/** Exit status 1, nothing on stdout, and one line on stderr that matches. */
function assertRefused(result: Run, prefix: string, message: RegExp): void {
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, new RegExp(`^${prefix}: [^\\n]+\\n$`));
  assert.match(result.stderr, message);
}

test('a bad --dir is refused in one line, before anything runs or is sent', async () => {
  const work = workFolder('bad');
  const linked = workFolder('linked');
  symlinkSync(join(work, 'data.txt'), join(linked, 'sub', 'link.txt'));
  const big = join(dir, 'big');
  mkdirSync(big);
  writeFileSync(join(big, 'huge.bin'), '');
  truncateSync(join(big, 'huge.bin'), MAX_WASI_FILES_BYTES + 1); // sparse: refused by its size, never read
  const cases: Array<[string[], RegExp]> = [
    [['--dir', join(dir, 'nowhere')], /--dir: .*nowhere does not exist$/m],
    [['--dir', join(work, 'data.txt')], /--dir: .*data\.txt is not a folder$/m],
    [['--dir', linked], /--dir: .*link\.txt is a symlink: a mapped folder holds plain files and folders only$/m],
    [['--dir', `${work}:/data`, '--dir', `${linked}:/data/`], /--dir: \/data is mapped twice$/m],
    [
      ['--dir', `${work}:.`, '--dir', `${linked}:/`],
      /--dir: \/ is mapped twice \(as \. and \/, one place to wasi-libc\)$/m,
    ],
    [['--dir', `${work}:data`, '--dir', `${linked}:/data`], /--dir: \/data is mapped twice \(as data and \/data/],
    [['--dir', `${work}:/a/../b`], /climbs with "\.\."/],
    [
      ['--dir', `${work}:/a:rw`, '--dir', `${linked}:/a/b:rw`],
      /two writable folders, \/a and \/a\/b, one inside the other/,
    ],
    [
      ['--dir', big],
      new RegExp(
        `--dir: the mapped folders hold over ${MAX_WASI_FILES_BYTES} bytes of files and paths, a job's most$`,
        'm',
      ),
    ],
    [
      ['--dir', work, '--files', work],
      /--files mounts \/input beside \/tmp and \/out; with --dir only the folders mapped are there: map it as --dir .*:\/input$/m,
    ],
  ];
  const runs = await Promise.all(cases.map(([args]) => runLocal(...args)));
  runs.forEach((run, i) => assertRefused(run, 'meshctl run-local', cases[i]![1]));
  // submit-job says so before it reaches a node (none runs here), and --dir is a WASI program's.
  const submit = await runMeshctl([
    'submit-job',
    '--wasi',
    program,
    '--items',
    '1',
    '--dir',
    join(dir, 'nowhere'),
    '--budget',
    '1',
    '--data-dir',
    join(dir, 'no-node'),
  ]);
  assertRefused(submit, 'meshctl', /--dir: .*nowhere does not exist$/m);
  const wasm = await runMeshctl(['run-local', '--wasm', program, '--input', join(work, 'data.txt'), '--dir', work]);
  assertRefused(wasm, 'meshctl run-local', /--dir goes with --wasi$/m);
});

test('the same files at the same guest paths make the same unit, wherever they lie on this disk', async () => {
  const work = workFolder('original');
  const copy = join(dir, 'copy');
  cpSync(work, copy, { recursive: true });
  const [a, b] = await Promise.all([runLocal('--dir', `${work}:.:rw`), runLocal('--dir', `${copy}:.:rw`)]);
  assert.equal(a.status, 0, a.stderr);
  // The same files at the same guest paths are the same unit, wherever they are on this disk.
  assert.equal(/output (\S+)/.exec(a.stdout)![1], /output (\S+)/.exec(b.stdout)![1]);
});
