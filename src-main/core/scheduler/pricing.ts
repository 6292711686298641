// What an offer asks for one unit, from my price schedule (docs/PROTOCOL.md, step 4): by the core
// and the seconds it takes, or, for a unit with a fuel estimate when I set a fuel price, by fuel:
// then the price is a cap with headroom over the requester's estimate, and the settle pays the
// unit's verified fuel at my rate (core/ledger/metered.ts).
import { FUEL_CAP_HEADROOM, fuelCharge } from '../ledger/index.js';
import type { Offer, PriceSchedule, WorkUnit } from '../schemas/index.js';

/** A node's prices until its user sets them: 1 credit per core-second; per Gfuel about the same on a core that runs ~3.4 Gfuel/s. */
export const DEFAULT_PRICE: PriceSchedule = { per_core_second: 1000, per_gfuel: 300, minimum: 10 };

export function offerPrice(price: PriceSchedule, unit: WorkUnit, seconds: number): Pick<Offer, 'price' | 'fuel_price'> {
  if (unit.estimated_fuel === undefined || price.per_gfuel === undefined) {
    const metered = Math.ceil(price.per_core_second * unit.required_resources.cpu_cores * seconds);
    return { price: Math.min(Number.MAX_SAFE_INTEGER, Math.max(price.minimum, metered)) };
  }
  const rate = { per_gfuel: price.per_gfuel, minimum: price.minimum };
  const estimate = fuelCharge(rate, unit.estimated_fuel, Number.MAX_SAFE_INTEGER);
  const headroom = fuelCharge(rate, FUEL_CAP_HEADROOM * unit.estimated_fuel, Number.MAX_SAFE_INTEGER);
  // The requester's own most per worker bounds the headroom, never the estimate's price itself.
  const cap = unit.max_price === undefined ? headroom : Math.max(estimate, Math.min(headroom, unit.max_price));
  return { price: cap, fuel_price: rate };
}
