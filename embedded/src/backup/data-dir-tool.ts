import { resolve } from 'node:path';
import { z } from 'zod';
import { CommonEnv, loadConfig } from '@otp/platform/config';
import { runMain } from '@otp/platform/http';
import { createLogger, type Logger } from '@otp/platform/logging';
import { DataDirEnv } from '../config';

/**
 * An operator command over the server's DATA_DIR (same variable) and one folder given as its
 * argument: `npm run <name> -- <folder>`. What it writes is for this user only, like the
 * server's own files, since it holds emails, client ips and the secrets.
 */
export function runDataDirTool(
  name: string,
  folderIs: string,
  work: (dataDir: string, folder: string, logger: Logger) => Promise<void> | void,
): void {
  const Env = z.object({
    DATA_DIR: DataDirEnv,
    LOG_LEVEL: CommonEnv.shape.LOG_LEVEL,
    folder: z
      .string({ error: `give ${folderIs}: npm run ${name} -- <folder>` })
      .min(1)
      .transform((p) => resolve(p)),
  });
  runMain(`otp-auth ${name}`, async () => {
    process.umask(0o077);
    const config = loadConfig(Env, { ...process.env, folder: process.argv[2] });
    const logger = createLogger({ level: config.LOG_LEVEL, name: `otp-auth-${name}` });
    logger.info({ dataDir: config.DATA_DIR, folder: config.folder }, `${name}: starting`);
    await work(config.DATA_DIR, config.folder, logger);
  });
}
