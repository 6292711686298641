// A workflow in YAML (meshctl workflow run flow.yaml): read as the JSON document the node checks,
// and refused with a clear reason when it is not one document of plain data.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { jsonOfYaml } from '../../src-main/cli/workflow-commands.js';

test('each example workflow reads the same from YAML as from its JSON', () => {
  for (const name of ['photos', 'chain', 'modules', 'render']) {
    const json = JSON.parse(readFileSync(`assets/workflows/${name}.json`, 'utf8')) as unknown;
    assert.deepEqual(JSON.parse(jsonOfYaml(stringify(json))), json, name);
  }
});

test('a hand-written YAML workflow: comments, block lists, numbers and a $input reference', () => {
  const text = [
    '# thumbnails of a folder',
    'inputs:',
    '  photos: { type: files }',
    'budget: 100000',
    'steps:',
    '  - id: thumbs',
    '    uses: { library: image, method: resize }',
    '    params: { width: 64, height: 64, filter: lanczos3 }',
    '    for_each:',
    '      items: { $input: photos }',
  ].join('\n');
  assert.deepEqual(JSON.parse(jsonOfYaml(text)), {
    inputs: { photos: { type: 'files' } },
    budget: 100000,
    steps: [
      {
        id: 'thumbs',
        uses: { library: 'image', method: 'resize' },
        params: { width: 64, height: 64, filter: 'lanczos3' },
        for_each: { items: { $input: 'photos' } },
      },
    ],
  });
});

test('refused: an alias bomb, a repeated key, a custom tag, a list, two documents, a syntax error', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 8; i++)
    bomb.push(
      `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10)
        .fill(`*${i === 0 ? 'a' : 'bcdefghi'[i - 1]}`)
        .join(', ')}]`,
    );
  assert.throws(() => jsonOfYaml(bomb.join('\n')), /not YAML: Excessive alias count/);
  assert.throws(() => jsonOfYaml('steps: []\nsteps: []'), /not YAML: Map keys must be unique/);
  assert.throws(() => jsonOfYaml('steps: !!js/function "() => 1"'), /not YAML: Unresolved tag/);
  assert.throws(() => jsonOfYaml('- id: a\n- id: b'), /not a YAML mapping/);
  assert.throws(() => jsonOfYaml('steps: []\n---\nsteps: []'), /not YAML: Source contains multiple documents/);
  assert.throws(() => jsonOfYaml('steps: [unclosed'), /not YAML/);
});
