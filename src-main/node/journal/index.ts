export { Journal, type AppendOutcome, type JournalOptions } from './journal.js';
export type { JournalErrorCode } from './errors.js';
