// Billing by measured fuel. A provider that prices by fuel says so on its offer (its rate); the
// offer's price is then a cap, what the requester escrows. The settle pays what the unit's verified
// fuel costs at that rate, never more than the cap; the rest of the escrow goes back to the job in
// the same entry. Fuel is deterministic, so honest runs of a unit agree on it.
import type { FuelPrice } from '../schemas/index.js';

/**
 * How far above the requester's own fuel estimate an offer's cap goes: a requester that
 * under-claims its units' fuel still pays what they burn, up to twice its claim.
 */
export const FUEL_CAP_HEADROOM = 2;

/** What `fuel` costs at `rate`: max(minimum, ⌈per_gfuel × fuel / 10⁹⌉), exact in BigInt, at most `cap`. */
export function fuelCharge(rate: FuelPrice, fuel: number, cap: number): number {
  const metered = (BigInt(rate.per_gfuel) * BigInt(fuel) + 999_999_999n) / 1_000_000_000n;
  const charge = metered > BigInt(rate.minimum) ? metered : BigInt(rate.minimum);
  return charge < BigInt(cap) ? Number(charge) : cap;
}

/** A result as billing sees it: the fuel it reports, and where it ran (a GPU reports none). */
interface BilledRun {
  fuel?: number;
  device?: 'gpu';
}

/** An assignment's terms: its escrow, and when its offer priced by fuel, the rate and the unit's fuel estimate. */
interface Terms {
  escrow: number;
  rate?: FuelPrice;
  estimatedFuel?: number;
}

/**
 * What a verified result is paid of its escrow: all of it unless its offer priced by fuel. Then,
 * on the CPU, the unit's billed fuel (billedFuel over the CPU results agreeing with it, itself
 * included, and my own run's fuel if I checked) at the offer's rate, the escrow at most; on a GPU
 * (no fuel), the requester's estimate at that rate, as before billing by fuel. A provider checks
 * a settle against this with only its own result.
 */
export function settlePrice(
  { escrow, rate, estimatedFuel }: Terms,
  result: BilledRun,
  agreeing: readonly BilledRun[],
  checkedFuel: number | undefined,
): number {
  if (!rate) return escrow;
  if (result.device === 'gpu') return estimatedFuel === undefined ? escrow : fuelCharge(rate, estimatedFuel, escrow);
  const cpu = agreeing.filter((run) => run.device !== 'gpu');
  return fuelCharge(rate, billedFuel([result, ...cpu], checkedFuel), escrow);
}

/**
 * The fuel a unit's verdict bills: my own run's when I checked the unit (ground truth), else the
 * least the agreeing results report, so that a provider over-reporting its fuel gains nothing
 * (a CPU result that reports none bills none).
 */
function billedFuel(agreeing: readonly [BilledRun, ...BilledRun[]], checked: number | undefined): number {
  if (checked !== undefined) return checked;
  return Math.min(...agreeing.map((result) => result.fuel ?? 0));
}
