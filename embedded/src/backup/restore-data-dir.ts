import { chmodSync, copyFileSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '@otp/platform/logging';
import { BackupManifest, BackupRefusedError, describeFile, EVENTS_FILE, fsyncPath, MANIFEST_FILE } from './backup-data-dir';
import { DATA_DIR_FILES } from '../data-dir-files';

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
 * `replaced-<time>-…` folder; the event store is locked against any server; only then are the staged
 * files renamed over the current ones, which cannot run out of space. A secret the backup does
 * not hold (it came from the environment) is left where it is.
 */
export function restoreDataDir(
  backup: string,
  dataDir: string,
  logger: Logger,
  now = () => new Date(),
): { movedAside: string | undefined; manifest: BackupManifest } {
  const manifest = readManifest(backup);
  if (manifest.notInDataDir.length > 0) {
    logger.warn(
      { notInBackup: manifest.notInDataDir },
      'restore: the backup holds no copy of these secrets (they came from the environment): start the server with the same values',
    );
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  const restored: string[] = manifest.files.map((file) => file.name);
  const replaced = [
    ...withCompanions(EVENTS_FILE),
    ...withCompanions(DATA_DIR_FILES.readModels),
    ...restored.filter((name) => name !== EVENTS_FILE),
  ];
  const present = [...new Set(replaced)].filter((name) => existsSync(join(dataDir, name)));

  // Folders of this run's own (mkdtemp), so a cleanup never touches an earlier restore's.
  let staging: string | undefined;
  let movedAside: string | undefined;
  let lock: Database.Database | undefined;
  try {
    staging = mkdtempSync(join(dataDir, `.restore-${stamp}-`));
    for (const file of manifest.files) {
      const staged = join(staging, file.name);
      copyFileSync(join(backup, file.name), staged, constants.COPYFILE_EXCL);
      // The sums are checked on the staged copy: what is checked is what gets put in place.
      const found = describeFile(staged, file.name);
      if (found.bytes !== file.bytes || found.sha256 !== file.sha256) {
        throw new BackupRefusedError(`${join(backup, file.name)} does not match ${MANIFEST_FILE}: the backup is damaged`);
      }
      // The backup's own modes do not matter: these files hold secrets and personal data.
      chmodSync(staged, 0o600);
      fsyncPath(staged);
    }
    fsyncPath(staging);
    if (present.length > 0) {
      // Byte for byte, and on disk, before the check below opens the event store (which may change it).
      movedAside = mkdtempSync(join(dataDir, `replaced-${stamp}-`));
      for (const name of present) {
        copyFileSync(join(dataDir, name), join(movedAside, name), constants.COPYFILE_EXCL);
        fsyncPath(join(movedAside, name));
      }
      fsyncPath(movedAside);
    }
    lock = lockOut(join(dataDir, EVENTS_FILE), logger);
  } catch (error) {
    lock?.close();
    for (const folder of [staging, movedAside]) if (folder) rmSync(folder, { recursive: true, force: true });
    throw error;
  }

  try {
    // The companions and read models go (nothing replaces them; a WAL would be replayed onto the
    // restored file). The rest is replaced by renames, each of which swaps its file in one step,
    // so no moment leaves DATA_DIR without a key or an event store; the event store goes last.
    for (const name of present) if (!restored.includes(name)) rmSync(join(dataDir, name), { force: true });
    for (const name of [...restored.filter((n) => n !== EVENTS_FILE), EVENTS_FILE]) renameSync(join(staging, name), join(dataDir, name));
    fsyncPath(dataDir);
  } catch (error) {
    logger.error(
      { err: (error as Error).message, staging, movedAside },
      'restore: interrupted while putting the backup in place; the backup is staged and the previous files are kept in these folders',
    );
    throw error;
  } finally {
    release(lock);
  }
  rmSync(staging, { recursive: true, force: true });
  if (movedAside) logger.info({ movedAside, files: present }, 'restore: the current files are moved aside, not deleted');
  return { movedAside, manifest };
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
 * the file), so it fails at once while a server has it open. The exclusive lock then taken is
 * held until the backup is in place: a server started meanwhile waits for it and fails, rather
 * than writing into a file about to be replaced. A file that is not a database any more is
 * often why one restores, so it is let through; anything else unexpected stops the restore.
 */
function lockOut(events: string, logger: Logger): Database.Database | undefined {
  if (!existsSync(events)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(events, { fileMustExist: true, timeout: 0 });
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (error) {
    db?.close();
    if (!(error instanceof Database.SqliteError)) throw error;
    if (error.code.startsWith('SQLITE_BUSY')) {
      throw new BackupRefusedError(`${events} is open in another process: stop the server before restoring`);
    }
    if (!(error.code === 'SQLITE_NOTADB' || error.code.startsWith('SQLITE_CORRUPT'))) throw error;
    logger.warn({ file: events, err: error.message }, 'restore: the current event store is damaged; it was copied aside as it was');
    return undefined;
  }
}

function release(lock: Database.Database | undefined): void {
  if (!lock) return;
  lock.exec('COMMIT');
  lock.close();
}
