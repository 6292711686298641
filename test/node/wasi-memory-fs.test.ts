// The WASI host's filesystem in memory (src-main/node/exec/wasi/memory-fs.ts) where a program
// cannot easily reach: fd_readdir's cookies across changes, and how many it keeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno, WasiErrno } from '../../src-main/node/exec/wasi/constants.js';
import { MemoryFs } from '../../src-main/node/exec/wasi/memory-fs.js';

function folder() {
  const fs = new MemoryFs(0n);
  const root = fs.mount('/tmp', false, 1 << 20, 1);
  return { fs, root };
}
const names = (list: Array<{ name: string }>) => list.map((e) => e.name);

test('a read resumes after the name it stopped at, whatever was removed or added between', () => {
  const { fs, root } = folder();
  for (const name of ['a', 'b', 'c', 'd']) fs.createFile(root, name);
  const first = fs.readdirFrom(root, 0n);
  assert.deepEqual(names(first), ['.', '..', 'a', 'b', 'c', 'd']);
  const afterB = first[3]!.next;
  // What Rust's remove_dir_all does: removes what it has listed, then reads on.
  fs.unlink(root, 'a');
  fs.unlink(root, 'b');
  fs.createFile(root, 'bb');
  assert.deepEqual(names(fs.readdirFrom(root, afterB)), ['bb', 'c', 'd']);
  assert.deepEqual(names(fs.readdirFrom(root, 2n)), ['bb', 'c', 'd']);
  assert.deepEqual(names(fs.readdirFrom(root, 1n)), ['..', 'bb', 'c', 'd']);
  // A name's cookie stays its own.
  assert.equal(fs.readdirFrom(root, 0n).find((e) => e.name === 'c')!.next, first[4]!.next);
});

test('an unknown cookie, or one past 2^63 (negative as it arrives), lists nothing', () => {
  const { fs, root } = folder();
  fs.createFile(root, 'a');
  assert.deepEqual(fs.readdirFrom(root, 1000n), []);
  assert.deepEqual(fs.readdirFrom(root, -1n), []);
});

test('the cookies of names gone are dropped once they outnumber the entries', () => {
  const { fs, root } = folder();
  fs.createFile(root, 'kept');
  const kept = fs.readdirFrom(root, 0n)[2]!.next;
  for (let i = 0; i < 5000; i++) {
    fs.createFile(root, `t${i}`);
    fs.readdirFrom(root, 0n);
    fs.unlink(root, `t${i}`);
  }
  assert.ok(root.cookies!.names.size <= 2 * root.entries.size + 1024 + 1, `${root.cookies!.names.size} cookies kept`);
  assert.equal(fs.readdirFrom(root, 0n)[2]!.next, kept);
  assert.deepEqual(names(fs.readdirFrom(root, kept)), []);
});

test('a path ending in / names a folder', () => {
  const { fs, root } = folder();
  fs.mkdir(root, 'd/');
  fs.createFile(root, 'f');
  assert.equal(fs.existing(root, 'd/', false).kind, 'dir');
  const errno = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      if (err instanceof WasiErrno) return err.errno;
    }
    return undefined;
  };
  assert.equal(
    errno(() => fs.resolve(root, 'f/', false)),
    Errno.notdir,
  );
  assert.equal(
    errno(() => fs.createFile(root, 'g/')),
    Errno.isdir,
  );
  fs.symlink(root, 'to-d', 'd');
  assert.equal(
    errno(() => fs.rmdir(root, 'to-d/')),
    Errno.notdir,
  );
  fs.rmdir(root, 'd/');
  assert.equal(root.entries.has('d'), false);
});
