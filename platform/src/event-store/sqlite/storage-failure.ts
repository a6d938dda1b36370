import Database from 'better-sqlite3';
import { EventStoreUnavailableError } from '../port';

/**
 * SQLite result codes that say the file cannot be written now, whatever was appended: a
 * full disk, an I/O error, a file turned read-only, a lock another process held past the
 * busy timeout. Extended codes (`SQLITE_IOERR_FSYNC`, ...) share their primary's prefix.
 */
type SqliteError = InstanceType<typeof Database.SqliteError>;

const STORAGE_CODES = ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_NOMEM'];

export function isStorageFailure(error: unknown): error is SqliteError {
  return error instanceof Database.SqliteError && STORAGE_CODES.some((code) => error.code === code || error.code.startsWith(`${code}_`));
}

/** How long after a failed write the store still reports itself failing, when nothing has been committed since. */
export const STORAGE_FAILURE_HOLD_MS = 10_000;

/**
 * The last storage failure, until a commit succeeds or it is older than the hold. Readiness
 * reads it: failing while writes fail, and passing again on its own after the hold, so an
 * instance taken out of traffic (no appends, no proof of recovery) comes back to try.
 */
export class StorageHealth {
  private failure: { error: EventStoreUnavailableError; at: number } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Turns a storage failure into the port's retryable error, and remembers it. */
  failed(error: SqliteError): EventStoreUnavailableError {
    const unavailable = new EventStoreUnavailableError(`event store cannot write: ${error.message} (${error.code})`, { cause: error });
    this.failure = { error: unavailable, at: this.now() };
    return unavailable;
  }

  committed(): void {
    this.failure = undefined;
  }

  /** The failure still held, if any. */
  get current(): EventStoreUnavailableError | undefined {
    if (this.failure && this.now() - this.failure.at >= STORAGE_FAILURE_HOLD_MS) this.failure = undefined;
    return this.failure?.error;
  }
}
