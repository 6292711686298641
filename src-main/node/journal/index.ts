export {
  Journal,
  type AppendOutcome,
  type JournalOptions,
  type JournalSnapshot,
  type OpenOutcome,
  type RebuildOutcome,
} from './journal.js';
export type { JournalError, JournalErrorCode } from './errors.js';
export type { Durability } from './database.js';
export { DERIVED_TABLES, type DerivedTable } from './projections/index.js';
