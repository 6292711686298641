// Canonical JSON is what every envelope signature and every unit's params are written as: two
// nodes must write the same value to the same bytes, whatever order its keys were built in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../src-main/core/schemas/index.js';

/** Keys in any insertion order: the same value rebuilt with its keys reversed. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([key, item]) => [key, reversedKeys(item)]));
}

test('keys are sorted at every depth, without whitespace, and undefined members are left out', () => {
  const value = { b: [3, { z: null, a: 'x' }], a: { d: undefined, c: true }, '10': 1, '9': -0.5, é: 'é' };
  assert.equal(canonicalJson(value), '{"10":1,"9":-0.5,"a":{"c":true},"b":[3,{"a":"x","z":null}],"é":"é"}');
  assert.equal(canonicalJson('a"b\n'), '"a\\"b\\n"');
  assert.equal(canonicalJson([]), '[]');
  assert.equal(canonicalJson({}), '{}');
});

test('a value JSON would not write as itself is refused, not written as something else', () => {
  const values: [string, unknown][] = [
    ['a hole', [undefined, 1]],
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Infinity]],
    ['a function', { call: () => 1 }],
    ['a symbol', { s: Symbol('s') }],
    ['undefined', undefined],
    ['a BigInt', { n: 1n }],
    ['a Date', { at: new Date(0) }],
    ['a Map', new Map()],
  ];
  for (const [what, value] of values) assert.throws(() => canonicalJson(value), TypeError, what);
});

test('any JSON value: the same text whatever the key order, and it parses back to the value', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = canonicalJson(value);
      assert.equal(canonicalJson(reversedKeys(value)), text);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: 500 },
  );
});
