import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EventStoreUnavailableError } from '../port';
import { isStorageFailure, STORAGE_FAILURE_HOLD_MS, StorageHealth } from './storage-failure';

describe('storage failures', () => {
  it('are the codes that say the file cannot be written, extended codes included', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_FSYNC', 'SQLITE_READONLY_DBMOVED', 'SQLITE_BUSY', 'SQLITE_CANTOPEN']) {
      expect(isStorageFailure(new Database.SqliteError('x', code)), code).toBe(true);
    }
    for (const error of [new Database.SqliteError('x', 'SQLITE_CONSTRAINT_UNIQUE'), new Database.SqliteError('x', 'SQLITE_FULLY'), new Error('SQLITE_FULL')]) {
      expect(isStorageFailure(error)).toBe(false);
    }
  });

  it('are held until a commit succeeds, or until the hold has passed with none', () => {
    let now = 1_000;
    const health = new StorageHealth(() => now);
    expect(health.current).toBeUndefined();

    const refused = health.failed(new Database.SqliteError('database or disk is full', 'SQLITE_FULL'));
    expect(refused).toBeInstanceOf(EventStoreUnavailableError);
    expect(refused.message).toBe('event store cannot write: database or disk is full (SQLITE_FULL)');
    expect(health.current).toBe(refused);
    health.committed();
    expect(health.current).toBeUndefined();

    health.failed(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR'));
    now += STORAGE_FAILURE_HOLD_MS - 1;
    expect(health.current?.message).toContain('SQLITE_IOERR');
    now += 1;
    expect(health.current).toBeUndefined();
  });
});
