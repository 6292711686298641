// Billing by measured fuel (core/ledger/metered.ts) and the offer's cap (core/scheduler/pricing.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FUEL_CAP_HEADROOM, fuelCharge, settlePrice } from '../../src-main/core/ledger/index.js';
import { offerPrice } from '../../src-main/core/scheduler/pricing.js';
import type { PriceSchedule, WorkUnit } from '../../src-main/core/schemas/index.js';

const RATE = { per_gfuel: 300, minimum: 10 };

test('a fuel charge: max(minimum, ⌈per_gfuel × fuel / 10⁹⌉), never over the cap', () => {
  assert.equal(fuelCharge(RATE, 0, 1000), 10);
  assert.equal(fuelCharge(RATE, 1e9, 1000), 300);
  assert.equal(fuelCharge(RATE, 1e9 + 1, 1000), 301, 'rounded up');
  assert.equal(fuelCharge(RATE, 10e9, 1000), 1000, 'out of cap: the cap');
  assert.equal(fuelCharge(RATE, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), 2_702_159_777);
});

test('a verified result is paid its unit’s verified fuel: the check’s when there is one, else the least agreeing report', () => {
  const mine = { fuel: 5e9 };
  // No check: the least of the agreeing results, mine included.
  assert.equal(
    settlePrice({ escrow: 3000, rate: RATE, estimatedFuel: 2e9 }, mine, [{ fuel: 2e9 }, { fuel: 9e9 }], undefined),
    600,
  );
  // My own run is ground truth, above or below what the results say.
  assert.equal(settlePrice({ escrow: 3000, rate: RATE, estimatedFuel: 2e9 }, mine, [{ fuel: 2e9 }], 4e9), 1200);
  // A CPU result that reports no fuel bills none; a GPU result pays the estimate, as before; a unit priced per second its escrow.
  assert.equal(settlePrice({ escrow: 3000, rate: RATE, estimatedFuel: 2e9 }, mine, [{}], undefined), 10);
  assert.equal(
    settlePrice({ escrow: 3000, rate: RATE, estimatedFuel: 2e9 }, { device: 'gpu' }, [mine], undefined),
    600,
  );
  assert.equal(
    settlePrice({ escrow: 3000, rate: RATE, estimatedFuel: 2e9 }, mine, [{ device: 'gpu' }], undefined),
    1500,
    'a GPU result does not lower it',
  );
  assert.equal(settlePrice({ escrow: 3000 }, mine, [], undefined), 3000);
});

test('property: a provider over-reporting its fuel is paid no more than honest runs agree on, nor are the others; nothing over the escrow', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1e12 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 1e12 }),
      fc.integer({ min: 0, max: 1e6 }),
      fc.boolean(),
      (fuel, honestCount, extra, escrow, checked) => {
        const honest = Array.from({ length: honestCount }, () => ({ fuel }));
        const liar = { fuel: fuel + extra };
        const truth = checked ? fuel : undefined;
        const fair = fuelCharge(RATE, fuel, escrow);
        assert.ok(fair <= escrow);
        assert.equal(settlePrice({ escrow, rate: RATE }, liar, honest, truth), fair);
        assert.equal(settlePrice({ escrow, rate: RATE }, honest[0]!, [liar, ...honest.slice(1)], truth), fair);
      },
    ),
  );
});

const UNIT: WorkUnit = {
  unit_id: 'j/0',
  job_id: 'j',
  algorithm_id: 'render/tile',
  algorithm_version: '1.0.0',
  required_resources: { cpu_cores: 1, ram_gb: 0.0625 },
  estimated_duration_seconds: 2,
  estimated_fuel: 4e9,
  priority: 0.5,
  verification_redundancy: 1,
};
const SCHEDULE: PriceSchedule = { per_core_second: 1000, per_gfuel: 300, minimum: 10 };

test('an offer priced by fuel carries its rate, and its cap is the headroom over the estimate, within the unit’s max price', () => {
  assert.deepEqual(offerPrice(SCHEDULE, UNIT, 2), {
    price: FUEL_CAP_HEADROOM * 1200,
    fuel_price: { per_gfuel: 300, minimum: 10 },
  });
  assert.equal(offerPrice(SCHEDULE, { ...UNIT, max_price: 1500 }, 2).price, 1500);
  // The max price bounds the headroom, never the estimate's own price (such an offer is refused as today).
  assert.equal(offerPrice(SCHEDULE, { ...UNIT, max_price: 1000 }, 2).price, 1200);
  // No estimate, or no fuel price: per core-second, no rate, as before.
  const { estimated_fuel: _fuel, ...unestimated } = UNIT;
  assert.deepEqual(offerPrice(SCHEDULE, unestimated, 2), { price: 2000 });
  assert.deepEqual(offerPrice({ per_core_second: 1000, minimum: 10 }, UNIT, 2), { price: 2000 });
});
