import type Database from 'better-sqlite3';
import { FencedOutError } from '../lease';
import { FENCE_TABLE, LEASE_TABLE } from './sql-names';

type Db = Database.Database;

export function createLeaseTables(db: Db): void {
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${LEASE_TABLE} (name TEXT PRIMARY KEY, owner TEXT NOT NULL, token INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
  );
  db.exec(`CREATE TABLE IF NOT EXISTS ${FENCE_TABLE} (name TEXT PRIMARY KEY, token INTEGER NOT NULL) WITHOUT ROWID`);
}

/**
 * One IMMEDIATE transaction, so the rules are those of the Mongo adapter's conditional writes:
 * renew while ours, take it once expired with the next token, create it when missing.
 */
export function acquireLeaseRow(db: Db, name: string, owner: string, ttlMs: number): number | undefined {
  const acquire = db.transaction((): number | undefined => {
    const now = Date.now();
    const row = db.prepare(`SELECT owner, token, expires_at FROM ${LEASE_TABLE} WHERE name = ?`).get(name) as
      { owner: string; token: number; expires_at: number } | undefined;
    if (row && row.owner !== owner && row.expires_at >= now) return undefined;
    const token = !row ? 1 : row.owner === owner ? row.token : row.token + 1;
    db.prepare(
      `INSERT INTO ${LEASE_TABLE} (name, owner, token, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, token = excluded.token, expires_at = excluded.expires_at`,
    ).run(name, owner, token, now + ttlMs);
    return token;
  });
  return acquire.immediate();
}

export function releaseLeaseRow(db: Db, name: string, owner: string): void {
  db.prepare(`UPDATE ${LEASE_TABLE} SET expires_at = 0 WHERE name = ? AND owner = ?`).run(name, owner);
}

export function raiseFenceRow(db: Db, checkpointName: string, token: number): void {
  db.prepare(
    `INSERT INTO ${FENCE_TABLE} (name, token) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET token = max(token, excluded.token)`,
  ).run(checkpointName, token);
}

/** Inside the batch's transaction: the fence cannot move between this look and the commit. */
export function assertNotFencedOut(db: Db, checkpointName: string, fence: number | undefined): void {
  if (fence === undefined) return;
  const row = db.prepare(`SELECT token FROM ${FENCE_TABLE} WHERE name = ?`).get(checkpointName) as { token: number } | undefined;
  if (row && row.token > fence) {
    throw new FencedOutError(`checkpoint ${checkpointName}: fenced out, a holder with a newer lease than ${fence} writes it`);
  }
}
