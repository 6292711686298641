export * from './trust-tiers.js';
export * from './compatibility.js';
export * from './allocate.js';
export * from './accept.js';
export * from './damping.js';
export * from './reciprocity.js';
export * from './offer-book.js';
export * from './holdings.js';
