#!/usr/bin/env node
// `npm run kinds`: where the code chooses a kind of work by hand (issue 88's kind_dispatch_sites):
// each line of product code outside the kinds' own folders (src-main/core/kinds, src-main/node/kinds,
// src-renderer/kinds) that tests a unit's or a job's kind by its algorithm id or by the fields only
// one kind has. One JSON line: the count, its target, and the count by file, busiest first.
// A second line, kind_new_kind_shared_edits: the files outside the test kind's folder that the
// commit adding it (test/node/kinds/reverse/kind.ts, issue 88 item 6) edited, from git's history.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const KIND_FOLDERS = ['src-main/core/kinds/', 'src-main/node/kinds/', 'src-renderer/kinds/'];

/**
 * What a test of a kind looks like: an algorithm id compared, Blender's predicate called, or one
 * kind's own field tested. A field read where the code knows the kind already (`job.render!.tile`,
 * asserted, in the render's own submit) chooses nothing, and neither does a predicate's definition.
 */
const DISPATCH = new RegExp(
  [
    // An id compared with a kind's (not with undefined, nor with another unit's or slot's id).
    String.raw`algorithm(_id|Id) (===|!==) (?!undefined\b|\w+\.algorithm(_id|Id)\b)`,
    String.raw`(===|!==) (WASI_PROGRAM|RENDER_ALGORITHM|SHADER_ALGORITHM|CUSTOM_WASM)\b`,
    String.raw`(?<!function )isBlenderAlgorithm\(`,
    String.raw`\.blender_(tiles|composite)\b(?!!)`,
    String.raw`wgsl_code !== undefined`,
    String.raw`\.render !== undefined`,
    String.raw`\bspec\.(blender|wasi)\b(?!!)`,
    String.raw`\bjob\.render\b(?!!)`,
  ].join('|'),
);

const files = execFileSync('git', ['ls-files', 'src-main', 'src-renderer'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => /\.tsx?$/.test(file) && !KIND_FOLDERS.some((folder) => file.startsWith(folder)));
const byFile = {};
let sites = 0;
for (const file of files) {
  const count = readFileSync(`${root}${file}`, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line) && DISPATCH.test(line)).length;
  if (count === 0) continue;
  byFile[file] = count;
  sites += count;
}
const busiest = Object.fromEntries(Object.entries(byFile).sort((a, b) => b[1] - a[1]));
process.stdout.write(
  `${JSON.stringify({ name: 'kind_dispatch_sites', value: sites, unit: 'lines', target: '<= 5', files: Object.keys(byFile).length, by_file: busiest })}\n`,
);

/** The test kind's own files: its folder and the test that registers it. */
const TEST_KIND = 'test/node/kinds/reverse/kind.ts';
const ownFile = (file) => file.startsWith('test/node/kinds/');
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const added = git('log', '--format=%H', '--diff-filter=A', '--', TEST_KIND).split('\n').pop();
const edited = added
  ? git('show', '--format=', '--name-only', added)
      .split('\n')
      .filter((file) => file && !ownFile(file))
  : null;
process.stdout.write(
  `${JSON.stringify({ name: 'kind_new_kind_shared_edits', value: edited?.length ?? null, unit: 'files', target: '<= 3', commit: added || null, files: edited })}\n`,
);
