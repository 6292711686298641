// Runs every benchmark in this folder (files named *.bench.js once built), or only those with a
// figure whose name starts with one of the prefixes given: `npm run bench -- scheduler journal`.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emit, type Benchmark } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const prefixes = process.argv.slice(2);
const wanted = (name: string) => prefixes.length === 0 || prefixes.some((p) => name.startsWith(p));

const files = readdirSync(here).filter((f) => f.endsWith('.bench.js')).sort();
let ran = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { benchmarks: Benchmark[] };
  for (const bench of mod.benchmarks) {
    if (!bench.names.some(wanted)) continue;
    for (const figure of await bench.run()) if (wanted(figure.name)) emit(figure);
    ran++;
  }
}
if (ran === 0) {
  console.error(`no benchmark matches ${prefixes.join(', ')}`);
  process.exit(1);
}
