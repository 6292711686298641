// Executor.checkModule, what a node runs on a user's module when a job of it is submitted: the very
// checks a unit of it meets before running, so it refuses exactly what a run refuses, with the
// same code and words, and runs none of the module's code.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ExecError, Executor } from '../../src-main/node/exec/index.js';
import { hostileModule, reverseModule } from './fixtures/hostile/modules.js';
import { editedReverse, wasiHelloModule } from './fixtures/wasi-module.js';

const pool = Executor.start({ workers: 1 });
after(() => pool.close());

const input = new TextEncoder().encode('input');

async function errorOf(promise: Promise<unknown>): Promise<ExecError> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(outcome instanceof ExecError, `expected an ExecError, got ${String(outcome)}`);
  return outcome;
}

const refused: Array<[string, Uint8Array, ExecError['code'], RegExp]> = [
  [
    'a WASI program: its first import named, and what to build instead',
    wasiHelloModule(),
    'ForbiddenImport',
    /"wasi_snapshot_preview1\.fd_write", which the unit ABI does not provide; it is a WASI program, which runs as a WASI job, not a custom-ABI one: submit it with meshctl submit-job --wasi \(docs\/UNIT_ABI\.md, section 15\), .*section 12/,
  ],
  [
    'a WASI import in an ABI module',
    hostileModule('import-wasi-fd-write'),
    'ForbiddenImport',
    /"wasi_snapshot_preview1\.fd_write".*it is a WASI program, which runs as a WASI job/,
  ],
  [
    'another import',
    hostileModule('import-env-now'),
    'ForbiddenImport',
    /"env\.now", which the unit ABI does not provide$/,
  ],
  [
    'no mesh_run',
    editedReverse((wat) => wat.replace('(export "mesh_run")', '(export "run")')),
    'BadModule',
    /does not export the function "mesh_run"$/,
  ],
  [
    "WASI's _start instead of mesh_run",
    editedReverse((wat) => wat.replace('(export "mesh_run")', '(export "_start")')),
    'BadModule',
    /does not export the function "mesh_run"; it exports "_start", so it is a WASI program/,
  ],
  [
    'no memory export',
    editedReverse((wat) => wat.replace('(memory (export "memory") 1 16)', '(memory 1 16)')),
    'BadModule',
    /does not export its memory as "memory"/,
  ],
  [
    'memory over the unit limits',
    hostileModule('huge-initial-memory'),
    'MemoryLimit',
    /\(initial 65536, maximum 65536 pages\) is over the unit's 1024 pages/,
  ],
  ['memory with no maximum', hostileModule('no-memory-maximum'), 'MemoryLimit', /declares no maximum/],
  ['not WebAssembly', new TextEncoder().encode('\0asm but not really'), 'BadModule', /not a valid WebAssembly module/],
  [
    // Sections well formed, one function's body not: V8 compiles with lazy validation (prepare.ts),
    // which would accept it until the function ran; it is refused all the same, with V8's reason.
    'a function body of the wrong type',
    editedReverse((wat) =>
      wat.replace(
        '(memory (export "memory") 1 16)',
        '(memory (export "memory") 1 16) (func $bad (result i32) i64.const 0)',
      ),
    ),
    'BadModule',
    /not a valid WebAssembly module: .*type error/,
  ],
];

for (const [what, module, code, message] of refused) {
  test(`checkModule refuses ${what} as a run of it does: ${code}`, async () => {
    const checked = await errorOf(pool.checkModule(module));
    assert.equal(checked.code, code, checked.message);
    assert.match(checked.message, message);
    const ran = await errorOf(pool.run({ module, input }));
    assert.deepEqual([ran.code, ran.message], [checked.code, checked.message]);
  });
}

test('checkModule passes a unit that follows the ABI and runs none of its code', async () => {
  await pool.checkModule(reverseModule());
  // Its start function never returns: checked, it passes at once; run, it ends as OutOfFuel.
  const spinning = hostileModule('loop-in-start');
  await pool.checkModule(spinning);
  const ran = await errorOf(pool.run({ module: spinning, input, limits: { fuel: 1_000 } }));
  assert.equal(ran.code, 'OutOfFuel');
});

test('checkModule on a closed executor says so', async () => {
  const closed = Executor.start({ workers: 1 });
  await closed.close();
  assert.equal((await errorOf(closed.checkModule(reverseModule()))).code, 'Closed');
});
