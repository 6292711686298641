// The fuel metering on its own (metering.ts): what a metered module exports, where its start
// function goes, and which modules it refuses rather than bill wrongly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CALL_DEPTH_GLOBAL,
  FUEL_GLOBAL,
  GROW_REFUSED_GLOBAL,
  MEMORY_IMPORT,
  meteredImports,
  START_EXPORT,
} from '../../src-main/node/exec/abi.js';
import { meterModule, MeteringRefused } from '../../src-main/node/exec/metering.js';
import { reverseModule, watToBinary } from './fixtures/hostile/modules.js';

const exportNames = (bytes: Uint8Array): string[] =>
  WebAssembly.Module.exports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).map(
    (e) => `${e.kind} ${e.name}`,
  );

/** A unit's exports around `body`; `extra` goes in the module before them. */
function unitWat(extra: string, runBody = '(i32.const 0)'): string {
  return `(module
    (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
    (memory (export "memory") 1 16)
    ${extra}
    (func (export "mesh_abi_version") (result i32) (i32.const 1))
    (func (export "mesh_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "mesh_run") (param i32 i32 i32 i32) (result i32) ${runBody})
    (func (export "mesh_output_ptr") (result i32) (i32.const 0))
    (func (export "mesh_output_len") (result i32) (i32.const 0)))`;
}

test('a metered reverse.wasm exports everything it did, plus the fuel global (and the grow-refused flag and call depth)', () => {
  const original = reverseModule();
  const metered = meterModule(original);
  const before = exportNames(original);
  const after = exportNames(metered.bytes);
  for (const name of before) assert.ok(after.includes(name), `lost the export ${name}`);
  assert.deepEqual(
    after.filter((name) => !before.includes(name)).sort(),
    [`global ${FUEL_GLOBAL}`, `global ${GROW_REFUSED_GLOBAL}`, `global ${CALL_DEPTH_GLOBAL}`].sort(),
  );
  assert.deepEqual(metered.memory, { initial: 1, maximum: 16 });
  assert.equal(metered.hasStart, false);
});

test('a metered module imports its memory, with the limits it declared, and still exports it as memory', () => {
  const compiled = new WebAssembly.Module(meterModule(reverseModule()).bytes as Uint8Array<ArrayBuffer>);
  assert.deepEqual(
    WebAssembly.Module.imports(compiled).filter((i) => i.kind === 'memory'),
    [{ module: MEMORY_IMPORT.module, name: MEMORY_IMPORT.name, kind: 'memory' }],
  );
  const limits = (initial: number, maximum: number) => meteredImports(new WebAssembly.Memory({ initial, maximum }));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16 });
  const exports = new WebAssembly.Instance(compiled, meteredImports(memory)).exports;
  assert.equal(exports.memory, memory);
  // A memory allowed to grow past the declared maximum does not link.
  assert.throws(() => new WebAssembly.Instance(compiled, limits(1, 17)), WebAssembly.LinkError);
});

test('the start function no longer runs at instantiation: it is exported as mesh_start and runs on fuel', () => {
  const original = watToBinary(
    unitWat(`(global $started (export "started") (mut i32) (i32.const 0))
             (func $init (global.set $started (i32.const 1)))
             (start $init)`),
  );
  const metered = meterModule(original);
  assert.equal(metered.hasStart, true);
  const instance = new WebAssembly.Instance(
    new WebAssembly.Module(metered.bytes as Uint8Array<ArrayBuffer>),
    meteredImports(new WebAssembly.Memory({ initial: 1, maximum: 16 })),
  );
  const exports = instance.exports as Record<string, WebAssembly.Global | (() => void)>;
  const started = exports.started as WebAssembly.Global;
  const fuel = exports[FUEL_GLOBAL] as WebAssembly.Global;
  assert.equal(started.value, 0, 'the start function ran at instantiation');
  fuel.value = 1_000n;
  (exports[START_EXPORT] as () => void)();
  assert.equal(started.value, 1);
  assert.ok((fuel.value as bigint) < 1_000n, 'mesh_start used no fuel');
});

test('a module using bulk memory (memory.fill, memory.copy) is metered, not refused (exec-bulk-memory.test.ts)', () => {
  const fill = unitWat('', '(memory.fill (i32.const 0) (i32.const 0) (i32.const 100)) (i32.const 0)');
  const copy = unitWat('', '(memory.copy (i32.const 0) (i32.const 100) (i32.const 100)) (i32.const 0)');
  for (const wat of [fill, copy]) {
    const metered = meterModule(watToBinary(wat));
    assert.ok(WebAssembly.validate(metered.bytes as Uint8Array<ArrayBuffer>), 'V8 accepts the metered module');
  }
});

test('a module exporting "mesh_fuel" or "mesh_call_depth" itself is refused', () => {
  for (const [name, type] of [
    [FUEL_GLOBAL, 'i64'],
    [CALL_DEPTH_GLOBAL, 'i32'],
  ]) {
    const module = watToBinary(unitWat(`(global (export "${name}") (mut ${type}) (${type}.const 999))`));
    assert.throws(
      () => meterModule(module),
      (err: unknown) => err instanceof MeteringRefused && err.message.includes(name!),
    );
  }
});
