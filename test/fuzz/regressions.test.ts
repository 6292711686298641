// Every seed and every input a fuzzer once broke a target with (test/fuzz/regressions/<target>/,
// each named for the bug it found), run through its target directly, without the fuzzer: a fixed
// bug stays fixed, in the unit suite, in milliseconds.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FUZZ_TARGETS, moduleOf, regressionsOf, seedsOf } from './fuzzer.js';

const filesIn = (dir: string): string[] => {
  try {
    return readdirSync(dir).map((file) => join(dir, file));
  } catch {
    return [];
  }
};

for (const target of FUZZ_TARGETS) {
  test(`${target.name}: its seeds and regression inputs pass`, async (t) => {
    const { fuzz } = (await import(moduleOf(target.name))) as { fuzz: (data: Buffer) => unknown };
    const inputs = [...filesIn(seedsOf(target.name)), ...filesIn(regressionsOf(target.name))];
    for (const file of inputs) {
      await t.test(file.slice(file.indexOf('test/fuzz/')), async () => {
        await fuzz(readFileSync(file));
      });
    }
  });
}
