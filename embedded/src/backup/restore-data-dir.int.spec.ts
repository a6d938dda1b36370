import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createLogger } from '@otp/platform/logging';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupDataDir } from './backup-data-dir';
import { restoreDataDir } from './restore-data-dir';

const logger = createLogger({ level: 'silent' });
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'otp-restore-unit-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A DATA_DIR with `count` events and a hash key, backed up into `backup/`. */
async function dataDirWithBackup(count: number) {
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
  for (let i = 0; i < count; i++) await store.append(`s-${i}`, [{ id: randomUUID(), type: 'Noted', data: { i }, metadata: {} }], 'no_stream');
  await store.close();
  writeFileSync(join(dataDir, 'hash-key'), `${'k'.repeat(44)}\n`);
  writeFileSync(join(dataDir, 'signing-key.json'), '{}\n');
  await backupDataDir(dataDir, join(root, 'backup'), logger);
  return dataDir;
}

describe('restoreDataDir', () => {
  it('moves a damaged event store aside as it is, and puts the backup in its place', async () => {
    const dataDir = await dataDirWithBackup(3);
    writeFileSync(join(dataDir, 'events.sqlite'), 'not a database at all');
    writeFileSync(join(dataDir, 'events.sqlite-wal'), 'and a stray WAL');

    const { movedAside, manifest } = restoreDataDir(join(root, 'backup'), dataDir, logger);
    expect(manifest.events).toBe(3);
    expect(readdirSync(movedAside!).sort()).toEqual(['events.sqlite', 'events.sqlite-wal', 'hash-key', 'signing-key.json']);
    const restored = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    expect((await restored.readAll()).map((e) => e.data['i'])).toEqual([0, 1, 2]);
    await restored.close();
  });

  it('refuses a folder without a manifest, and leaves DATA_DIR alone', async () => {
    const dataDir = await dataDirWithBackup(1);
    rmSync(join(root, 'backup', 'backup.json'));
    expect(() => restoreDataDir(join(root, 'backup'), dataDir, logger)).toThrow(/backup\.json does not exist/);
    expect(readdirSync(dataDir).sort()).toEqual(['events.sqlite', 'hash-key', 'signing-key.json']);
  });
});
