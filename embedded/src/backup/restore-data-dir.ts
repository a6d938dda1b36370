import { copyFileSync, constants, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '@otp/platform/logging';
import { BackupManifest, BackupRefusedError, describeFile, EVENTS_FILE, fsyncPath, MANIFEST_FILE, SECRET_FILES } from './backup-data-dir';

/** What a restore takes out of DATA_DIR: the files it replaces, with the SQLite companions that would otherwise be replayed onto them. */
const REPLACED = [EVENTS_FILE, `${EVENTS_FILE}-wal`, `${EVENTS_FILE}-shm`, 'read-models.sqlite', 'read-models.sqlite-wal', 'read-models.sqlite-shm', ...SECRET_FILES];

/**
 * Puts a backup made by `backupDataDir` in place, for a server that is stopped. Copying
 * `events.sqlite` back by hand is not enough: a WAL left by a server that did not stop cleanly
 * would be replayed onto the restored file at the next open, bringing back the history the
 * backup was meant to replace. So the files of the current DATA_DIR (WAL and read models
 * included) are moved aside into `replaced-<time>/`, not deleted, and the backup's files are
 * copied in after their sums are checked. Moving the WAL with its file keeps that pair whole:
 * SQLite replays it if the moved file is ever opened.
 */
export function restoreDataDir(backup: string, dataDir: string, logger: Logger, now = () => new Date()): { movedAside: string | undefined; manifest: BackupManifest } {
  const manifest = readManifest(backup);
  for (const file of manifest.files) {
    const found = describeFile(join(backup, file.name), file.name);
    if (found.bytes !== file.bytes || found.sha256 !== file.sha256) {
      throw new BackupRefusedError(`${join(backup, file.name)} does not match ${MANIFEST_FILE}: the backup is damaged`);
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const present = REPLACED.filter((name) => existsSync(join(dataDir, name)));
  let movedAside: string | undefined;
  if (present.length > 0) {
    // Copied first, byte for byte: the check below opens the event store, which may change it
    // (it folds a WAL in when it is the only connection), and a damaged file must be kept as found.
    movedAside = join(dataDir, `replaced-${now().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(movedAside, { mode: 0o700 });
    for (const name of present) copyFileSync(join(dataDir, name), join(movedAside, name), constants.COPYFILE_EXCL);
    try {
      assertNotInUse(join(dataDir, EVENTS_FILE), logger);
    } catch (error) {
      rmSync(movedAside, { recursive: true, force: true });
      throw error;
    }
    for (const name of present) rmSync(join(dataDir, name), { force: true });
    logger.info({ movedAside, files: present }, 'restore: the current files are moved aside, not deleted');
  }
  for (const { name } of manifest.files) {
    copyFileSync(join(backup, name), join(dataDir, name), constants.COPYFILE_EXCL);
    fsyncPath(join(dataDir, name));
  }
  fsyncPath(dataDir);
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
 * Leaving WAL mode needs the only connection to the file, so it fails at once while a server
 * has it open; when none has, it also folds a leftover WAL into the file being moved aside,
 * which keeps that copy whole on its own.
 */
function assertNotInUse(events: string, logger: Logger): void {
  if (!existsSync(events)) return;
  let db: Database.Database | undefined;
  try {
    db = new Database(events, { fileMustExist: true, timeout: 0 });
    db.pragma('journal_mode = DELETE');
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) {
      throw new BackupRefusedError(`${events} is open in another process: stop the server before restoring`);
    }
    // A damaged file is often why one restores: it was copied aside as it was, WAL beside it.
    logger.warn({ file: events, err: (error as Error).message }, 'restore: the current event store cannot be opened; moving it aside as it is');
  } finally {
    db?.close();
  }
}
