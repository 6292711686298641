// The modules example from meshctl across three nodes in processes of their own, given as YAML: a
// WASI program (test/wasi/programs/small_io.wasm) and a unit module (reverse.wasm) given as input
// files, texts of different sizes as a folder; `workflow run --wait` prints the graph, `workflow
// output` writes each program's stdout, and what a program wrote in a folder by its unit.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { killAllChildren, meshctl, startMesh, stopChild } from './child-nodes.js';

after(killAllChildren);

test('the modules example, in YAML, runs from meshctl across three node processes', { timeout: 180_000 }, async () => {
  const nodes = await startMesh([{}, {}, {}]);
  const dataDir = nodes[0]!.dataDir;
  const texts = mkdtempSync(join(tmpdir(), 'mesh-texts-'));
  const words = ['a short one', 'a somewhat longer text', 'the longest text of the three, by far'];
  words.forEach((text, i) => writeFileSync(join(texts, `t${i}.txt`), text));
  // The example as a person would write it in YAML.
  const yaml = join(mkdtempSync(join(tmpdir(), 'mesh-flow-')), 'modules.yaml');
  writeFileSync(yaml, stringify(JSON.parse(readFileSync('assets/workflows/modules.json', 'utf8'))));
  const run = await meshctl([
    'workflow',
    'run',
    yaml,
    '--input',
    'program=test/wasi/programs/small_io.wasm',
    '--input',
    'unit=dist/wasm/examples/reverse.wasm',
    '--input',
    `texts=${texts}`,
    '--wait',
    '--data-dir',
    dataDir,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /: completed\n/);
  assert.match(run.stdout, /echo +done +module\/wasi +first +3 units: 3 verified, 0 from the memo/);
  assert.match(run.stdout, /reversed +done +module\/custom +after echo +\d+ units: \d+ verified/);
  const id = /workflow (wf-[0-9a-f]+)/.exec(run.stdout)![1]!;
  const out = mkdtempSync(join(tmpdir(), 'mesh-echo-'));
  const written = await meshctl(['workflow', 'output', id, 'echo', '--out', out, '--data-dir', dataDir]);
  assert.equal(written.code, 0, written.stderr);
  // Each text, then what the program counted with its index (0, 1, 2) as its argument: 0 + … + (index - 1).
  const sums = [0, 0, 1];
  words.forEach((text, i) =>
    assert.equal(readFileSync(join(out, String(i)), 'utf8'), `${text}\necho ${text.length} sum ${sums[i]}\n`),
  );

  // A program that writes files and stderr (test/wasi/programs/report.c): they come out beside its
  // stdout, each unit's in a folder of its own, its stderr as <unit>.stderr.
  const report = join(mkdtempSync(join(tmpdir(), 'mesh-flow-')), 'report.json');
  writeFileSync(
    report,
    JSON.stringify({
      budget: 1_000_000,
      inputs: { program: { type: 'file' }, texts: { type: 'files' } },
      steps: [
        {
          id: 'report',
          uses: { module: { $input: 'program' }, abi: 'wasi' },
          params: { args: ['t{index}'], items: 'framed' },
          for_each: { items: { $input: 'texts' } },
        },
      ],
    }),
  );
  const reported = await meshctl([
    'workflow',
    'run',
    report,
    '--input',
    'program=test/wasi/programs/report.wasm',
    '--input',
    `texts=${texts}`,
    '--wait',
    '--data-dir',
    dataDir,
  ]);
  assert.equal(reported.code, 0, reported.stderr);
  const reportId = /workflow (wf-[0-9a-f]+)/.exec(reported.stdout)![1]!;
  const reportOut = mkdtempSync(join(tmpdir(), 'mesh-report-'));
  const files = await meshctl(['workflow', 'output', reportId, 'report', '--out', reportOut, '--data-dir', dataDir]);
  assert.equal(files.code, 0, files.stderr);
  assert.deepEqual(readdirSync(reportOut).sort(), [
    '0',
    '0.files',
    '0.stderr',
    '1',
    '1.files',
    '1.stderr',
    '2',
    '2.files',
    '2.stderr',
  ]);
  words.forEach((text, i) => {
    assert.equal(
      readFileSync(join(reportOut, `${i}.files`, 'summary.txt'), 'utf8'),
      `t${i} read ${text.length} bytes\n`,
    );
    assert.equal(readFileSync(join(reportOut, `${i}.files`, 'parts', 'first.txt'), 'utf8'), text.slice(0, 8));
    assert.equal(readFileSync(join(reportOut, `${i}.stderr`), 'utf8'), `note: t${i} done\n`);
  });
  await Promise.all(nodes.map((node) => stopChild(node)));
});
