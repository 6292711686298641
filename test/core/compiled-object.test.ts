// Objects on zod's compiled parser (core/schemas/zod.ts) must judge every value as zod/mini's own
// objects do: the same verdict, the same output, the same issues, on any JSON value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as mini from 'zod/mini';
import * as z from '../../src-main/core/schemas/zod.js';

/** The same shape on both builders: required, optional, defaulted, nested, with checks. */
function shapeOf(builder: typeof mini | typeof z) {
  return {
    id: mini.string().check(mini.minLength(1), mini.maxLength(8)),
    count: mini.optional(mini.int().check(mini.minimum(0))),
    flag: mini._default(mini.boolean(), false),
    inner: mini.optional(builder.strictObject({ x: mini.number(), tag: mini.optional(mini.literal('t')) })),
  };
}

const compiledStrict = z.strictObject(shapeOf(z));
const miniStrict = mini.strictObject(shapeOf(mini));
const compiledLoose = z.object(shapeOf(z));
const miniLoose = mini.object(shapeOf(mini));

/** Values near the shape (so that many pass) and anything else JSON can be. */
const nearShape = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
    count: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.constant('1')),
    flag: fc.oneof(fc.boolean(), fc.constant(null)),
    inner: fc.oneof(
      fc.record(
        { x: fc.oneof(fc.double({ noNaN: true }), fc.string()), tag: fc.constantFrom('t', 'u') },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const anyValue = fc.oneof(nearShape, fc.jsonValue());

const verdict = (result: ReturnType<typeof miniStrict.safeParse>) =>
  result.success ? { data: result.data } : { issues: result.error.issues.map(({ code, path }) => ({ code, path })) };

test('a compiled strict object judges any value as zod/mini strict object does', () => {
  fc.assert(
    fc.property(anyValue, (value) => {
      assert.deepEqual(verdict(compiledStrict.safeParse(value)), verdict(miniStrict.safeParse(value)));
    }),
    { numRuns: 2000 },
  );
});

test('a compiled object strips unknown keys as zod/mini object does', () => {
  fc.assert(
    fc.property(anyValue, (value) => {
      assert.deepEqual(verdict(compiledLoose.safeParse(value)), verdict(miniLoose.safeParse(value)));
    }),
    { numRuns: 2000 },
  );
});

test('a compiled object is a ZodMiniObject: it extends, picks and refuses unknown keys like one', () => {
  assert.ok(compiledStrict instanceof mini.ZodMiniObject);
  const extended = mini.extend(compiledStrict, { more: mini.string() });
  assert.ok(extended.safeParse({ id: 'a', more: 'b' }).success);
  assert.equal(extended.safeParse({ id: 'a' }).success, false);
  const unknownKey = compiledStrict.safeParse({ id: 'a', stranger: 1 });
  assert.equal(unknownKey.success, false);
  assert.deepEqual(unknownKey.error?.issues[0]?.code, 'unrecognized_keys');
  assert.deepEqual(Object.keys(mini.pick(compiledStrict, { id: true }).shape), ['id']);
});
