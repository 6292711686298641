// WASI programs that use what a unit cannot allow are refused at load, each with the feature named:
// by Executor.checkModule (what a provider's run meets first) and so by a submit, which runs the
// same check (refuseUnrunnableModule) before anything of the job is stored.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import binaryen from 'binaryen';
import { ApiError } from '../../src-main/node/api/errors.js';
import { ExecError, Executor } from '../../src-main/node/exec/index.js';
import { refuseUnrunnableModule } from '../../src-main/node/kinds/module/module-check.js';

const pool = Executor.start({ workers: 1 });
after(() => pool.close());

// From dist/test/node/ (compiled) up to the repo root.
const fixtures = new URL('../../../test/node/fixtures/wasi-refused/', import.meta.url);

/** A fixture built with every feature on, as a toolchain that emits the feature would build it. */
function fixture(name: string): Uint8Array {
  const module = binaryen.parseText(readFileSync(new URL(`${name}.wat`, fixtures), 'utf8'));
  try {
    module.setFeatures(binaryen.Features.All);
    const bytes = module.emitBinary();
    assert.ok(
      WebAssembly.validate(new Uint8Array(bytes)),
      `${name}.wat must be valid WebAssembly for V8, so the refusal is ours`,
    );
    return bytes;
  } finally {
    module.dispose();
  }
}

const refused: Array<[string, ExecError['code'], RegExp]> = [
  ['shared-memory', 'BadModule', /uses a shared memory \(the threads feature\)/],
  ['thread-spawn', 'ForbiddenImport', /imports "wasi\.thread-spawn": wasi-threads, which WASI units do not support/],
  ['catch-exit-exnref', 'BadModule', /uses exception handling in its final form: `try_table`/],
  ['multi-memory', 'BadModule', /uses 2 memories \(multiple memories\), which units do not allow/],
  ['relaxed-simd', 'BadModule', /relaxed SIMD: `i32x4\.relaxed_trunc_f32x4_s`/],
  ['atomics', 'BadModule', /uses threads \(atomics\): `i32\.atomic\.rmw\.add`/],
  ['function-references', 'BadModule', /uses typed function references: `call_ref`/],
  ['unknown-import', 'ForbiddenImport', /imports function "env\.now", which WASI preview 1 does not provide/],
];

for (const [name, code, message] of refused) {
  test(`a WASI program's ${name} is refused at load, the feature named: ${code}`, async () => {
    const checked = await pool.checkModule(fixture(name), 'wasi').then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(checked instanceof ExecError, `expected an ExecError, got ${String(checked)}`);
    assert.equal(checked.code, code, checked.message);
    assert.match(checked.message, message);

    const submitted = await refuseUnrunnableModule(pool, fixture(name), 'wasi').then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(submitted instanceof ApiError, `expected an ApiError, got ${String(submitted)}`);
    assert.equal(submitted.code, 'bad_request');
    assert.match(submitted.message, /^the module cannot run as a unit, so nothing was submitted: /);
    assert.match(submitted.message, message);
    assert.match(submitted.message, /docs\/UNIT_ABI\.md, section 15/);
  });
}
