// Every way the journal says no, as values: nothing the journal is handed makes it throw.
import { describeError } from '../../core/errors.js';
import type { DecodeIssue } from '../../core/schemas/index.js';
import type { LedgerErrorCode } from '../../core/ledger/index.js';

export type JournalErrorCode =
  /** The event does not match NodeEventSchema. */
  | 'invalid_event'
  /** A ledger entry the ledger refuses (it would pay twice, exceed a budget...). */
  | 'ledger_refused'
  /** The database was written by a newer version of the app. */
  | 'newer_schema'
  /** A journaled event that the projections cannot re-apply (the journal and the rules disagree). */
  | 'replay_refused'
  /** The journal was closed. */
  | 'closed'
  /** SQLite failed (disk full, I/O error, not a database...). */
  | 'storage_failed';

export interface JournalError {
  code: JournalErrorCode;
  message: string;
  /** For invalid_event: where the event is wrong. */
  issues?: DecodeIssue[];
  /** For ledger_refused and replay_refused: the ledger's reason. */
  ledger?: LedgerErrorCode;
}

export type Failure = { ok: false; error: JournalError };

export function failure(code: JournalErrorCode, message: string, extra: Partial<JournalError> = {}): Failure {
  return { ok: false, error: { code, message, ...extra } };
}

export function storageFailure(err: unknown): Failure {
  return failure('storage_failed', describeError(err));
}
