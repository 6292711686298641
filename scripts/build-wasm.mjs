// Builds what `wasm/` holds into dist/wasm/: each kernel (wasm/<name>/index.ts, AssemblyScript)
// into <name>.wasm, and each hand-written example (wasm/examples/*.wat) into examples/<name>.wasm;
// and copies the library's committed WASI programs (wasm/library/*.wasm, built by
// scripts/build-library.mjs) into library/, each checked against wasm/library/manifest.json.
// All kernels share one set of compiler flags, fixed here, because the unit ABI and the fuel
// metering depend on them (docs/UNIT_ABI.md).
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';
import binaryen from 'binaryen';

const root = new URL('..', import.meta.url).pathname;
const wasmDir = join(root, 'wasm');
const outDir = join(root, 'dist', 'wasm');

export const KERNEL_FLAGS = [
  '-O3',
  '--runtime',
  'stub',
  '--initialMemory',
  '1',
  '--maximumMemory',
  '1024',
  '--disable',
  'bulk-memory',
  '--noAssert',
];

async function isFile(path) {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

async function buildKernels() {
  const kernels = [];
  for (const entry of await readdir(wasmDir, { withFileTypes: true })) {
    if (entry.isDirectory() && (await isFile(join(wasmDir, entry.name, 'index.ts')))) kernels.push(entry.name);
  }
  for (const name of kernels.sort()) {
    const { error } = await asc.main(
      [join(wasmDir, name, 'index.ts'), ...KERNEL_FLAGS, '--outFile', join(outDir, `${name}.wasm`)],
      { stdout: process.stdout, stderr: process.stderr },
    );
    if (error) throw new Error(`kernel ${name} failed to compile: ${error.message} (its diagnostics are above)`);
  }
  return kernels;
}

async function buildExamples() {
  const examples = (await readdir(join(wasmDir, 'examples'))).filter((f) => f.endsWith('.wat')).sort();
  await mkdir(join(outDir, 'examples'), { recursive: true });
  for (const file of examples) {
    const module = binaryen.parseText(await readFile(join(wasmDir, 'examples', file), 'utf8'));
    if (!module.validate()) throw new Error(`example ${file} is not a valid module`);
    await writeFile(join(outDir, 'examples', file.replace(/\.wat$/, '.wasm')), module.emitBinary());
    module.dispose();
  }
  return examples;
}

/** The committed library modules, each the bytes its manifest names: every node must run the same ones. */
async function copyLibrary() {
  const manifest = JSON.parse(await readFile(join(wasmDir, 'library', 'manifest.json'), 'utf8'));
  const files = (await readdir(join(wasmDir, 'library'))).filter((f) => f.endsWith('.wasm')).sort();
  const unlisted = [
    ...files.filter((f) => !(f in manifest)),
    ...Object.keys(manifest).filter((f) => !files.includes(f)),
  ];
  if (unlisted.length > 0)
    throw new Error(`wasm/library: manifest.json and the .wasm files differ: ${unlisted.join(', ')}`);
  await mkdir(join(outDir, 'library'), { recursive: true });
  for (const file of files) {
    const bytes = await readFile(join(wasmDir, 'library', file));
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== manifest[file])
      throw new Error(`wasm/library/${file} has SHA-256 ${hash}, not its manifest's ${manifest[file]}`);
    await writeFile(join(outDir, 'library', file), bytes);
  }
  return files;
}

await mkdir(outDir, { recursive: true });
const kernels = await buildKernels();
const examples = await buildExamples();
const library = await copyLibrary();
console.log(
  `wasm: built ${kernels.length} kernels (${kernels.join(', ')}) and ${examples.length} examples; library: ${library.join(', ')}`,
);
