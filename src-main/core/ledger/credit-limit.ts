// How far into debt with me a peer's units may take it before I refuse more: its credit limit,
// derived from my trust in it. A peer I do not trust gets no credit at all.
import { formatCredits } from './credits.js';

/**
 * The debt, in millicredits, that a peer I trust fully (weight 1) may run up with me: 10,000
 * credits, about 2.8 hours of one core at the default price of 1 credit per core-second. A peer
 * at weight w gets w times that.
 */
export const CREDIT_PER_TRUST = 10_000_000;

/** A peer's credit limit with me, in millicredits: CREDIT_PER_TRUST × my trust weight in it (0..1), to the nearest millicredit. */
export function creditLimit(trustWeight: number): number {
  if (!(trustWeight > 0)) return 0;
  return Math.round(CREDIT_PER_TRUST * Math.min(1, trustWeight));
}

/** A requester as my ledger sees it. */
interface CreditPosition {
  /** Its balance with me: what I paid it minus what it paid me (negative: it owes me). */
  balance: number;
  /** What its escrows with me hold now: promised to me, not yet paid. */
  held: number;
}

/**
 * Why one more unit at `price` would take the requester past its credit limit, or undefined when
 * it fits: refused when balance − held − price would go below −limit.
 */
export function creditRefusal(limit: number, position: CreditPosition, price: number): string | undefined {
  const after = position.balance - position.held - price;
  if (after >= -limit) return undefined;
  return `credit limit reached: balance ${formatCredits(position.balance)}, ${formatCredits(position.held)} held, this unit ${formatCredits(price)}; the limit is ${formatCredits(limit)} credits`;
}
