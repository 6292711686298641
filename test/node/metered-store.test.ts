// Metered modules on disk (node/exec/metered-store.ts): the executor keeps what it metered in the
// data dir and uses it on a later start instead of metering again, by the module's hash; an entry
// from other metering code, or damaged, is metered again and written over; the store keeps to its
// budget; and the build's store holds every shipped kernel, metered as the node would meter it.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ExecError, Executor, sha256Hex } from '../../src-main/node/exec/index.js';
import {
  encodeEntry,
  MeteredStore,
  meteringVersion,
  shippedMeteredDir,
} from '../../src-main/node/exec/metered-store.js';
import { meterModule } from '../../src-main/node/exec/metering.js';
import { hostileModule, reverseModule } from './fixtures/hostile/modules.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-metered-'));
  dirs.push(dir);
  return dir;
}

/** Runs `module` on `input` in a fresh executor (a node's start) keeping metered modules in `dir`. */
async function runOnce(dir: string, module: Uint8Array, input: Uint8Array): Promise<Uint8Array | ExecError> {
  const pool = Executor.start({ workers: 1, meteredDir: dir });
  try {
    return (await pool.run({ module, input })).output;
  } catch (err) {
    if (err instanceof ExecError) return err;
    throw err;
  } finally {
    await pool.close();
  }
}

const entryOf = (dir: string, module: Uint8Array) => join(dir, `${sha256Hex(module)}.metered`);

test('a module metered once is taken from the disk by its hash on the next start, unless stale or damaged', async () => {
  const dir = join(tempDir(), 'metered-modules');
  const reverse = reverseModule();
  const trapping = hostileModule('reverse-or-trap'); // reverses too, but traps on a first byte 0xFF
  const input = new Uint8Array([0xff, 1, 2]);
  assert.deepEqual(await runOnce(dir, reverse, input), new Uint8Array([2, 1, 0xff]));
  assert.equal((await runOnce(dir, trapping, input)) instanceof ExecError, true);
  assert.deepEqual(
    readdirSync(dir).sort(),
    [entryOf(dir, reverse), entryOf(dir, trapping)].map((p) => p.slice(dir.length + 1)).sort(),
  );

  // The trapping module's entry under the reversing module's hash: what runs is what the disk says.
  const planted = readFileSync(entryOf(dir, trapping));
  writeFileSync(entryOf(dir, reverse), planted);
  const fromDisk = await runOnce(dir, reverse, input);
  assert.ok(fromDisk instanceof ExecError && fromDisk.code === 'Trap', `ran ${String(fromDisk)}`);

  // Metered by other code: metered again (the module's own behaviour) and written over.
  const header = planted.subarray(0, planted.indexOf(10)).toString();
  const otherVersion = header.replace(meteringVersion(), '0'.repeat(16));
  assert.notEqual(otherVersion, header);
  writeFileSync(entryOf(dir, reverse), Buffer.concat([Buffer.from(otherVersion), planted.subarray(header.length)]));
  assert.deepEqual(await runOnce(dir, reverse, input), new Uint8Array([2, 1, 0xff]));
  assert.match(readFileSync(entryOf(dir, reverse), 'utf8'), new RegExp(`"version":"${meteringVersion()}"`));

  // Damaged (its bytes no longer match their hash): metered again too.
  writeFileSync(entryOf(dir, reverse), planted.subarray(0, planted.length - 1));
  assert.deepEqual(await runOnce(dir, reverse, input), new Uint8Array([2, 1, 0xff]));
  // Damaged at its length (a byte of its code flipped): its checksum says so, metered again.
  const flipped = Buffer.from(planted);
  flipped[flipped.length - 8]! ^= 0x01;
  writeFileSync(entryOf(dir, reverse), flipped);
  assert.deepEqual(await runOnce(dir, reverse, input), new Uint8Array([2, 1, 0xff]));
});

test('the store keeps to its budget, dropping the least recently used entries', async () => {
  const dir = tempDir();
  const modules = [reverseModule(), hostileModule('reverse-or-trap'), hostileModule('trap-halfway')];
  const metered = modules.map((m) => meterModule(m));
  // Room for any two of the three, not for all three.
  const store = new MeteredStore(dir, metered.reduce((sum, m) => sum + encodeEntry(m).length, 0) - 1);
  await store.put(sha256Hex(modules[0]!), metered[0]!);
  await new Promise((resolve) => setTimeout(resolve, 20)); // distinct modification times
  await store.put(sha256Hex(modules[1]!), metered[1]!);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(await store.get(sha256Hex(modules[0]!)), 'the first entry, used again: now the most recent');
  await new Promise((resolve) => setTimeout(resolve, 20));
  await store.put(sha256Hex(modules[2]!), metered[2]!);
  assert.ok(await store.get(sha256Hex(modules[0]!)));
  assert.equal(await store.get(sha256Hex(modules[1]!)), undefined, 'the least recently used went');
  assert.ok(await store.get(sha256Hex(modules[2]!)));
});

test('the build metered every shipped kernel, as the node meters it, for the current metering code', async () => {
  const wasmDir = join(shippedMeteredDir(), '..');
  const kernels = readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'));
  assert.ok(kernels.length >= 3, `kernels: ${kernels.join(', ')}`);
  const shipped = new MeteredStore(shippedMeteredDir());
  for (const file of kernels) {
    const original = new Uint8Array(readFileSync(join(wasmDir, file)));
    const stored = await shipped.get(sha256Hex(original));
    assert.ok(stored, `${file} is in the build's store`);
    const metered = meterModule(original);
    assert.deepEqual(new Uint8Array(stored.bytes), metered.bytes, file);
    assert.deepEqual({ ...stored, bytes: null }, { ...metered, bytes: null }, file);
  }
});
