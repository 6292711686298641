export * from './credibility.js';
export * from './judge.js';
