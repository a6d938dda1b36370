import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { Logger } from '@otp/platform/logging';
import { CopyPace } from './copy-pace';
import { DATA_DIR_FILES } from '../data-dir-files';

/**
 * What a restore needs besides the events: without the hash key no stored code, API key or
 * email key can be checked again, without the signing-key encryption key no signing key in the
 * events opens (no token is signed or verified), and the key file is the stream's first key. The read models and the dev mailbox are left out on purpose: read models
 * are rebuilt from the events on start, and the mailbox holds codes.
 */
export const SECRET_FILES = [
  DATA_DIR_FILES.hashKey,
  DATA_DIR_FILES.signingKey,
  DATA_DIR_FILES.signingKeyEncryptionKey,
  DATA_DIR_FILES.operatorToken,
] as const;
export const EVENTS_FILE = DATA_DIR_FILES.events;
export const MANIFEST_FILE = 'backup.json';

export const BackupManifest = z.object({
  createdAt: z.iso.datetime(),
  events: z.number().int().nonnegative(),
  lastPosition: z
    .string()
    .regex(/^[0-9]+$/)
    .nullable(),
  files: z.array(
    z.object({
      name: z.enum([EVENTS_FILE, ...SECRET_FILES]),
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
  /** Secret files that were not in DATA_DIR: they came from the environment, which the operator must keep. */
  notInDataDir: z.array(z.enum(SECRET_FILES)),
});
export type BackupManifest = z.infer<typeof BackupManifest>;
type BackupFileName = BackupManifest['files'][number]['name'];

export class BackupRefusedError extends Error {}

/**
 * A consistent copy of a data directory, taken while the server runs. SQLite's online backup
 * ends with a copy of one snapshot (a commit during the copy restarts it, see `CopyPace`):
 * copying the file with `cp` instead can catch a commit half in the file and half in the WAL.
 * The manifest is written last, so a backup without one is incomplete.
 */
export async function backupDataDir(
  dataDir: string,
  destination: string,
  logger: Logger,
  options: { now?: () => Date; stepPages?: number } = {},
): Promise<BackupManifest> {
  const now = options.now ?? (() => new Date());
  const source = join(dataDir, EVENTS_FILE);
  if (!existsSync(source)) throw new BackupRefusedError(`${source} does not exist: is DATA_DIR right?`);
  if (existsSync(destination) && readdirSync(destination).length > 0) {
    throw new BackupRefusedError(`${destination} is not empty: a backup goes into a new or empty folder`);
  }
  mkdirSync(destination, { recursive: true, mode: 0o700 });

  await copyEvents(source, join(destination, EVENTS_FILE), logger, new CopyPace(options.stepPages));
  const { events, lastPosition } = checkCopy(join(destination, EVENTS_FILE));
  logger.info({ events, lastPosition }, 'backup: the copy passed SQLite integrity_check');

  const notInDataDir: (typeof SECRET_FILES)[number][] = [];
  for (const name of SECRET_FILES) {
    const from = join(dataDir, name);
    if (!existsSync(from)) {
      notInDataDir.push(name);
      continue;
    }
    copyFileSync(from, join(destination, name), constants.COPYFILE_EXCL);
  }
  if (notInDataDir.includes(DATA_DIR_FILES.hashKey)) {
    logger.warn(
      'backup: no hash-key file in DATA_DIR, so HASH_KEY comes from the environment: keep it with this backup, the events cannot be used without it',
    );
  }
  if (notInDataDir.includes(DATA_DIR_FILES.signingKeyEncryptionKey)) {
    logger.warn(
      'backup: no signing-key-encryption-key file in DATA_DIR, so SIGNING_KEY_ENCRYPTION_KEY comes from the environment: keep it with this backup, no token can be signed without it',
    );
  }

  const copied: BackupFileName[] = [EVENTS_FILE, ...SECRET_FILES.filter((name) => !notInDataDir.includes(name))];
  const files = copied.map((name) => describeFile(join(destination, name), name));
  for (const file of files) fsyncPath(join(destination, file.name));
  const manifest: BackupManifest = { createdAt: now().toISOString(), events, lastPosition, files, notInDataDir };
  writeFileSync(join(destination, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  fsyncPath(join(destination, MANIFEST_FILE));
  fsyncPath(destination);
  return manifest;
}

async function copyEvents(source: string, target: string, logger: Logger, pace: CopyPace): Promise<void> {
  const db = new Database(source, { fileMustExist: true, timeout: 5_000 });
  const megabytes = (pages: number) => Math.round((pages * pageSize(db)) / 1e5) / 10;
  const started = Date.now();
  let lastReport = started;
  try {
    await db.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        const { pages, event } = pace.next(totalPages, remainingPages);
        if (event?.kind === 'start') logger.info({ megabytes: megabytes(totalPages) }, 'backup: copying the event store');
        if (event?.kind === 'restarted') logger.info('backup: the server committed during the copy; finishing in one step');
        if (event?.kind === 'progress' && Date.now() - lastReport >= 2_000) {
          lastReport = Date.now();
          logger.info(
            { copiedMegabytes: megabytes(event.copiedPages), megabytes: megabytes(event.totalPages) },
            'backup: copying the event store',
          );
        }
        return pages;
      },
    });
  } finally {
    db.close();
  }
  logger.info({ ms: Date.now() - started, bytes: statSync(target).size }, 'backup: event store copied');
}

const pageSize = (db: Database.Database) => db.pragma('page_size', { simple: true }) as number;

function checkCopy(file: string): { events: number; lastPosition: string | null } {
  const db = new Database(file, { fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`the copy failed SQLite integrity_check: ${String(integrity)}`);
    db.defaultSafeIntegers(true);
    const row = db.prepare('SELECT count(*) AS n, max(position) AS last FROM events').get() as { n: bigint; last: bigint | null };
    return { events: Number(row.n), lastPosition: row.last === null ? null : row.last.toString() };
  } finally {
    db.close();
  }
}

/** Read in chunks: the event store may be far larger than memory. */
export function describeFile<N extends string>(path: string, name: N) {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let read; (read = readSync(fd, chunk, 0, chunk.length, null)) > 0; bytes += read) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return { name, bytes, sha256: hash.digest('hex') };
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
