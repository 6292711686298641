export { evaluatePolicies, policyRoom } from './evaluate.js';
