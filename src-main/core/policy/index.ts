export { evaluatePolicies } from './evaluate.js';
