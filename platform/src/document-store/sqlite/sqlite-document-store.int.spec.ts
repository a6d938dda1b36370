import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { registerDocumentStoreContract } from '../document-store.contract';
import { openSqliteDocumentStore } from './index';
import { CHECKPOINT_TABLE } from './sql-names';

const dir = mkdtempSync(join(tmpdir(), 'otp-docstore-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `work` on a connection of its own, as another process or an older version would. */
function withConnection(file: string, work: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    work(db);
  } finally {
    db.close();
  }
}

registerDocumentStoreContract('sqlite', async () => {
  // A real file, so WAL and the busy timeout are exercised as in production.
  const file = join(dir, `store-${++counter}.sqlite`);
  const store = openSqliteDocumentStore({ file });
  return {
    store,
    writeCheckpointWithoutHash: async (name, position) =>
      withConnection(file, (db) => db.prepare(`INSERT INTO ${CHECKPOINT_TABLE} (name, position) VALUES (?, ?)`).run(name, position)),
    // The writes and the checkpoint are one transaction: a process that dies before COMMIT leaves the file as it was.
    interruptBatch: async () => {},
    dispose: async () => {
      await store.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
});

it('gives the checkpoint table of a file written before hashes its hash column, keeping the checkpoints', async () => {
  const file = join(dir, 'before-hashes.sqlite');
  withConnection(file, (db) => {
    db.exec(`CREATE TABLE ${CHECKPOINT_TABLE} (name TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID`);
    db.prepare(`INSERT INTO ${CHECKPOINT_TABLE} (name, position) VALUES (?, ?)`).run('read-models', 42);
  });

  // Twice, as the server's query side and its projection thread both open the file.
  const stores = [openSqliteDocumentStore({ file }), openSqliteDocumentStore({ file })];
  try {
    expect(await stores[1]!.getCheckpoint('read-models')).toEqual({ position: 42n });
    await stores[0]!.applyBatch([], { name: 'read-models', position: 43n, hash: 'ab'.repeat(32), version: 1 });
    expect(await stores[1]!.getCheckpoint('read-models')).toEqual({ position: 43n, hash: 'ab'.repeat(32), version: 1 });
  } finally {
    for (const store of stores) await store.close();
  }
});

it('gives the checkpoint table of a file written before versions its version column, keeping hash and position', async () => {
  const file = join(dir, 'before-versions.sqlite');
  withConnection(file, (db) => {
    db.exec(`CREATE TABLE ${CHECKPOINT_TABLE} (name TEXT PRIMARY KEY, position INTEGER NOT NULL, hash TEXT) WITHOUT ROWID`);
    db.prepare(`INSERT INTO ${CHECKPOINT_TABLE} (name, position, hash) VALUES (?, ?, ?)`).run('kafka-relay', 42, 'cd'.repeat(32));
  });
  const stores = [openSqliteDocumentStore({ file }), openSqliteDocumentStore({ file })];
  try {
    expect(await stores[1]!.getCheckpoint('kafka-relay')).toEqual({ position: 42n, hash: 'cd'.repeat(32) });
    await stores[0]!.applyBatch([], { name: 'kafka-relay', position: 43n, hash: 'ab'.repeat(32), version: 2 });
    expect(await stores[1]!.getCheckpoint('kafka-relay')).toEqual({ position: 43n, hash: 'ab'.repeat(32), version: 2 });
  } finally {
    for (const store of stores) await store.close();
  }
});
