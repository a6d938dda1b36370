import Database from 'better-sqlite3';
import type { Checkpoint, CollectionMove, Doc, DocumentStore, FindQuery, StoredCheckpoint, WriteOp } from '../port';
import {
  assertCheckpoint,
  assertCollectionName,
  assertDeleteIds,
  assertDocumentId,
  assertFieldPath,
  InvalidDocumentStoreInputError,
} from '../names';
import { applyWriteOp, type TouchedDocuments } from '../apply-write-op';
import { assertValidWriteOp } from '../update';
import { acquireLeaseRow, assertNotFencedOut, createLeaseTables, raiseFenceRow, releaseLeaseRow } from './lease-tables';
import { createCheckpointTable } from './checkpoint-table';
import { findSql } from './find-sql';
import { CHECKPOINT_TABLE, fieldExpression, indexName, tableName } from './sql-names';

export interface SqliteDocumentStoreOptions {
  /**
   * Database file; it may be the event store's own file, opened here on a
   * connection of its own. `:memory:` gives a throwaway store.
   */
  file: string;
  /** How long a write waits for the other connection's lock before failing. */
  busyTimeoutMs?: number;
}

export function openSqliteDocumentStore(options: SqliteDocumentStoreOptions): DocumentStore {
  return new SqliteDocumentStore(options);
}

type Db = Database.Database;
type Statement = Database.Statement<unknown[], unknown>;

// Bounded so that ad-hoc query shapes cannot grow the cache forever.
const MAX_CACHED_STATEMENTS = 256;

class SqliteDocumentStore implements DocumentStore {
  private readonly db: Db;
  private readonly statements = new Map<string, Statement>();
  /** Declared indexes per collection, re-created whenever a table is (after reset, too). */
  private readonly indexes = new Map<string, Map<string, string>>();
  private readonly writeBatch: (ops: WriteOp[], checkpoint: Checkpoint) => void;
  private readonly resetTables: (collections: string[], checkpointName: string) => void;
  private readonly moveTables: (moves: CollectionMove[], checkpoint: { from: string; to: string }) => void;

  constructor({ file, busyTimeoutMs = 5_000 }: SqliteDocumentStoreOptions) {
    this.db = new Database(file, { timeout: busyTimeoutMs });
    // WAL lets the query side read while the event store and the projector write to the same file.
    this.db.pragma('journal_mode = WAL');
    // In WAL, NORMAL never corrupts; a power cut may lose the last batches, and the checkpoint goes back with them.
    this.db.pragma('synchronous = NORMAL');
    createCheckpointTable(this.db);
    createLeaseTables(this.db);

    // IMMEDIATE takes the write lock up front: a deferred transaction that reads
    // first and then writes can fail with SQLITE_BUSY_SNAPSHOT, which busy_timeout cannot wait out.
    const writeBatch = this.db.transaction((ops: WriteOp[], checkpoint: Checkpoint) => {
      assertNotFencedOut(this.db, checkpoint.name, checkpoint.fence);
      for (const collection of new Set(ops.map((op) => op.collection))) this.createTable(collection);
      // Ops are applied in order to an in-memory view of the documents they touch, and
      // each touched document is written once: a batch of 500 events for one tenant
      // increments the same usage buckets 500 times but writes them once.
      const touched: TouchedDocuments = new Map();
      for (const op of ops) applyWriteOp(op, touched, (collection, id) => this.readRow(tableName(collection), id));
      // A `given` op may answer writes to collections no op of the batch named.
      for (const collection of new Set([...touched.values()].map((t) => t.collection))) this.createTable(collection);
      for (const { collection, id, doc } of touched.values()) {
        const table = tableName(collection);
        if (doc) this.upsertRow(table, id, doc);
        else this.stmt(`DELETE FROM ${table} WHERE id = ?`).run(id);
      }
      this.stmt(
        `INSERT INTO ${CHECKPOINT_TABLE} (name, position, hash, version) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, hash = excluded.hash, version = excluded.version`,
      ).run(checkpoint.name, checkpoint.position, checkpoint.hash, checkpoint.version);
    });
    this.writeBatch = (ops, checkpoint) => writeBatch.immediate(ops, checkpoint);

    const resetTables = this.db.transaction((collections: string[], checkpointName: string) => {
      for (const collection of collections) this.db.exec(`DROP TABLE IF EXISTS ${tableName(collection)}`);
      this.stmt(`DELETE FROM ${CHECKPOINT_TABLE} WHERE name = ?`).run(checkpointName);
    });
    this.resetTables = (collections, checkpointName) => resetTables.immediate(collections, checkpointName);

    // One transaction: a reader sees the old tables or the new ones, never some of each, and a
    // crash leaves the old ones with their checkpoint.
    const moveTables = this.db.transaction((moves: CollectionMove[], checkpoint: { from: string; to: string }) => {
      const moved = this.stmt(`SELECT position, hash, version FROM ${CHECKPOINT_TABLE} WHERE name = ?`)
        .safeIntegers(true)
        .get(checkpoint.from) as { position: bigint; hash: string | null; version: bigint | null } | undefined;
      if (!moved) throw new InvalidDocumentStoreInputError(`no checkpoint ${checkpoint.from} to put in place of ${checkpoint.to}`);
      for (const { from, to } of moves) {
        // A collection the rebuild wrote nothing to still replaces the live one (with nothing).
        this.createTable(from);
        this.db.exec(`DROP TABLE IF EXISTS ${tableName(to)}`);
        // Indexes keep their names through a rename: the ones named for the shadow go, the live name's are made again.
        const shadowIndexes = this.stmt("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(
          tableName(from).slice(1, -1),
        ) as { name: string }[];
        for (const { name } of shadowIndexes) this.db.exec(`DROP INDEX "${name}"`);
        this.db.exec(`ALTER TABLE ${tableName(from)} RENAME TO ${tableName(to)}`);
        this.createTable(to);
      }
      this.stmt(
        `INSERT INTO ${CHECKPOINT_TABLE} (name, position, hash, version) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, hash = excluded.hash, version = excluded.version`,
      ).run(checkpoint.to, moved.position, moved.hash, moved.version);
      this.stmt(`DELETE FROM ${CHECKPOINT_TABLE} WHERE name = ?`).run(checkpoint.from);
    });
    this.moveTables = (moves, checkpoint) => {
      // Statements prepared against the dropped tables must not be reused.
      this.statements.clear();
      moveTables.immediate(moves, checkpoint);
      this.statements.clear();
    };
  }

  async ensureIndex(collection: string, fields: string[]): Promise<void> {
    assertCollectionName(collection);
    if (fields.length === 0) throw new InvalidDocumentStoreInputError('an index needs at least one field');
    fields.forEach(assertFieldPath);
    const declared = this.indexes.get(collection) ?? new Map<string, string>();
    this.indexes.set(collection, declared);
    declared.set(indexName(collection, fields), fields.map(fieldExpression).join(', '));
    this.createTable(collection);
  }

  async applyBatch(ops: WriteOp[], checkpoint: Checkpoint): Promise<void> {
    // Validated before the transaction so a malformed op is reported as such, not as a rollback.
    ops.forEach(assertValidWriteOp);
    assertCheckpoint(checkpoint);
    this.writeBatch(ops, checkpoint);
  }

  async getCheckpoint(name: string): Promise<StoredCheckpoint | undefined> {
    const row = this.stmt(`SELECT position, hash, version FROM ${CHECKPOINT_TABLE} WHERE name = ?`).safeIntegers(true).get(name) as
      { position: bigint; hash: string | null; version: bigint | null } | undefined;
    if (!row) return undefined;
    return {
      position: row.position,
      ...(row.hash === null ? {} : { hash: row.hash }),
      ...(row.version === null ? {} : { version: Number(row.version) }),
    };
  }

  async get<T extends Doc = Doc>(collection: string, id: string): Promise<T | undefined> {
    assertDocumentId(id);
    const sql = `SELECT doc FROM ${tableName(collection)} WHERE id = ?`;
    const row = this.readMissingTableAsEmpty(() => this.stmt(sql).get(id) as { doc: string } | undefined, undefined);
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  async find<T extends Doc = Doc>(collection: string, query: FindQuery): Promise<T[]> {
    const built = findSql(collection, query);
    if (built === 'empty') return [];
    const rows = this.readMissingTableAsEmpty(() => this.stmt(built.sql).all(...built.params) as { doc: string }[], []);
    return rows.map((row) => JSON.parse(row.doc) as T);
  }

  async deleteMany(collection: string, ids: string[]): Promise<number> {
    assertDeleteIds(ids);
    if (ids.length === 0) return 0;
    const table = tableName(collection);
    // One statement per call: an IN list of bound parameters, the ids never inlined.
    const sql = `DELETE FROM ${table} WHERE id IN (${ids.map(() => '?').join(', ')})`;
    return this.readMissingTableAsEmpty(() => this.db.prepare(sql).run(...ids).changes, 0);
  }

  async reset(collections: string[], checkpointName: string): Promise<void> {
    collections.forEach(assertCollectionName);
    // Dropped tables come back, with their declared indexes, on the next write.
    this.statements.clear();
    this.resetTables(collections, checkpointName);
  }

  async replaceCollections(moves: CollectionMove[], checkpoint: { from: string; to: string }): Promise<void> {
    for (const { from, to } of moves) {
      assertCollectionName(from);
      assertCollectionName(to);
    }
    this.moveTables(moves, checkpoint);
  }

  /** The same rules as the Mongo adapter's, in one row (`./lease-tables`). */
  async acquireLease(name: string, owner: string, ttlMs: number): Promise<number | undefined> {
    return acquireLeaseRow(this.db, name, owner, ttlMs);
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    releaseLeaseRow(this.db, name, owner);
  }

  async raiseFence(checkpointName: string, token: number): Promise<void> {
    raiseFenceRow(this.db, checkpointName, token);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.db.close();
  }

  private readRow(table: string, id: string): Doc | undefined {
    const sql = `SELECT doc FROM ${table} WHERE id = ?`;
    const row = this.readMissingTableAsEmpty(() => this.stmt(sql).get(id) as { doc: string } | undefined, undefined);
    return row ? (JSON.parse(row.doc) as Doc) : undefined;
  }

  private upsertRow(table: string, id: string, doc: Doc): void {
    this.stmt(`INSERT INTO ${table} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`).run(
      id,
      JSON.stringify(doc),
    );
  }

  /** Idempotent, so it runs on every batch: another connection may have dropped the table meanwhile. */
  private createTable(collection: string): void {
    const table = tableName(collection);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`);
    for (const [name, expressions] of this.indexes.get(collection) ?? []) {
      this.db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${expressions})`);
    }
  }

  /** Collections are created by their first write, so reading one that has none yet is not an error. */
  private readMissingTableAsEmpty<R>(read: () => R, empty: R): R {
    try {
      return read();
    } catch (error) {
      if (error instanceof Database.SqliteError && error.message.startsWith('no such table')) return empty;
      throw error;
    }
  }

  private stmt(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
