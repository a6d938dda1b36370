import type Database from 'better-sqlite3';
import { CHECKPOINT_TABLE } from './sql-names';

/**
 * Creates the checkpoint table, or gives one from an earlier version its `hash` column.
 *
 * Files written before checkpoints recorded the hash of their last event have the table
 * without that column. Adding a nullable column rewrites nothing, and their checkpoints
 * read back without a hash until the next batch stores one. IMMEDIATE: the server's query
 * side and its projection thread open the same file at the same time, and only one of them
 * may add the column.
 */
export function createCheckpointTable(db: Database.Database): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (name TEXT PRIMARY KEY, position INTEGER NOT NULL, hash TEXT) WITHOUT ROWID`);
    const columns = db.prepare(`PRAGMA table_info(${CHECKPOINT_TABLE})`).all() as { name: string }[];
    if (!columns.some((column) => column.name === 'hash')) db.exec(`ALTER TABLE ${CHECKPOINT_TABLE} ADD COLUMN hash TEXT`);
  }).immediate();
}
