// checkFact (core/workflow/fact-check.ts) answers as WorkflowFactSchema does: for facts of every
// type, and for started and done facts whose lists hold elements broken in each way a list's
// element can be (a wrong key, a missing or extra one, a bad CID, a negative or fractional size,
// a long name or string, NaN, an array, null), each alone among good ones. And memoKeysOf makes
// the strings memoKeyOf makes, whatever the params (marks in them too).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { validate } from '../../src-main/core/schemas/index.js';
import { checkFact } from '../../src-main/core/workflow/fact-check.js';
import { memoKeyOf, memoKeysOf, WorkflowFactSchema } from '../../src-main/core/workflow/facts.js';

const CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
const file = (i: number) => ({ name: String(i), cid: CID, bytes: 64 });

const BAD_ELEMENTS: unknown[] = [
  { name: 'a', cid: CID },
  { name: 'a', cid: CID, bytes: 1, extra: 1 },
  { name: 'a', cid: 'not a cid!', bytes: 1 },
  { name: 'a', cid: '', bytes: 1 },
  { name: 'a', cid: 'x'.repeat(129), bytes: 1 },
  { name: 'a', cid: '__proto__', bytes: 1 },
  { name: 'a', cid: CID, bytes: -1 },
  { name: 'a', cid: CID, bytes: 1.5 },
  { name: 'a', cid: CID, bytes: 2 ** 53 },
  { name: 'x'.repeat(257), cid: CID, bytes: 1 },
  { name: 1, cid: CID, bytes: 1 },
  { unit: 0, cid: CID, bytes: 1 },
  { unit: -1, cid: CID, bytes: 1 },
  'x'.repeat(4097),
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  [file(0)],
  Object.assign(Object.create({ inherited: 1 }) as object, file(0)),
];

const started = (input: unknown[], cached?: unknown[]) => ({
  type: 'step.started',
  step: 'each',
  attempt: 1,
  job_id: 'wf.wf-1.each.1',
  params: {},
  input,
  ...(cached ? { cached } : {}),
});
const done = (files: unknown[], written?: unknown[]) => ({
  type: 'step.done',
  step: 'each',
  output: { fields: { units: files.length }, files, ...(written ? { written } : {}) },
});

function same(fact: unknown): void {
  const schema = validate(WorkflowFactSchema, fact).ok;
  assert.equal(checkFact(fact).ok, schema, JSON.stringify(fact).slice(0, 300));
}

test('checkFact answers as the schema for every kind of fact', () => {
  for (const fact of [
    started([file(0), 'a', 1, true]),
    started([file(0)], [{ unit: 0, cid: CID, bytes: 64 }]),
    started([file(0)], []),
    started([]),
    done([file(0)]),
    done([file(0)], [file(1)]),
    done([]),
    { type: 'step.condition', step: 'each', outcome: true },
    { type: 'step.failed', step: 'each', attempt: 0, reason: 'x', retryable: false },
    { type: 'step.skipped', step: 'each', reason: 'x' },
    { type: 'workflow.cancelled', reason: 'x' },
    { type: 'step.started', step: 'Each', attempt: 1, job_id: 'j', params: {}, input: [] },
    { ...started([file(0)]), attempt: 0 },
    { ...started([file(0)]), extra: 1 },
    { ...done([file(0)]), output: { fields: {}, files: [file(0)], extra: [] } },
    { ...done([file(0)]), output: [file(0)] },
    { ...done([file(0)]), output: null },
    started('not a list' as unknown as unknown[]),
    started([file(0)], 'not a list' as unknown as unknown[]),
    done([file(0)], 'not a list' as unknown as unknown[]),
    null,
    [],
    'step.done',
  ])
    same(fact);
});

test('a list with one bad element among good ones is refused as the schema refuses it', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: BAD_ELEMENTS.length - 1 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 3 }),
      (bad, at, where) => {
        const list: unknown[] = Array.from({ length: 20 }, (_, i) => file(i));
        list.splice(at, 0, BAD_ELEMENTS[bad]);
        const cached = Array.from({ length: 5 }, (_, i) => ({ unit: i, cid: CID, bytes: 3 }));
        if (where === 0) same(started(list));
        else if (where === 1) same(started([file(0)], [...cached, BAD_ELEMENTS[bad]]));
        else if (where === 2) same(done(list));
        else same(done([file(0)], list));
      },
    ),
    { numRuns: 300 },
  );
});

test('a refused fact says why', () => {
  const checked = checkFact(done([file(0), { name: 'a', cid: 'bad cid', bytes: 1 }]));
  assert.ok(!checked.ok);
  assert.match(checked.message, /id may only contain/);
});

test('memoKeysOf makes the keys memoKeyOf makes', () => {
  const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>;
  const params = fc.oneof(
    fc.dictionary(fc.string(), json, { maxKeys: 5 }),
    fc.constant({ input: '\u0000input\u0000', index: '\u0000index\u0000', module: 'm' }),
  );
  fc.assert(
    fc.property(
      params,
      fc.constantFrom(undefined, 'whole' as const),
      fc.string(),
      fc.option(fc.nat(), { nil: undefined }),
      (p, kept, cid, index) => {
        const made = memoKeysOf(CID, p, kept)(cid, index);
        assert.equal(made, memoKeyOf(CID, p, cid, index, kept));
      },
    ),
    { numRuns: 500 },
  );
});
