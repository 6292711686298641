// Runs every benchmark in this folder (files named *.bench.js once built), or only those with a
// figure whose name starts with one of the prefixes given: `npm run bench -- scheduler journal`;
// a prefix that names a file (`reach` for reach.bench.js) runs all of that file's figures.
// Each file runs in a child process of its own, so one benchmark's heap and caches do not slow
// the next.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emit, type Benchmark } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const [flag, file, ...rest] = process.argv.slice(2);
const inChild = flag === '--file';
const prefixes = inChild ? rest : process.argv.slice(2);
const wanted = (name: string) => prefixes.length === 0 || prefixes.some((p) => name.startsWith(p));
const wholeFile = (name: string) => prefixes.includes(name.replace(/\.bench\.js$/, ''));

async function benchmarksIn(name: string): Promise<Benchmark[]> {
  return ((await import(pathToFileURL(join(here, name)).href)) as { benchmarks: Benchmark[] }).benchmarks;
}

if (inChild) {
  for (const bench of await benchmarksIn(file!)) {
    if (!wholeFile(file!) && !bench.names.some(wanted)) continue;
    for (const figure of await bench.run()) if (wholeFile(file!) || wanted(figure.name)) emit(figure);
  }
} else {
  let ran = 0;
  for (const name of readdirSync(here)
    .filter((f) => f.endsWith('.bench.js'))
    .sort()) {
    if (!wholeFile(name) && !(await benchmarksIn(name)).some((b) => b.names.some(wanted))) continue;
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--file', name, ...prefixes], {
      stdio: 'inherit',
    });
    if (child.status !== 0) process.exit(child.status ?? 1);
    ran++;
  }
  if (ran === 0) {
    console.error(`no benchmark matches ${prefixes.join(', ')}`);
    process.exit(1);
  }
}
