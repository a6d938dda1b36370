import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createLogger } from '@otp/platform/logging';
import { mountSmallFilesystem } from '@otp/platform/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupDataDir } from './backup-data-dir';
import { restoreDataDir } from './restore-data-dir';

const logger = createLogger({ level: 'silent' });
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'otp-restore-unit-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A DATA_DIR with `count` events and a hash key (unless told not to), backed up into `backup/`. */
async function dataDirWithBackup(count: number, options: { hashKeyFile?: boolean; dataDir?: string; padding?: number } = {}) {
  const dataDir = options.dataDir ?? join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
  for (let i = 0; i < count; i++)
    await store.append(
      `s-${i}`,
      [{ id: randomUUID(), type: 'Noted', data: { i, padding: 'x'.repeat(options.padding ?? 0) }, metadata: {} }],
      'no_stream',
    );
  await store.close();
  if (options.hashKeyFile !== false) writeFileSync(join(dataDir, 'hash-key'), `${'k'.repeat(44)}\n`);
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
  it('leaves a secret the backup does not hold in place, and restores files for this user only', async () => {
    const dataDir = await dataDirWithBackup(1, { hashKeyFile: false });
    writeFileSync(join(dataDir, 'hash-key'), 'kept-from-elsewhere\n');
    chmodSync(join(root, 'backup', 'signing-key.json'), 0o644);

    restoreDataDir(join(root, 'backup'), dataDir, logger);
    expect(readFileSync(join(dataDir, 'hash-key'), 'utf8')).toBe('kept-from-elsewhere\n');
    expect(statSync(join(dataDir, 'signing-key.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'events.sqlite')).mode & 0o777).toBe(0o600);
  });

  const small = mountSmallFilesystem(1);
  if (!small.available) console.log(`restore on a full disk not tested: ${small.reason}`);
  afterAll(() => {
    if (small.available) small.release();
  });

  it.skipIf(!small.available)('changes nothing in DATA_DIR when the backup does not fit', async () => {
    if (!small.available) return;
    const dataDir = join(small.dir, 'data');
    await dataDirWithBackup(1, { dataDir });
    rmSync(join(root, 'backup'), { recursive: true });
    // A backup larger than the 1 MB disk DATA_DIR sits on.
    await dataDirWithBackup(400, { dataDir: join(root, 'big'), padding: 4_000 });
    const before = readdirSync(dataDir).sort();

    expect(() => restoreDataDir(join(root, 'backup'), dataDir, logger)).toThrow(/ENOSPC/);
    expect(readdirSync(dataDir).sort()).toEqual(before);
    const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    expect(await store.readAll()).toHaveLength(1);
    await store.close();
  });
});
