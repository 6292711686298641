export { evaluatePolicies, forgetUncounted, policyRoom } from './evaluate.js';
export { describePolicy } from './describe.js';
export { FREE_RIDER_LIMIT, FREE_RIDER_TRICKLE, freeRiderRefusal, freeRiderRoom } from './free-rider.js';
