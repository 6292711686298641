// Programs with WebAssembly exception handling (the legacy form clang's -fwasm-exceptions emits:
// try, catch, catch_all, throw), run as WASI units. Written as text and assembled by binaryen
// here: Debian's libc++abi for wasm32 is built without exceptions, so no C++ of ours can throw.
// A program's own exceptions work, deeply and often (its call depth does not drift with the frames
// they unwind), with the same fuel on every run; what it must not catch, it cannot: its proc_exit
// ends it however it catches the unwinding, and so does fuel running out in a host call. The
// final form (try_table, exnref) is refused by name.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import binaryen from 'binaryen';
import { ExecError, Executor } from '../../src-main/node/exec/index.js';
import { decodeWasiOutput } from '../../src-main/node/exec/wasi/program.js';

const executor = Executor.start({ workers: 2 });
after(() => executor.close());

/** A WASI command: fd_write and proc_exit imported, a page of memory, "caught\n" at 16 and an iovec of it at 0. */
const command = (body: string, extra = ''): Uint8Array => {
  const text = `(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 0) "\\10\\00\\00\\00\\07\\00\\00\\00")
    (data (i32.const 16) "caught\\n")
    (tag $e (param i32))
    ${extra}
    (func $say (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32))))
    (func (export "_start") ${body}))`;
  const module = binaryen.parseText(text);
  try {
    module.setFeatures(binaryen.Features.ExceptionHandling | binaryen.Features.ReferenceTypes);
    assert.ok(module.validate(), 'the test module is valid');
    return module.emitBinary();
  } finally {
    module.dispose();
  }
};
const run = (module: Uint8Array, fuel?: number) =>
  executor.run({ module, input: new Uint8Array(), wasi: {}, ...(fuel ? { limits: { fuel } } : {}) });
const stdout = (output: Uint8Array) => Buffer.from(decodeWasiOutput(output).stdout).toString();

test('a program throws and catches its own exceptions, 20,000 of them through 50 frames each: its depth does not drift, its fuel is the same every run', async () => {
  const deep = `
    (func $thrower (param i32) (throw $e (local.get 0)))
    (func $deep (param i32)
      (if (local.get 0)
        (then (call $deep (i32.sub (local.get 0) (i32.const 1))))
        (else (call $thrower (i32.const 7)))))`;
  const module = command(
    `(local $i i32) (local $v i32)
     (loop $again
       (try (do (call $deep (i32.const 50)))
         (catch $e (local.set $v (pop i32)) (local.set $v (i32.add (local.get $v) (i32.const 1)))))
       (local.set $i (i32.add (local.get $i) (i32.const 1)))
       (br_if $again (i32.lt_u (local.get $i) (i32.const 20000))))
     (if (i32.eq (local.get $v) (i32.const 8)) (then (call $say)))`,
    deep,
  );
  const [first, second] = await Promise.all([run(module), run(module)]);
  assert.equal(first.exitCode, 0);
  assert.equal(stdout(first.output), 'caught\n', 'every throw caught, its value passed');
  assert.equal(first.fuel, second.fuel, 'the same fuel on every run');
  assert.ok(first.fuel > 20_000 * 50, `every frame paid for (${first.fuel})`);
});

test('a program cannot catch its own proc_exit: it exits with its code, and nothing it does after counts', async () => {
  // catch_all around proc_exit(3); then it writes and loops for ever.
  const module = command(
    `(try (do (call $proc_exit (i32.const 3))) (catch_all))
     (call $say)
     (loop $ever (br $ever))`,
  );
  const ran = await run(module, 10_000_000);
  assert.equal(ran.exitCode, 3);
  assert.equal(stdout(ran.output), '', 'its write after the exit did nothing');
  assert.ok(ran.fuel < 10_000, `the fuel at its exit, not a budget spent looping (${ran.fuel})`);
});

test('fuel that runs out in a host call ends the unit, caught or not', async () => {
  const module = command(`(loop $again (try (do (call $say)) (catch_all)) (br $again))`);
  await assert.rejects(run(module, 200_000), (err: unknown) => err instanceof ExecError && err.code === 'OutOfFuel');
});

test('the final form of exception handling (try_table, exnref) is refused by name', async () => {
  const module = command(`(block $out (try_table (catch_all $out) (call $proc_exit (i32.const 1))))`);
  await assert.rejects(
    run(module),
    (err: unknown) =>
      err instanceof ExecError && err.code === 'BadModule' && /final form: `try_table`/.test(err.message),
  );
});
