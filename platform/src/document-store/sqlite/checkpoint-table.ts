import type Database from 'better-sqlite3';
import { CHECKPOINT_TABLE } from './sql-names';

/** Columns added after the first version of the table, in the order they came. */
const LATER_COLUMNS = ['hash TEXT', 'version INTEGER'] as const;

/**
 * Creates the checkpoint table, or gives one from an earlier version the columns it lacks
 * (`hash`, then `version`).
 *
 * Adding a nullable column rewrites nothing, and older checkpoints read back without a hash or
 * a version until the next batch stores them. IMMEDIATE: the server's query side and its
 * projection thread open the same file at the same time, and only one of them may add a column.
 */
export function createCheckpointTable(db: Database.Database): void {
  db.transaction(() => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (name TEXT PRIMARY KEY, position INTEGER NOT NULL, hash TEXT, version INTEGER) WITHOUT ROWID`,
    );
    const columns = new Set(
      (db.prepare(`PRAGMA table_info(${CHECKPOINT_TABLE})`).all() as { name: string }[]).map((column) => column.name),
    );
    for (const column of LATER_COLUMNS) {
      if (!columns.has(column.split(' ')[0]!)) db.exec(`ALTER TABLE ${CHECKPOINT_TABLE} ADD COLUMN ${column}`);
    }
  }).immediate();
}
