// C programs built with the features current toolchains emit by default, or that many programs
// ask for (test/wasi/programs/, scripts/build-wasi-corpus.mjs: clang-14 with -mreference-types,
// -mmultivalue and its multi-value ABI, -mtail-call, -msimd128), run as WASI units: each module
// really uses its feature, prints what Node's own node:wasi prints running it unmetered, and uses
// the same fuel on every run. The SIMD program's NaNs print as the canonical NaN, through the
// executor and through meshctl run-local --wasi alike.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import { Executor } from '../../src-main/node/exec/index.js';
import { decodeWasiOutput } from '../../src-main/node/exec/wasi/program.js';
import { runMeshctl } from '../cli/fixtures/run-meshctl.js';

const programs = fileURLToPath(new URL('../../../test/wasi/programs/', import.meta.url));
const nodeWasi = fileURLToPath(new URL('fixtures/node-wasi-run.js', import.meta.url));
const executor = Executor.start({ workers: 2 });
const dir = mkdtempSync(join(tmpdir(), 'wasi-features-'));
after(async () => {
  await executor.close();
  rmSync(dir, { recursive: true, force: true });
});

const read = (name: string) => readFileSync(join(programs, name));
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

/** The module as binaryen prints it. */
function printed(bytes: Uint8Array): string {
  const module = binaryen.readBinary(bytes);
  try {
    module.setFeatures(binaryen.Features.All);
    return module.emitText();
  } finally {
    module.dispose();
  }
}

/** Its stdout under node:wasi, which must exit 0. */
function nodeWasiStdout(name: string, args: string[]): string {
  const run = spawnSync(process.execPath, ['--no-warnings', nodeWasi, join(programs, name), ...args], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

/** Two runs through the executor: the same fuel and output; its stdout. */
async function ranTwice(name: string, args: string[]): Promise<{ stdout: string; fuel: number }> {
  const module = read(name);
  const [first, second] = await Promise.all(
    [0, 1].map(() => executor.run({ module, input: new Uint8Array(), wasi: { args } })),
  );
  const result = decodeWasiOutput(first!.output);
  assert.equal(result.exitCode, 0, text(first!.stderr));
  assert.equal(second!.fuel, first!.fuel);
  assert.equal(second!.outputHash, first!.outputHash);
  return { stdout: text(result.stdout), fuel: first!.fuel };
}

const FEATURES: Array<{ name: string; flag: string; args: string[]; uses: (bytes: Buffer, wat: string) => void }> = [
  {
    name: 'reference_types',
    flag: '-mreference-types',
    args: [],
    // call_indirect (0x11), a type index (a LEB of any length), then the table index as a 5-byte LEB of 0.
    uses: (bytes) => {
      const overlong = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x00]);
      const at = (i: number) => {
        let end = i + 1;
        while (end < bytes.length && bytes[end]! & 0x80) end++;
        return bytes.subarray(end + 1, end + 6).equals(overlong);
      };
      assert.ok(
        bytes.some((b, i) => b === 0x11 && at(i)),
        'an overlong call_indirect table index',
      );
    },
  },
  {
    name: 'multivalue',
    flag: '-mmultivalue',
    args: [],
    uses: (_, wat) => {
      assert.match(wat, /\(result i32 i32\)/);
      assert.match(wat, /\(result f64 f64\)/);
      assert.match(wat, /\(tuple\.make 2/);
    },
  },
  {
    name: 'tail_call',
    flag: '-mtail-call',
    args: [],
    uses: (_, wat) => {
      assert.match(wat, /\(return_call \$/);
      assert.match(wat, /\(return_call_indirect /);
    },
  },
  {
    name: 'simd',
    flag: '-msimd128',
    args: ['2'],
    uses: (_, wat) => {
      for (const op of ['f32x4.mul', 'f32x4.le', 'f64x2.sqrt', 'f64x2.div', 'v128.any_true'])
        assert.ok(wat.includes(`(${op}`), op);
    },
  },
];

for (const { name, flag, args, uses } of FEATURES) {
  test(`${name}.c, built with ${flag}, uses it and prints what node:wasi prints, on the same fuel each run`, async () => {
    const bytes = read(`${name}.wasm`);
    uses(bytes, printed(bytes));
    const ours = await ranTwice(`${name}.wasm`, args);
    assert.equal(ours.stdout, nodeWasiStdout(`${name}.wasm`, args));
    assert.ok(ours.fuel > 1_000_000, `fuel ${ours.fuel}`);
  });
}

const F32 = '7fc00000 7fc00000 7fc00000 7fc00000 / 7fc00000';
const F64 = '7ff8000000000000 7ff8000000000000 / 7ff8000000000000';
const CANONICAL = `f32x4.div 0/0 ${F32}
f32x4.sqrt -1 ${F32}
f32x4.sub inf-inf ${F32}
f32x4.mul payload*payload ${F32}
f32x4.add payload+1 ${F32}
f32x4.min payload,1 ${F32}
f32x4.max 1,payload ${F32}
f32x4.nearest payload ${F32}
f32x4.floor payload ${F32}
f32x4.demote payload 7fc00000 7fc00000 00000000 00000000 / 7fc00000
f32x4.splat 0/0 ${F32}
f32x4.replace_lane 0/0 3f800000 3f800000 7fc00000 3f800000 / 3f800000
f64x2.div 0/0 ${F64}
f64x2.mul payload*payload ${F64}
f64x2.sqrt payload ${F64}
f64x2.promote payload ${F64}
f64x2.splat 0/0 ${F64}
f32x4.neg payload 7fa00001 7fa00001 7fa00001 7fa00001 / 7fa00001
f32x4.mul -0.5*2 bf800000 bf800000 bf800000 bf800000 / bf800000
`;

test('the SIMD program prints every NaN its vector operations make as the canonical one, through the executor and meshctl run-local --wasi', async () => {
  assert.equal((await ranTwice('simd.wasm', ['nan'])).stdout, CANONICAL);
  const out = join(dir, 'run-local');
  const local = await runMeshctl([
    'run-local',
    '--wasi',
    join(programs, 'simd.wasm'),
    '--items',
    '1',
    '--args',
    'nan',
    '--out',
    out,
  ]);
  assert.equal(local.status, 0, local.stderr);
  assert.match(local.stdout, /^unit 0: exit 0, output \S+, fuel \d+ → /m);
  assert.equal(readFileSync(join(out, '0', 'stdout'), 'utf8'), CANONICAL);
});
