// The Jobs page's workflow form (src-renderer/jobs/workflow-form.ts): the document's declared inputs
// read from it, and the workflows.run request the values make, as meshctl workflow run --input does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { workflowDocument, workflowRequest, type InputValue } from '../../src-renderer/jobs/workflow-form.js';

const named = (name: string, text: string) => ({ name, bytes: new Uint8Array(Buffer.from(text)) });

test('the examples: each input as its document declares it', () => {
  const chain = workflowDocument(named('chain.json', readFileSync('assets/workflows/chain.json', 'utf8')));
  assert.ok(chain.ok);
  assert.deepEqual(chain.value.inputs, [
    { name: 'data', type: 'file' },
    { name: 'rounds', type: 'number' },
  ]);
  assert.equal(chain.value.steps, 2);
  const made = workflowRequest(chain.value, { data: [named('d.bin', 'abc')], rounds: ' 2 ' }, true);
  assert.ok(made.ok);
  assert.deepEqual(made.value.inputs, {
    data: { file: { name: 'd.bin', base64: Buffer.from('abc').toString('base64') } },
    rounds: { value: 2 },
  });
  assert.equal(made.value.no_cache, true);
  assert.equal(made.value.document, chain.value.text);
});

test('every type; and what is wrong, named by its input', () => {
  const doc = workflowDocument(
    named(
      'w.json',
      JSON.stringify({
        inputs: {
          one: { type: 'file' },
          many: { type: 'files' },
          n: { type: 'number' },
          b: { type: 'boolean' },
          s: { type: 'string' },
        },
        steps: [],
      }),
    ),
  );
  assert.ok(doc.ok);
  const all = { one: [named('a', 'x')], many: [named('b', 'y'), named('c', 'z')], n: '1.5', b: 'false', s: ' keep ' };
  const made = workflowRequest(doc.value, all, false);
  assert.ok(made.ok);
  assert.deepEqual(Object.keys(made.value.inputs!), ['one', 'many', 'n', 'b', 's']);
  assert.deepEqual(made.value.inputs!['b'], { value: false });
  assert.deepEqual(made.value.inputs!['s'], { value: ' keep ' });
  const error = (values: Record<string, InputValue>) => {
    const r = workflowRequest(doc.value, { ...all, ...values }, false);
    return r.ok ? 'accepted' : r.error;
  };
  assert.equal(error({ one: [] }), 'one: choose a file');
  assert.equal(error({ one: [named('a', 'x'), named('b', 'y')] }), 'one: one file, not 2');
  assert.equal(error({ many: [] }), 'many: choose the files');
  assert.equal(error({ n: 'ten' }), 'n: expected a number');
  assert.equal(error({ b: 'yes' }), 'b: expected true or false');
});

test('a document that is not one: YAML, not JSON, not an object, an unknown input type', () => {
  const refused = (name: string, text: string) => {
    const r = workflowDocument(named(name, text));
    return r.ok ? 'accepted' : r.error;
  };
  assert.match(refused('w.yaml', 'steps: []'), /takes a workflow in JSON/);
  assert.match(refused('w.json', '{"steps": ['), /is not JSON/);
  assert.match(refused('w.json', '[1]'), /is not a workflow/);
  assert.match(refused('w.json', '{"inputs": {"x": {"type": "date"}}}'), /input "x": its type is one of/);
});
