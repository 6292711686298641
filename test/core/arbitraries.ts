// fast-check arbitraries for VALID values of every wire schema in src-main/core/schemas. Each value
// survives a JSON round trip exactly: numbers are finite and never -0, optional fields are absent
// rather than undefined, defaulted fields (verification_redundancy, damping_factor) are explicit,
// and objects have Object.prototype. Cross-field rules a schema enforces (a slot ends after it
// starts) hold; rules it does not enforce are not guaranteed, except that every generated
// (start, end) pair is ordered.
export * from './arbitraries/primitives.js';
export * from './arbitraries/messages.js';
export * from './arbitraries/records.js';
export * from './arbitraries/ledger.js';
