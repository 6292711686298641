// An algorithm as a slot offers it (core/schemas AlgorithmCapability), at a speed.
import { ALGORITHM_VERSION } from '../../core/protocol/algorithm-ids.js';
import type { AlgorithmCapability } from '../../core/schemas/index.js';

/** `algorithmId` offered at `score` (a fraction of the reference machine; 1 where nothing calibrated it). */
export const capability = (algorithmId: string, score = 1): AlgorithmCapability => ({
  algorithm_id: algorithmId,
  version: ALGORITHM_VERSION,
  supported: true,
  performance_score: score,
});
