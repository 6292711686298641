// When a provider takes a refund of an assignment it returned a result for as `rejected`: only
// when the requester's own signed verdict on the unit says that result lost. A requester cannot
// keep a verified result and refund it as rejected to avoid paying.
import type { Verdict, WorkResult } from '../schemas/index.js';

/**
 * Whether one of the requester's verdicts (from its verification receipts, signatures already
 * checked, all by that requester) shows `result` rejected: a verdict on its unit that does not
 * list it as agreeing and either verified another hash, or was a rejection that lists it as
 * dissenting.
 */
export function rejectionShown(result: WorkResult, verdicts: readonly Verdict[]): boolean {
  return verdicts.some(
    (v) =>
      v.unit_id === result.work_unit_id &&
      !v.agreeing.includes(result.result_id) &&
      (v.verdict === 'verified'
        ? v.consensus_hash !== result.verification_hash
        : v.dissenting.includes(result.result_id)),
  );
}
