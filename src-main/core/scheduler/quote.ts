// What a job is expected to cost, hold and need, reckoned from what one of its units is offered at
// (an offer's terms, or a price schedule through offerPrice): the price a verified result is paid
// (billed by fuel, its estimated fuel's charge at the offer's rate, the offer's price at most; else
// the offer's price), and the cap each escrow holds while its unit is in flight. A result accepted
// unchecked holds its price until its job completes (a ledger `release`), so a job holds at most
// every unit's price and one unit's cap, and pays every unit's price, less the verifier share a
// job of one worker per unit keeps (core/ledger/shares.ts). The budget it needs adds ESTIMATE_SLACK
// of the prices, for estimates that err. The requester's own node reckons it
// for `submit-job --dry-run` and for a job that pauses short of budget (node/mesh/jobs/job-budgets.ts).
import { fuelCharge, WORKER_SHARE_BPS } from '../ledger/index.js';
import { BPS, type Offer } from '../schemas/index.js';

/** What a unit is offered at: the escrow (a cap when billed by fuel) and the fuel rate, if billed by fuel. */
export type UnitTerms = Pick<Offer, 'price' | 'fuel_price'>;

/** What a verified result of a unit is expected to be paid at `terms`, from the unit's fuel estimate. */
export function expectedPrice(terms: UnitTerms, estimatedFuel: number | undefined): number {
  if (!terms.fuel_price || estimatedFuel === undefined) return terms.price;
  return fuelCharge(terms.fuel_price, estimatedFuel, terms.price);
}

/** A unit of the state (a pack, in a packed job) as a quote counts it: its expected price and its cap. */
export interface QuotedUnit {
  price: number;
  cap: number;
}

/**
 * What the budget a job needs adds to its units' expected prices, a share of them: a render tile's
 * fuel estimate errs by up to 20 % (2 % over a frame's tiles, test/node/render/fuel-estimate.test.ts),
 * and a budget that falls a little short pauses the job again near its end.
 */
export const ESTIMATE_SLACK = 0.1;

export interface Quote {
  /** Every worker's expected price, all units: what the job holds once every result is in. */
  price: number;
  /** What the job pays: `price`, less the verifier share a job of one worker per unit keeps. */
  cost: number;
  /** The budget that sees it through: `price` and ESTIMATE_SLACK of it, and room for one escrow at its cap besides. */
  budget: number;
}

/**
 * The quote for `count` units of the state of which `sample` are known (a render job's later
 * frames are estimated after its submit: the rest are taken to cost the sample's mean), each run
 * by `workers` providers. Credits are whole millicredits, rounded up.
 */
export function quoteOf(sample: readonly QuotedUnit[], count: number, workers: number): Quote {
  if (sample.length === 0 || count === 0) return { price: 0, cost: 0, budget: 0 };
  let sum = 0;
  let margin = 0;
  for (const { price, cap } of sample) {
    sum += price;
    margin = Math.max(margin, cap - price);
  }
  const price = Math.ceil((sum * count * workers) / sample.length);
  const cost = workers === 1 ? Math.ceil((price * WORKER_SHARE_BPS) / BPS) : price;
  return { price, cost, budget: price + Math.ceil(price * ESTIMATE_SLACK) + margin };
}
