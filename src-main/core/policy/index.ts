export { evaluatePolicies, policyRoom } from './evaluate.js';
export { describePolicy } from './describe.js';
