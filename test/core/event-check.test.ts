// The event feed's quick check (core/api/event-check.ts) passes only what ApiEventSchema passes,
// and passes the events the node makes, so the schema's parse is the exception, not the rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  API_EVENT_TYPES,
  ApiEventSchema,
  EVENT_KEY_CHARS,
  EVENT_TEXT_CHARS,
} from '../../src-main/core/api/contract.js';
import { plainlyValidEvent } from '../../src-main/core/api/event-check.js';

const event = (data: Record<string, unknown> = { job_id: 'job-1', units: 3, done: false, hash: null }) => ({
  id: 7,
  at: new Date(Date.UTC(2026, 10, 25, 13, 52, 48, 5)).toISOString(),
  type: 'unit.verified',
  data,
});

test('the events the node makes pass quickly, and the schema takes each', () => {
  for (const type of API_EVENT_TYPES) {
    const made = { ...event(), type };
    assert.equal(plainlyValidEvent(made), true, type);
    assert.equal(ApiEventSchema.safeParse(made).success, true, type);
  }
  assert.equal(plainlyValidEvent(event({ ['k'.repeat(EVENT_KEY_CHARS)]: 'v'.repeat(EVENT_TEXT_CHARS) })), true);
  assert.equal(plainlyValidEvent(event({})), true);
});

test('what breaks the contract never passes quickly', () => {
  const broken: [string, unknown][] = [
    ['a key too long', event({ ['k'.repeat(EVENT_KEY_CHARS + 1)]: 1 })],
    ['a text too long', event({ name: 'v'.repeat(EVENT_TEXT_CHARS + 1) })],
    ['NaN', event({ n: Number.NaN })],
    ['Infinity', event({ n: -Infinity })],
    ['a nested object', event({ o: { a: 1 } })],
    ['an array', event({ a: [1] })],
    ['undefined', event({ u: undefined })],
    ['a symbol key', event({ [Symbol('s')]: 1 })],
    ['data an array', { ...event(), data: [] }],
    ['data null', { ...event(), data: null }],
    ['an unknown type', { ...event(), type: 'unit.exploded' }],
    ['an extra key', { ...event(), extra: 1 }],
    ['a negative id', { ...event(), id: -1 }],
    ['a fractional id', { ...event(), id: 1.5 }],
    ['an id past safe integers', { ...event(), id: 2 ** 53 }],
    ['a time that is not one', { ...event(), at: '2026-13-45T25:61:61.000Z' }],
    ['a time in another form', { ...event(), at: 'Wed, 25 Nov 2026 13:52:48 GMT' }],
    ['a date object', { ...event(), at: new Date() }],
    ['a Map', new Map(Object.entries(event()))],
    ['an object of another prototype', Object.assign(Object.create({ kind: 'event' }), event())],
    ['no event', null],
  ];
  for (const [what, value] of broken) {
    assert.equal(plainlyValidEvent(value), false, what);
  }
});

test('on arbitrary events, passing quickly implies passing the schema', () => {
  // Mostly what the schema takes, with a share of everything it does not, at every place.
  const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
    fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: invalid, weight: 1 });
  const scalar = mostly(
    fc.oneof(fc.string({ maxLength: EVENT_TEXT_CHARS }), fc.integer(), fc.boolean(), fc.constant(null)),
    fc.oneof(
      fc.string({ minLength: EVENT_TEXT_CHARS - 1, maxLength: EVENT_TEXT_CHARS + 2 }),
      fc.double(),
      fc.constant(undefined),
      fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
    ),
  );
  const arbitraryEvent = fc.record({
    id: mostly(fc.nat(), fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 53))),
    at: mostly(
      fc.date({ min: new Date(-1e14), max: new Date(1e14), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    ),
    type: mostly(fc.constantFrom(...API_EVENT_TYPES), fc.string()),
    data: fc.dictionary(
      mostly(fc.string({ maxLength: EVENT_KEY_CHARS }), fc.string({ maxLength: EVENT_KEY_CHARS + 2 })),
      scalar,
      { maxKeys: 3 },
    ),
  });
  let quick = 0;
  fc.assert(
    fc.property(arbitraryEvent, (value) => {
      if (!plainlyValidEvent(value)) return true;
      quick++;
      return ApiEventSchema.safeParse(value).success;
    }),
    { numRuns: 3000 },
  );
  assert.ok(quick > 200, `${quick} of 3000 passed quickly`);
});
