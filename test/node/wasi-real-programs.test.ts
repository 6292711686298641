// Real programs from Debian's source packages, built for wasm32-wasi by scripts/build-programs.mjs:
// bzip2 1.0.8 as Debian 12 patches it, twice (as clang-14 builds by default, and with bulk memory,
// SIMD128 and reference types on, as newer toolchains build), zstd 1.5.4, xz 5.4.1, lz4 1.9.4 and
// the lua5.4 interpreter, run as a user's programs: through the executor and as mesh jobs on three
// real nodes, their outputs byte for byte those of Debian's own native programs on the same
// inputs. The committed modules are the manifest's, and rebuild byte-identical from the pinned
// sources.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import { decodeWasiOutput, encodeInputFiles, Executor } from '../../src-main/node/exec/index.js';
import { jobEnded, meshOf, startNode, type TestNode } from './mesh/cluster.js';

const repo = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const load = <T extends { name: string }>(build: T) => ({
  ...build,
  module: readFileSync(repo(`wasm/programs/${build.name}`)),
});
/** Each compressor's build, the native program it must match, and its arguments to compress well and fast. */
const compressors = [
  { name: 'bzip2.wasm', native: 'bzip2', best: ['-9', '-c'], fast: ['-1', '-c'] },
  { name: 'bzip2-features.wasm', native: 'bzip2', best: ['-9', '-c'], fast: ['-1', '-c'] },
  // Levels whose windows fit a unit's default 64 MiB of memory (-19 asks for more, and says so).
  { name: 'zstd.wasm', native: 'zstd', best: ['-12', '-c'], fast: ['-1', '-c'] },
  // Likewise: xz's default, -6, needs 94 MiB; -3 needs 32.
  { name: 'xz.wasm', native: 'xz', best: ['-3', '-c'], fast: ['-0', '-c'] },
  { name: 'lz4.wasm', native: 'lz4', best: ['-9', '-c'], fast: ['-1', '-c'] },
].map(load);
const lua = load({ name: 'lua5.4.wasm' }).module;
const UNPACK = ['-d', '-c'];
/** Three texts of the repository: what a person would compress. */
const texts = ['README.md', 'docs/UNIT_ABI.md', 'docs/BLENDER.md'].map((file) => readFileSync(repo(file)));
/** The Lua scripts: a tour of the language, word frequencies of stdin, and a CPU-bound benchmark. */
const script = (name: string) => repo(`test/wasi/lua/${name}`);
/** The mesh job's units: 64 KiB of its input each. */
const CHUNK = 64 * 1024;
/**
 * Debian's native `program` with `args`, `input` on its stdin: its stdout. Debian's zstd compresses
 * in a thread of its own by default, which frames its output otherwise; a unit has no threads, so
 * it is held to the native program's single thread.
 */
const native = (program: string, args: string[], input: Uint8Array): Buffer =>
  execFileSync(program, program === 'zstd' ? [...args, '--single-thread'] : args, { input, maxBuffer: 64 << 20 });

const executor = Executor.start({ workers: 2 });
const nodes: TestNode[] = [];
before(async () => {
  nodes.push(await startNode(), await startNode(), await startNode());
  await meshOf(nodes);
});
after(async () => {
  await Promise.all([executor.close(), ...nodes.map((n) => n.node.stop())]);
});

const stdoutOf = async (module: Uint8Array, args: string[], input: Uint8Array) => {
  const ran = await executor.run({ module, input, wasi: { args } });
  const result = decodeWasiOutput(ran.output);
  assert.equal(result.exitCode, 0);
  return Buffer.from(result.stdout);
};

test('the committed programs are those of the manifest, and rebuild byte-identical from pinned sources', () => {
  const manifest = JSON.parse(readFileSync(repo('wasm/programs/manifest.json'), 'utf8')) as Record<string, string>;
  const builds = [...compressors, { name: 'lua5.4.wasm', module: lua }];
  assert.deepEqual(Object.keys(manifest).sort(), builds.map((b) => b.name).sort());
  for (const { name, module } of builds)
    assert.equal(createHash('sha256').update(module).digest('hex'), manifest[name], name);
  execFileSync(process.execPath, [repo('scripts/build-programs.mjs'), '--check'], { stdio: 'pipe' });
});

test('the newer build really uses bulk memory and SIMD128', () => {
  const module = binaryen.readBinary(compressors.find((b) => b.name === 'bzip2-features.wasm')!.module);
  try {
    module.setFeatures(binaryen.Features.All);
    const text = module.emitText();
    assert.match(text, /\(memory\.copy\b/);
    assert.match(text, /\(memory\.fill\b/);
    assert.match(text, /\b(v128|i8x16|i16x8|i32x4)\./);
  } finally {
    module.dispose();
  }
});

test("every compressor compresses and decompresses as Debian's native program does, byte for byte", async () => {
  for (const { name, native: program, best, fast, module } of compressors)
    for (const text of texts) {
      const compressed = native(program, best, text);
      assert.deepEqual(await stdoutOf(module, best, text), compressed, `${name}: ${best.join(' ')}`);
      assert.deepEqual(await stdoutOf(module, fast, text), native(program, fast, text), `${name}: ${fast.join(' ')}`);
      assert.deepEqual(await stdoutOf(module, UNPACK, compressed), Buffer.from(text), `${name}: -d -c`);
    }
});

test("lua5.4 runs scripts as Debian's lua5.4 does: from stdin, from a file with arguments, and failing", async () => {
  // argv[0] is lua5.4's, as natively: its error messages name it.
  const lua54 = async (args: string[], input: Uint8Array, files?: Array<[string, Uint8Array]>) => {
    const ran = await executor.run({
      module: lua,
      input,
      wasi: { program: 'lua5.4', args, ...(files && { files: encodeInputFiles(files) }) },
    });
    const { exitCode, stdout } = decodeWasiOutput(ran.output);
    return { exitCode, stdout: Buffer.from(stdout), stderr: Buffer.from(ran.stderr ?? []) };
  };
  const nativeLua = (args: string[], input: Uint8Array) => {
    const ran = spawnSync('lua5.4', args, { input });
    return { exitCode: ran.status, stdout: ran.stdout, stderr: ran.stderr };
  };
  const tour = readFileSync(script('tour.lua'));
  // Named `-`, and piped with no script named: a stdin that is no terminal is run as a file.
  for (const args of [['-'], []])
    assert.deepEqual(await lua54(args, tour), nativeLua(args, tour), `tour.lua ${args.join(' ')}`);
  const fannkuch = readFileSync(script('fannkuch.lua'));
  assert.deepEqual(await lua54(['-', '7'], fannkuch), nativeLua(['-', '7'], fannkuch), 'fannkuch.lua 7');
  const words = readFileSync(script('words.lua'));
  for (const text of texts)
    assert.deepEqual(
      await lua54(['/input/words.lua', '15'], text, [['words.lua', words]]),
      nativeLua([script('words.lua'), '15'], text),
      'words.lua 15',
    );
  // An error no pcall catches: what it printed before, its message and traceback on stderr, exit
  // code 1 for a script named (`-`); with none named, lua.c runs stdin and exits 0 whatever happens.
  const failing = Buffer.from(
    'print("before")\nlocal t = setmetatable({}, { __index = function(_, k) error("no " .. k) end })\nprint(t.x)\n',
  );
  for (const args of [['-'], []])
    assert.deepEqual(await lua54(args, failing), nativeLua(args, failing), `failing ${args.join(' ')}`);
  const failed = await lua54(['-'], failing);
  assert.equal(failed.exitCode, 1);
  assert.match(failed.stderr.toString(), /^lua5\.4: stdin:2: no x\nstack traceback:/);
});

test(
  "mesh jobs of bzip2, zstd, xz, lz4 and lua5.4 across three nodes: each unit's output is the native program's of its chunk",
  { timeout: 400_000 },
  async () => {
    const [requester] = nodes;
    const input = Buffer.concat(texts);
    const words = readFileSync(script('words.lua'));
    const jobs = [
      ...compressors
        .filter((b) => b.name !== 'bzip2-features.wasm')
        .map(({ name, native: program, best, module }) => ({
          name,
          module,
          wasi: { program, args: best },
          expected: (chunk: Uint8Array) => native(program, best, chunk),
        })),
      // A Lua script among the job's files, each unit's chunk on its stdin.
      {
        name: 'lua5.4.wasm',
        module: lua,
        wasi: {
          program: 'lua5.4',
          args: ['/input/words.lua'],
          files_base64: Buffer.from(encodeInputFiles([['words.lua', words]])).toString('base64'),
        },
        expected: (chunk: Uint8Array) => native('lua5.4', [script('words.lua')], chunk),
      },
    ];
    for (const { name, module, wasi, expected } of jobs) {
      const { job_id: jobId } = await requester!.api['jobs.submit']({
        name: `${wasi.program} of three texts`,
        wasm_base64: module.toString('base64'),
        wasi: { ...wasi, env: {}, items: 'chunks' },
        input_base64: input.toString('base64'),
        chunk_bytes: CHUNK,
        redundancy: 2,
        budget: 10_000_000,
        priority: 0.5,
        manual_accept: false,
        open_to_strangers: false,
      });
      const job = await jobEnded(requester!.api, jobId, 200_000);
      assert.equal(job.state, 'completed', `${name}: ${JSON.stringify(job)}`);
      const { outputs } = await requester!.api['jobs.outputs']({ job_id: jobId });
      assert.equal(outputs.length, Math.ceil(input.byteLength / CHUNK));
      for (const unit of outputs) {
        assert.equal(unit.status, 'verified');
        const stdout = decodeWasiOutput(Buffer.from(unit.output_base64!, 'base64')).stdout;
        const chunk = input.subarray(unit.index * CHUNK, (unit.index + 1) * CHUNK);
        assert.deepEqual(Buffer.from(stdout), expected(chunk), `${name}: unit ${unit.index}`);
      }
    }
  },
);
