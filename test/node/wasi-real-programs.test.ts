// Real programs from Debian's source packages, built for wasm32-wasi by scripts/build-programs.mjs
// (bzip2 1.0.8 as Debian 12 patches it, twice: as clang-14 builds by default, and with bulk memory,
// SIMD128 and reference types on, as newer toolchains build; zstd 1.5.4), run as a user's programs:
// through the executor and as mesh jobs on three real nodes, their outputs byte for byte those of
// Debian's own native programs on the same inputs. The committed modules are the manifest's, and
// rebuild byte-identical from the pinned sources.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import { decodeWasiOutput, Executor } from '../../src-main/node/exec/index.js';
import { jobEnded, meshOf, startNode, type TestNode } from './mesh/cluster.js';

const programs = fileURLToPath(new URL('../../../wasm/programs/', import.meta.url));
/** Each build, the native program it must match, and its arguments to compress well, fast, and to decompress. */
const builds = [
  { name: 'bzip2.wasm', native: 'bzip2', best: ['-9', '-c'], fast: ['-1', '-c'] },
  { name: 'bzip2-features.wasm', native: 'bzip2', best: ['-9', '-c'], fast: ['-1', '-c'] },
  // Levels whose windows fit a unit's default 64 MiB of memory (-19 asks for more, and says so).
  { name: 'zstd.wasm', native: 'zstd', best: ['-12', '-c'], fast: ['-1', '-c'] },
].map((build) => ({ ...build, module: readFileSync(`${programs}${build.name}`) }));
const UNPACK = ['-d', '-c'];
/** Three texts of the repository: what a person would compress. */
const texts = ['README.md', 'docs/UNIT_ABI.md', 'docs/BLENDER.md'].map((file) =>
  readFileSync(fileURLToPath(new URL(`../../../${file}`, import.meta.url))),
);
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
  const manifest = JSON.parse(readFileSync(`${programs}manifest.json`, 'utf8')) as Record<string, string>;
  assert.deepEqual(Object.keys(manifest).sort(), builds.map((b) => b.name).sort());
  for (const { name, module } of builds)
    assert.equal(createHash('sha256').update(module).digest('hex'), manifest[name], name);
  const script = fileURLToPath(new URL('../../../scripts/build-programs.mjs', import.meta.url));
  execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' });
});

test('the newer build really uses bulk memory and SIMD128', () => {
  const module = binaryen.readBinary(builds.find((b) => b.name === 'bzip2-features.wasm')!.module);
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

test("every build compresses and decompresses as Debian's native program does, byte for byte", async () => {
  for (const { name, native: program, best, fast, module } of builds)
    for (const text of texts) {
      const compressed = native(program, best, text);
      assert.deepEqual(await stdoutOf(module, best, text), compressed, `${name}: ${best.join(' ')}`);
      assert.deepEqual(await stdoutOf(module, fast, text), native(program, fast, text), `${name}: ${fast.join(' ')}`);
      assert.deepEqual(await stdoutOf(module, UNPACK, compressed), Buffer.from(text), `${name}: -d -c`);
    }
});

test(
  "mesh jobs of bzip2 and of zstd across three nodes: each unit's output is the native program's of its chunk",
  { timeout: 240_000 },
  async () => {
    const [requester] = nodes;
    const input = Buffer.concat(texts);
    for (const { name, native: program, best, module } of builds.filter((b) => b.name !== 'bzip2-features.wasm')) {
      const { job_id: jobId } = await requester!.api['jobs.submit']({
        name: `${program} of three texts`,
        wasm_base64: module.toString('base64'),
        wasi: { program, args: best, env: {}, items: 'chunks' },
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
        assert.deepEqual(Buffer.from(stdout), native(program, best, chunk), `${name}: unit ${unit.index}`);
      }
    }
  },
);
