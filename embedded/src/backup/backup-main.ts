import { resolve } from 'node:path';
import { z } from 'zod';
import { CommonEnv, loadConfig } from '@otp/platform/config';
import { runMain } from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { DataDirEnv } from '../config';
import { backupDataDir, MANIFEST_FILE } from './backup-data-dir';

/** `npm run backup -- <folder>`: the DATA_DIR the server uses (same variable), into a new folder. */
const BackupEnv = z.object({
  DATA_DIR: DataDirEnv,
  LOG_LEVEL: CommonEnv.shape.LOG_LEVEL,
  destination: z.string({ error: 'give the folder to write the backup to: npm run backup -- <folder>' }).min(1).transform((p) => resolve(p)),
});

async function main(): Promise<void> {
  // The copy holds emails, client ips and the secrets: for this user only, like the server's own files.
  process.umask(0o077);
  const config = loadConfig(BackupEnv, { ...process.env, destination: process.argv[2] });
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'otp-auth-backup' });
  logger.info({ dataDir: config.DATA_DIR, destination: config.destination }, 'backup: starting');
  const manifest = await backupDataDir(config.DATA_DIR, config.destination, logger);
  logger.info(
    { events: manifest.events, lastPosition: manifest.lastPosition, files: manifest.files.map((f) => f.name), manifest: MANIFEST_FILE },
    'backup: complete',
  );
}

runMain('otp-auth backup', main);
