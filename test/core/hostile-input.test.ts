// Hostile text through decodeJson, the one door untrusted input comes in by. Every case must come
// back as `ok: false` with the right code and a short message a person can read, quickly, with no
// exception escaping and Object.prototype untouched.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import fc from 'fast-check';
import type { z } from 'zod/mini';
import * as S from '../../src-main/core/schemas/index.js';
import * as A from './arbitraries.js';

/** A hostile case must cost milliseconds; this leaves room for a busy 2-core CI machine (parsing a
 * million-element array alone takes ~0.5 s there), not for the seconds a blow-up costs (26 s once). */
const BUDGET_MS = 2000;

const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

function assertPrototypesClean(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  assert.equal(typeof {}.constructor, 'function');
}

afterEach(assertPrototypesClean);

/** Decodes, timing it, and checks the failure: code, readable message, no throw. */
function expectFailure(schema: z.ZodMiniType, text: string, code: S.DecodeErrorCode, maxChars?: number): S.DecodeError {
  const started = performance.now();
  const result = S.decodeJson(schema, text, maxChars);
  const elapsed = performance.now() - started;
  // oxlint-disable-next-line typescript/no-unnecessary-type-conversion -- not always a string: the not-text test casts other values in
  if (result.ok) assert.fail(`accepted: ${String(text).slice(0, 80)}`);
  assert.equal(result.error.code, code, result.error.message);
  assertReadable(result.error.message);
  for (const issue of result.error.issues) assertReadable(issue.message);
  assert.ok(elapsed < BUDGET_MS, `took ${elapsed.toFixed(0)} ms`);
  return result.error;
}

function assertReadable(message: string): void {
  assert.ok(message.length > 0 && message.length <= 300, `message of ${message.length} characters`);
  assert.doesNotMatch(message, /\[object Object\]|undefined is not|Cannot read/);
}

const commitment = fc.sample(A.computeCommitmentArb, { numRuns: 1, seed: 3 })[0]!;
const commitmentText = JSON.stringify(commitment);

test('the valid commitment the corpus mutates does decode', () => {
  const result = S.decodeJson(S.ComputeCommitmentSchema, commitmentText);
  assert.ok(result.ok);
});

test('malformed JSON: every truncation of a valid message', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: commitmentText.length - 1 }), (cut) => {
      expectFailure(S.ComputeCommitmentSchema, commitmentText.slice(0, cut), 'malformed_json');
    }),
    { numRuns: 200 },
  );
});

test('malformed JSON: trailing garbage, NaN and other non-JSON literals, BOM, empty text', () => {
  const cases = [
    `${commitmentText}x`,
    `${commitmentText}}`,
    `${commitmentText},{}`,
    `${commitmentText}\u0000`,
    '{"priority": NaN}',
    '{"priority": Infinity}',
    '{"priority": -Infinity}',
    '{"priority": undefined}',
    "{'unit_id': 'u1'}",
    '{"unit_id": "u1",}',
    '{"unit_id": "u1" /* comment */}',
    '{unit_id: "u1"}',
    '{"unit_id": 0x10}',
    '{"unit_id": "\u0001"}',
    `\uFEFF${commitmentText}`,
    '',
    '   \n\t ',
  ];
  for (const text of cases) expectFailure(S.ComputeCommitmentSchema, text, 'malformed_json');
});

test('input that is not text at all is a typed error', () => {
  for (const notText of [42, null, undefined, {}, Buffer.from('{}')]) {
    expectFailure(S.ComputeCommitmentSchema, notText as string, 'invalid');
  }
});

test('oversized text is refused before it is parsed', () => {
  expectFailure(S.ComputeCommitmentSchema, 'x'.repeat(S.DEFAULT_MAX_CHARS + 1), 'too_large');
  expectFailure(S.ComputeCommitmentSchema, commitmentText + ' '.repeat(S.DEFAULT_MAX_CHARS), 'too_large');
  expectFailure(S.ComputeCommitmentSchema, commitmentText, 'too_large', commitmentText.length - 1);
  assert.ok(S.decodeJson(S.ComputeCommitmentSchema, commitmentText, commitmentText.length).ok, 'exactly the limit');
});

test('an array of a million elements: too large by default, rejected on its length when allowed in', () => {
  const million = `[${'0,'.repeat(999_999)}0]`;
  expectFailure(S.ComputeCommitmentSchema, million, 'too_large');
  const asField = `{"peer_id":"p","work_requests":${million}}`;
  const error = expectFailure(S.ComputeCommitmentSchema, asField, 'invalid', asField.length);
  assert.ok(
    error.issues.some((i) => i.path === 'work_requests' && /at most 256/.test(i.message)),
    error.message,
  );
});

test('a megabyte of wrong items within the limits costs one issue, not one per item', () => {
  // 1 MiB of `{}` units, spread over commitment.work_requests[*].work_units, each missing 7 fields:
  // before arrays stopped at the first bad item this took 26 s and millions of issues.
  const request = {
    request_id: 'r',
    requester_id: 'p',
    job_id: 'j',
    work_units: Array.from({ length: 1300 }, () => ({})),
    timestamp: '2025-01-01T00:00:00Z',
  };
  const text = JSON.stringify({ ...commitment, work_requests: Array.from({ length: 256 }, () => request) });
  assert.ok(text.length <= S.DEFAULT_MAX_CHARS);
  const error = expectFailure(S.ComputeCommitmentSchema, text, 'invalid');
  assert.ok(error.issues.length <= 20);
  assert.match(error.message, /^work_requests\.0\.work_units\.0\./);
});

test('100,000 levels of nesting is too_deep, not a stack overflow', () => {
  const levels = 100_000;
  expectFailure(S.ComputeCommitmentSchema, '['.repeat(levels) + ']'.repeat(levels), 'too_deep');
  expectFailure(S.ComputeCommitmentSchema, '{"a":'.repeat(levels) + '1' + '}'.repeat(levels), 'too_deep');
  const inParams = `{"params":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;
  expectFailure(S.WorkUnitSchema, inParams, 'too_deep');
});

test('an already-parsed cyclic value is too_deep, not an endless walk', () => {
  const cyclic: Record<string, unknown> = { peer_id: 'p' };
  cyclic.self = cyclic;
  const result = S.validate(S.ComputeCommitmentSchema, cyclic);
  assert.equal(result.ok ? 'ok' : result.error.code, 'too_deep');
});

/** Every object inside a JSON value, as the path of keys and indexes that reaches it. */
function objectPaths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [];
  const here = Array.isArray(value) ? [] : [path];
  const children = Object.entries(value).flatMap(([key, child]) =>
    objectPaths(child, [...path, Array.isArray(value) ? Number(key) : key]),
  );
  return [...here, ...children];
}

/** The JSON text of `value` with `key` added to the object at `path` (as an own key, as JSON.parse makes it). */
function withKeyAt(value: unknown, path: Array<string | number>, key: string, keyValue: unknown): string {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string | number, unknown>;
  const target = path.reduce<Record<string | number, unknown>>(
    (node, step) => node[step] as Record<string | number, unknown>,
    copy,
  );
  target.zz_marker = keyValue;
  return JSON.stringify(copy).replace('"zz_marker":', `${JSON.stringify(key)}:`);
}

test('__proto__, constructor and prototype keys are rejected in every object of a commitment', () => {
  // A commitment with every free-form place filled: trust weights, vector clock and unit params.
  const unit = {
    ...fc.sample(A.workUnitArb, { numRuns: 1, seed: 5 })[0]!,
    params: { model: { layers: [{ size: 3 }] } },
  };
  const request = { ...fc.sample(A.workRequestArb, { numRuns: 1, seed: 5 })[0]!, work_units: [unit] };
  const full = {
    ...commitment,
    availability_slots: fc.sample(A.availabilitySlotArb, { numRuns: 1, seed: 5 }),
    work_requests: [request],
    trust_weights: { bob: 0.5 },
    vector_clock: { bob: 3 },
  };
  assert.ok(S.ComputeCommitmentSchema.safeParse(full).success);
  const paths = objectPaths(full);
  for (const where of ['trust_weights', 'vector_clock', 'params', 'required_resources', 'contribution_history']) {
    assert.ok(
      paths.some((p) => p.at(-1) === where),
      `no object at ${where}`,
    );
  }
  for (const path of paths) {
    for (const key of RESERVED_KEYS) {
      for (const keyValue of [{ polluted: true }, 0.5, 1]) {
        const text = withKeyAt(full, path, key, keyValue);
        assert.ok(text.includes(`"${key}":`));
        expectFailure(S.ComputeCommitmentSchema, text, 'invalid');
      }
    }
  }
});

test('reserved keys inside events and deep inside params are rejected too', () => {
  const event = fc.sample(A.nodeEventArbs['unit.created'], { numRuns: 1, seed: 9 })[0]!;
  const withParams = { ...event, unit: { ...event.unit, params: { a: [{ b: { c: 1 } }] } } };
  assert.ok(S.NodeEventSchema.safeParse(withParams).success);
  for (const path of objectPaths(withParams)) {
    for (const key of RESERVED_KEYS)
      expectFailure(S.NodeEventSchema, withKeyAt(withParams, path, key, { polluted: 1 }), 'invalid');
  }
});

/** Every leaf and container position of a JSON value, with a value of the wrong type for it. */
function wrongTypeSwaps(value: unknown, path: Array<string | number> = []): Array<[Array<string | number>, unknown]> {
  const wrong =
    typeof value === 'number'
      ? String(value)
      : typeof value === 'string'
        ? 7
        : typeof value === 'boolean'
          ? 'true'
          : value === null
            ? 0
            : Array.isArray(value)
              ? {}
              : [];
  const children =
    value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, child]) =>
          wrongTypeSwaps(child, [...path, Array.isArray(value) ? Number(key) : key]),
        )
      : [];
  return path.length === 0 ? children : [[path, wrong], ...children];
}

function swapped(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string | number, unknown>;
  const parent = path
    .slice(0, -1)
    .reduce<Record<string | number, unknown>>((node, step) => node[step] as Record<string | number, unknown>, copy);
  parent[path.at(-1)!] = replacement;
  return copy;
}

test('a wrong type anywhere is rejected, and the error names the place', () => {
  const samples: Array<[z.ZodMiniType, unknown]> = [
    [S.ComputeCommitmentSchema, fc.sample(A.computeCommitmentArb, { numRuns: 1, seed: 11 })[0]],
    [S.ComputeAllocationStateSchema, fc.sample(A.computeAllocationStateArb, { numRuns: 1, seed: 11 })[0]],
    ...Object.values(A.nodeEventArbs).map((arb): [z.ZodMiniType, unknown] => [
      S.NodeEventSchema,
      fc.sample(arb as fc.Arbitrary<unknown>, { numRuns: 1, seed: 11 })[0],
    ]),
  ];
  let checked = 0;
  for (const [schema, value] of samples) {
    for (const [path, wrong] of wrongTypeSwaps(value)) {
      if (path.includes('params') && path.at(-1) !== 'params') continue; // free-form JSON inside
      const error = expectFailure(schema, JSON.stringify(swapped(value, path, wrong)), 'invalid');
      const place = path.join('.');
      const named = error.issues.some(
        (i) => i.path === place || i.path.startsWith(`${place}.`) || place.startsWith(`${i.path}.`),
      );
      assert.ok(named, `wrong type at ${place}, but the error says ${error.message}`);
      checked += 1;
    }
  }
  assert.ok(checked > 100, `only ${checked} positions checked`);
});

test('numbers JSON can carry but the schemas must not take', () => {
  const unit = fc.sample(A.workUnitArb, { numRuns: 1, seed: 13 })[0]!;
  const text = (field: string, literal: string) =>
    JSON.stringify({ ...unit, [field]: 0 }).replace(`"${field}":0`, `"${field}":${literal}`);
  expectFailure(S.WorkUnitSchema, text('priority', '1e400'), 'invalid'); // parses to Infinity
  expectFailure(S.WorkUnitSchema, text('max_price', '1e20'), 'invalid'); // beyond safe integers
  expectFailure(S.WorkUnitSchema, text('max_price', '9007199254740993'), 'invalid');
  expectFailure(S.WorkUnitSchema, text('verification_redundancy', '1.0000001'), 'invalid');
});

test('a flood of unknown keys or a huge key gives a short message', () => {
  const keys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 0]));
  expectFailure(S.PriceScheduleSchema, JSON.stringify({ per_core_second: 1, minimum: 1, ...keys }), 'invalid');
  expectFailure(S.VectorClockSchema, JSON.stringify({ ['p'.repeat(500_000)]: 1 }), 'invalid');
  expectFailure(
    S.VectorClockSchema,
    JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`p${i}`, -1]))),
    'invalid',
  );
});
