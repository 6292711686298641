// The votes a unit's results cast for its consensus: one for each result in (less those whose
// output could not be fetched), by its provider, with the fuel it charged where the unit is billed
// by fuel on a CPU (redundant CPU runs must agree on what they charge; a GPU's fuel is not metered).
import type { Vote } from '../../../core/consensus/index.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';

export function votesOf(active: readonly AssignmentRecord[], unfetchable?: ReadonlySet<string>): Vote[] {
  return active.flatMap(({ result, acceptance, fuelPrice }) =>
    result && !unfetchable?.has(result.result_id)
      ? [
          {
            result_id: result.result_id,
            peer: acceptance.provider_peer,
            hash: result.verification_hash,
            ...(fuelPrice && result.device !== 'gpu' ? { fuel: result.fuel ?? 0 } : {}),
          },
        ]
      : [],
  );
}
