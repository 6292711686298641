export { evaluatePolicies } from './evaluate.js';
export type { PolicyDecision } from './evaluate.js';
