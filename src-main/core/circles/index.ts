export * from './policy.js';
export * from './entries.js';
export * from './resolve.js';
