// An algorithm as a slot offers it (core/schemas AlgorithmCapability), at a speed.
import { ALGORITHM_VERSION } from '../../core/protocol/algorithm-ids.js';
import type { AlgorithmCapability } from '../../core/schemas/index.js';

/**
 * `algorithmId` offered at `score` (a fraction of the reference machine; 1 where nothing calibrated
 * it), at its kind's `version` (KindSpec.version).
 */
export const capability = (algorithmId: string, score = 1, version = ALGORITHM_VERSION): AlgorithmCapability => ({
  algorithm_id: algorithmId,
  version,
  supported: true,
  performance_score: score,
});
