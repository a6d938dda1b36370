import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EventStoreUnavailableError } from '../port';
import { STORAGE_FAILURE_HOLD_MS, StorageHealth, storageFailureOf } from './storage-failure';

const sqliteError = (code: string, message = 'x') => new Database.SqliteError(message, code);

describe('storage failures', () => {
  it('are refusals with nothing stored for a full disk, a read-only or unopenable file, a lock held too long', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_BUSY', 'SQLITE_CANTOPEN']) {
      expect(storageFailureOf(sqliteError(code))?.outcome, code).toBe('nothing-stored');
    }
  });

  it('have an unknown outcome for an I/O error, which may strike after the commit reached the WAL', () => {
    for (const code of ['SQLITE_IOERR', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_SHMSIZE'])
      expect(storageFailureOf(sqliteError(code))?.outcome, code).toBe('unknown');
  });

  it('are not constraint errors, out-of-memory, look-alike codes or other errors', () => {
    for (const error of [
      sqliteError('SQLITE_CONSTRAINT_UNIQUE'),
      sqliteError('SQLITE_NOMEM'),
      sqliteError('SQLITE_FULLY'),
      new Error('SQLITE_FULL'),
    ]) {
      expect(storageFailureOf(error)).toBeUndefined();
    }
  });

  it('answer the retryable error only when nothing was stored, and are held until a commit or the hold has passed', () => {
    let now = 1_000;
    const health = new StorageHealth(() => now);
    expect(health.current).toBeUndefined();

    const full = sqliteError('SQLITE_FULL', 'database or disk is full');
    const refused = health.failed(storageFailureOf(full)!);
    expect(refused).toBeInstanceOf(EventStoreUnavailableError);
    expect(refused.message).toBe('event store cannot write: database or disk is full (SQLITE_FULL)');
    expect(health.current?.message).toContain('SQLITE_FULL');
    health.committed();
    expect(health.current).toBeUndefined();

    const io = sqliteError('SQLITE_IOERR_FSYNC', 'disk I/O error');
    expect(health.failed(storageFailureOf(io)!)).toBe(io);
    now += STORAGE_FAILURE_HOLD_MS - 1;
    expect(health.current?.message).toContain('SQLITE_IOERR_FSYNC');
    now += 1;
    expect(health.current).toBeUndefined();
  });
});
