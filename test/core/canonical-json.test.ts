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

/** The canonical text written the plainest way, to hold the node's faster writer to. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

test('the same text as the plainest writer, with keys that are array indexes, "__proto__" and the empty key', () => {
  const key = fc.oneof(
    fc.string(),
    fc.constantFrom(
      '0',
      '1',
      '10',
      '9',
      '4294967294',
      '4294967295',
      '01',
      '-1',
      '__proto__',
      '',
      'a',
      'Z',
      'é',
      '\ud800',
    ),
  );
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(
        fc.string(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      ),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    ),
  })).value;
  fc.assert(
    fc.property(json, (value) => {
      assert.equal(canonicalJson(value), reference(value));
    }),
    { numRuns: 2000 },
  );
  assert.equal(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":2},"a":[]}')), '{"__proto__":{"x":2},"a":[],"b":1}');
  assert.equal(canonicalJson({ b: { 10: 1, 9: 2, a: 3 }, a: 1 }), '{"a":1,"b":{"10":1,"9":2,"a":3}}');
  assert.equal(canonicalJson([{ a: 1 }, JSON.parse('{"__proto__":2}')]), '[{"a":1},{"__proto__":2}]');
  const hidden = Object.defineProperty({ b: 1 }, 'a', { value: 'not a member', enumerable: false });
  assert.equal(canonicalJson([hidden, { a: 2 }]), '[{"b":1},{"a":2}]');
});
