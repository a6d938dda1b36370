import { chmodSync, copyFileSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '@otp/platform/logging';
import { BackupManifest, BackupRefusedError, describeFile, EVENTS_FILE, fsyncPath, MANIFEST_FILE } from './backup-data-dir';

/** The SQLite companions of a file: replayed onto whatever file of that name is opened next, so they go with it. */
const withCompanions = (file: string) => [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];

/**
 * Puts a backup made by `backupDataDir` in place, for a server that is stopped. Copying
 * `events.sqlite` back by hand is not enough: a WAL left by a server that did not stop cleanly
 * would be replayed onto the restored file at the next open, bringing back the history the
 * backup was meant to replace.
 *
 * The order makes every step that can fail come before DATA_DIR is touched: the backup is
 * checked against its sums and staged inside DATA_DIR (same filesystem); the current files
 * (WAL and journal beside their file, read models too) are copied byte for byte into
 * `replaced-<time>/`; the event store is checked to be closed; only then are the current files
 * removed and the staged ones renamed into place, which cannot run out of space. A secret the
 * backup does not hold (it came from the environment) is left where it is.
 */
export function restoreDataDir(backup: string, dataDir: string, logger: Logger, now = () => new Date()): { movedAside: string | undefined; manifest: BackupManifest } {
  const manifest = readManifest(backup);
  for (const file of manifest.files) {
    const found = describeFile(join(backup, file.name), file.name);
    if (found.bytes !== file.bytes || found.sha256 !== file.sha256) {
      throw new BackupRefusedError(`${join(backup, file.name)} does not match ${MANIFEST_FILE}: the backup is damaged`);
    }
  }
  if (manifest.notInDataDir.length > 0) {
    logger.warn({ notInBackup: manifest.notInDataDir }, 'restore: the backup holds no copy of these secrets (they came from the environment): start the server with the same values');
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  const staging = join(dataDir, `.restore-${stamp}`);
  const movedAside = join(dataDir, `replaced-${stamp}`);
  const restored = manifest.files.map((file) => file.name);
  const replaced = [...withCompanions(EVENTS_FILE), ...withCompanions('read-models.sqlite'), ...restored.filter((name) => name !== EVENTS_FILE)];
  const present = [...new Set(replaced)].filter((name) => existsSync(join(dataDir, name)));
  try {
    mkdirSync(staging, { mode: 0o700 });
    for (const name of restored) {
      copyFileSync(join(backup, name), join(staging, name), constants.COPYFILE_EXCL);
      // The backup's own modes do not matter: these files hold secrets and personal data.
      chmodSync(join(staging, name), 0o600);
      fsyncPath(join(staging, name));
    }
    if (present.length > 0) {
      // Byte for byte, before the check below opens the event store (which may change it).
      mkdirSync(movedAside, { mode: 0o700 });
      for (const name of present) copyFileSync(join(dataDir, name), join(movedAside, name), constants.COPYFILE_EXCL);
    }
    assertNotInUse(join(dataDir, EVENTS_FILE), logger);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    rmSync(movedAside, { recursive: true, force: true });
    throw error;
  }
  for (const name of present) rmSync(join(dataDir, name), { force: true });
  for (const name of restored) renameSync(join(staging, name), join(dataDir, name));
  fsyncPath(dataDir);
  rmSync(staging, { recursive: true, force: true });
  if (present.length > 0) logger.info({ movedAside, files: present }, 'restore: the current files are moved aside, not deleted');
  return { movedAside: present.length > 0 ? movedAside : undefined, manifest };
}

function readManifest(backup: string): BackupManifest {
  const file = join(backup, MANIFEST_FILE);
  if (!existsSync(file)) throw new BackupRefusedError(`${file} does not exist: not a backup, or one that did not finish`);
  const parsed = BackupManifest.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new BackupRefusedError(`${file} is not a backup manifest: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  if (!parsed.data.files.some((f) => f.name === EVENTS_FILE)) throw new BackupRefusedError(`${file} lists no ${EVENTS_FILE}`);
  return parsed.data;
}

/**
 * Leaving WAL mode needs the only connection (every open connection holds a shared lock on
 * the file), so it fails at once while a server has it open. A file that is not a database
 * any more is often why one restores; anything else unexpected stops the restore.
 */
function assertNotInUse(events: string, logger: Logger): void {
  if (!existsSync(events)) return;
  let db: Database.Database | undefined;
  try {
    db = new Database(events, { fileMustExist: true, timeout: 0 });
    db.pragma('journal_mode = DELETE');
  } catch (error) {
    if (!(error instanceof Database.SqliteError)) throw error;
    if (error.code.startsWith('SQLITE_BUSY')) {
      throw new BackupRefusedError(`${events} is open in another process: stop the server before restoring`);
    }
    if (!(error.code === 'SQLITE_NOTADB' || error.code.startsWith('SQLITE_CORRUPT'))) throw error;
    logger.warn({ file: events, err: error.message }, 'restore: the current event store is damaged; it was copied aside as it was');
  } finally {
    db?.close();
  }
}
