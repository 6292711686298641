// The WASI conformance corpus (test/wasi/corpus: C and Rust programs over the whole of preview 1,
// error cases included), run through the executor's real worker threads and metering, both builds
// of it (clang-14's defaults, and features/: bulk memory, SIMD128, reference types), the tests of a
// build at once on two workers. Any folder in the wasi-testsuite shape runs too:
// WASI_SUITE_DIR=path/to/tests. The committed modules must be what
// scripts/build-wasi-corpus.mjs builds from the sources, byte for byte (checked where clang-14 is).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import binaryen from 'binaryen';
import { Executor } from '../../src-main/node/exec/index.js';
import { loadWasiTests, mismatches, runWasiTest } from '../wasi/suite.js';

const corpus = fileURLToPath(new URL('../../../test/wasi/corpus/', import.meta.url));
const builds: Array<[string, string, string]> = [
  ['corpus', corpus, corpus],
  ['corpus, features build', corpus, `${corpus}features/`],
  ...(process.env.WASI_SUITE_DIR
    ? [[process.env.WASI_SUITE_DIR, process.env.WASI_SUITE_DIR, process.env.WASI_SUITE_DIR]]
    : []),
] as Array<[string, string, string]>;
const executor = Executor.start({ workers: 2 });
after(() => executor.close());

for (const [label, folder, modules] of builds) {
  test(`wasi ${label}`, { concurrency: true }, async (t) => {
    await Promise.all(
      loadWasiTests(folder, modules).map((wasiTest) =>
        t.test(wasiTest.name, async () => {
          const run = await runWasiTest(executor, wasiTest);
          assert.deepEqual(mismatches(wasiTest.spec, run), []);
        }),
      ),
    );
  });
}

test('both builds hold the same programs; the second uses bulk memory and SIMD128, the first neither', () => {
  const names = (modules: string) => loadWasiTests(corpus, modules).map((t) => t.name);
  assert.deepEqual(names(`${corpus}features/`), names(corpus));
  /** What of the two features a build's modules use (most use neither: their code copies nothing inline). */
  const uses = (modules: string) => {
    const text = loadWasiTests(corpus, modules).map((t) => {
      const module = binaryen.readBinary(t.module);
      try {
        module.setFeatures(binaryen.Features.All);
        return module.emitText();
      } finally {
        module.dispose();
      }
    });
    return {
      bulk: text.some((t) => /memory\.(copy|fill)/.test(t)),
      simd: text.some((t) => /\bv128\b|i8x16|i32x4/.test(t)),
    };
  };
  assert.deepEqual(uses(corpus), { bulk: false, simd: false });
  assert.deepEqual(uses(`${corpus}features/`), { bulk: true, simd: true });
});

test('the corpus covers every preview 1 call family', () => {
  const names = loadWasiTests(corpus).map((t) => t.name);
  for (const family of [
    'args_environ',
    'clocks',
    'random',
    'fd_io',
    'stat',
    'paths',
    'readdir',
    'poll',
    'proc_exit',
    'errors',
    'files_rw',
    'fd_ops',
    'close_preopen',
    'symlinks',
    'dir_changes',
    'root',
    'sched_clock_res',
    'fd_shared',
    'std_fs-rs',
    'poll_stdin',
    'preopen_name',
  ])
    assert.ok(names.includes(family), `no test for ${family}`);
});

test('a test without its .json takes the default spec: it passes by exiting 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasi-suite-'));
  try {
    // Two corpus programs without their specs: one exits 0, the other (proc_exit's) does not.
    copyFileSync(`${corpus}random.wasm`, join(dir, 'random.wasm'));
    copyFileSync(`${corpus}proc_exit.wasm`, join(dir, 'proc_exit.wasm'));
    const tests = loadWasiTests(dir);
    assert.deepEqual(
      tests.map((t) => [t.name, t.spec]),
      [
        ['proc_exit', {}],
        ['random', {}],
      ],
    );
    const [exits, passes] = await Promise.all(tests.map((t) => runWasiTest(executor, t)));
    assert.deepEqual(mismatches(tests[1]!.spec, passes!), []);
    assert.match(mismatches(tests[0]!.spec, exits!).join('\n'), /^exit code \d+, expected 0$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the committed modules are those of the manifests', () => {
  for (const folder of [corpus, `${corpus}features/`]) {
    const manifest = JSON.parse(readFileSync(`${folder}manifest.json`, 'utf8')) as Record<string, string>;
    for (const [file, sha] of Object.entries(manifest))
      assert.equal(
        createHash('sha256')
          .update(readFileSync(`${folder}${file}`))
          .digest('hex'),
        sha,
        file,
      );
  }
});

const clang = spawnSync('clang-14', ['--version']).status === 0;
test('the corpus rebuilds byte-identical from its sources', { skip: !clang && 'clang-14 is not installed' }, () => {
  const script = fileURLToPath(new URL('../../../scripts/build-wasi-corpus.mjs', import.meta.url));
  execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' });
});
