import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CREDIT_PER_TRUST, creditLimit, creditRefusal } from '../../src-main/core/ledger/index.js';

test('the credit limit is CREDIT_PER_TRUST times my trust weight, and nothing for a peer I do not trust', () => {
  assert.equal(creditLimit(1), CREDIT_PER_TRUST);
  assert.equal(creditLimit(0.5), CREDIT_PER_TRUST / 2);
  assert.equal(creditLimit(0.0005), 5000);
  assert.equal(creditLimit(0.0003), 3000, 'to the nearest millicredit, whatever the float product');
  assert.equal(creditLimit(0), 0);
  assert.equal(creditLimit(Number.NaN), 0);
  assert.equal(creditLimit(-1), 0);
});

test('a unit is refused when balance − held − price would go below −limit', () => {
  const limit = 5000;
  assert.equal(creditRefusal(limit, { balance: 0, held: 0 }, 5000), undefined, 'exactly at the limit fits');
  assert.equal(creditRefusal(limit, { balance: -3000, held: 1000 }, 1000), undefined);
  const refused = creditRefusal(limit, { balance: -3000, held: 1000 }, 1001);
  assert.ok(refused);
  assert.match(
    refused,
    /^credit limit reached: balance -3\.000, 1\.000 held, this unit 1\.001; the limit is 5\.000 credits$/,
  );
  // What I owe the peer counts in its favour.
  assert.equal(creditRefusal(limit, { balance: 2000, held: 0 }, 7000), undefined);
  // No credit at all: every unit with a price is refused.
  assert.ok(creditRefusal(0, { balance: 0, held: 0 }, 1));
  assert.equal(creditRefusal(0, { balance: 0, held: 0 }, 0), undefined);
});

test('property: units accepted one by one never take a requester below −limit', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 100_000 }),
      fc.integer({ min: -50_000, max: 50_000 }),
      fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 40 }),
      (limit, balance, prices) => {
        let held = 0;
        for (const price of prices) if (creditRefusal(limit, { balance, held }, price) === undefined) held += price;
        assert.ok(balance - held >= Math.min(-limit, balance), `${balance} - ${held} against ${-limit}`);
      },
    ),
  );
});
