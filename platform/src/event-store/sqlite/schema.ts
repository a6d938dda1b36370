import type Database from 'better-sqlite3';

/**
 * The streams table holds each stream's head, so the expected-revision check and the
 * previous hash of the chain are one primary-key lookup instead of a MAX() over events.
 * `position` is the rowid: rows are never deleted, so it is strictly increasing.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  stream   TEXT NOT NULL,
  revision INTEGER NOT NULL,
  type     TEXT NOT NULL,
  data     TEXT NOT NULL,
  metadata TEXT NOT NULL,
  UNIQUE (stream, revision)
);
CREATE TABLE IF NOT EXISTS streams (
  name      TEXT PRIMARY KEY,
  revision  INTEGER NOT NULL,
  last_hash TEXT NOT NULL
) WITHOUT ROWID;
`;

export function applyPragmas(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma('journal_mode = WAL');
  // FULL, not NORMAL: in WAL mode NORMAL can lose the last commits on power loss, and an
  // acknowledged append here is an issued code, a consumed code or a revoked session.
  // Group commit is what pays for the fsync on every commit.
  db.pragma('synchronous = FULL');
  // Other processes may write the same file; wait for their lock instead of failing at once.
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
}

export function createSchema(db: Database.Database): void {
  db.exec(DDL);
}
