import Database from 'better-sqlite3';
import { EventStoreUnavailableError } from '../port';

type SqliteError = InstanceType<typeof Database.SqliteError>;

/**
 * SQLite result codes that say the file cannot be written now, with nothing of the commit
 * written: a full disk, a file turned read-only or that cannot be opened, a lock another process
 * held past the busy timeout. Extended codes (`SQLITE_READONLY_DBMOVED`, ...) share their
 * primary's prefix.
 */
const REFUSED = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_BUSY'];

/**
 * An I/O error is different: SQLite writes a commit's frames to the WAL before its fsync and
 * updates the WAL index after it, so an `SQLITE_IOERR_FSYNC` (or a `-shm` that could not grow)
 * can come back for a commit whose frames are whole in the WAL and will be replayed at the
 * next open. Its outcome is unknown, so it must not be answered "nothing stored, retry".
 */
const OUTCOME_UNKNOWN = ['SQLITE_IOERR'];

const matches = (error: SqliteError, codes: string[]) => codes.some((code) => error.code === code || error.code.startsWith(`${code}_`));

export type StorageFailure = { error: SqliteError; outcome: 'nothing-stored' | 'unknown' };

export function storageFailureOf(error: unknown): StorageFailure | undefined {
  if (!(error instanceof Database.SqliteError)) return undefined;
  if (matches(error, REFUSED)) return { error, outcome: 'nothing-stored' };
  if (matches(error, OUTCOME_UNKNOWN)) return { error, outcome: 'unknown' };
  return undefined;
}

/** How long after a failed write the store still reports itself failing, when nothing has been committed since. */
export const STORAGE_FAILURE_HOLD_MS = 10_000;

/**
 * The last storage failure, until a commit succeeds or it is older than the hold. Readiness
 * reads it: failing while writes fail, and passing again on its own after the hold, so an
 * instance taken out of traffic (no appends, no proof of recovery) comes back to try.
 */
export class StorageHealth {
  private failure: { error: Error; at: number } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Remembers the failure, and answers the error the append fails with: the port's retryable
   * EventStoreUnavailableError when nothing was stored, the SQLite error itself (a 500) when
   * the outcome is unknown.
   */
  failed({ error, outcome }: StorageFailure): Error {
    const answer =
      outcome === 'nothing-stored'
        ? new EventStoreUnavailableError(`event store cannot write: ${error.message} (${error.code})`, { cause: error })
        : error;
    this.failure = {
      error: new EventStoreUnavailableError(`event store write failed: ${error.message} (${error.code})`, { cause: error }),
      at: this.now(),
    };
    return answer;
  }

  committed(): void {
    this.failure = undefined;
  }

  /** The failure still held, if any. */
  get current(): Error | undefined {
    if (this.failure && this.now() - this.failure.at >= STORAGE_FAILURE_HOLD_MS) this.failure = undefined;
    return this.failure?.error;
  }
}
